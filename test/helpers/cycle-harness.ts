import { GetQueueAttributesCommand, PurgeQueueCommand } from '@aws-sdk/client-sqs';
import { VirtualClock } from '../../shared/clock.js';
import { seededRandom } from '../../shared/ids.js';
import { KillSwitch } from '../../shared/adapters/parameters/kill-switch.js';
import {
  MemoryParameterStore,
  type ParameterStore,
} from '../../shared/adapters/parameters/parameter-store.js';
import type { CycleRuntime } from '../../shared/cycle/runtime.js';
import { startLocalStack, type LocalStack } from '../../infra/local/local-stack.js';
import {
  LOCAL_KILL_SWITCH_PARAMETER,
  MetricTally,
  localCycleRuntime,
} from '../../infra/local/local-runtime.js';
import { LocalExecutor, type LocalExecutorOptions } from '../../infra/local/local-executor.js';
import { synthesizeStateMachineDefinitions } from '../../infra/local/state-machine-definitions.js';

/** An embedded stack with a cycle runtime on a virtual clock, for cycle integration tests. */
export interface CycleHarness {
  readonly stack: LocalStack;
  readonly clock: VirtualClock;
  readonly parameters: ParameterStore;
  readonly runtime: CycleRuntime;
  readonly metrics: MetricTally;
  /** A local executor of the CDK-synthesized state machines over this runtime. */
  executor(
    options?: Pick<LocalExecutorOptions, 'taskOverrides' | 'observability' | 'recordHistory'>,
  ): LocalExecutor;
  setKillSwitch(on: boolean): Promise<void>;
  /** Messages visible on the send queue now (what Act enqueued and nobody received yet). */
  sendQueueDepth(): Promise<number>;
  /** Empties the send queue, so the next test starts from none. */
  purgeSendQueue(): Promise<void>;
  dispose(): Promise<void>;
}

/** Starts a fresh embedded stack (own table and queues) with the kill switch off. */
export async function createCycleHarness(
  options: { start?: string; parameters?: ParameterStore } = {},
): Promise<CycleHarness> {
  const stack = await startLocalStack();
  const clock = new VirtualClock(options.start ?? '2026-01-05T08:00:00.000Z');
  const parameters = options.parameters ?? new MemoryParameterStore();
  const metrics = new MetricTally();
  const runtime = localCycleRuntime({ stack, clock, parameters, metrics, random: seededRandom(1) });
  const killSwitch = new KillSwitch(parameters, LOCAL_KILL_SWITCH_PARAMETER);
  if (!options.parameters) await killSwitch.set(false, { now: clock.now() });
  const definitions = synthesizeStateMachineDefinitions();
  return {
    stack,
    clock,
    parameters,
    runtime,
    metrics,
    executor: (executorOptions = {}) =>
      new LocalExecutor({ definitions, runtime, ...executorOptions }),
    setKillSwitch: async (on) => {
      await killSwitch.set(on, { now: clock.now(), reason: 'test' });
    },
    sendQueueDepth: async () => {
      const { Attributes } = await stack.clients.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: stack.queues.send.url,
          AttributeNames: ['ApproximateNumberOfMessages'],
        }),
      );
      return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
    },
    purgeSendQueue: async () => {
      await stack.clients.sqs.send(new PurgeQueueCommand({ QueueUrl: stack.queues.send.url }));
    },
    dispose: () => stack.stop(),
  };
}
