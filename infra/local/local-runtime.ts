import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Clock } from '../../shared/clock.js';
import { killSwitchParameterName } from '../../shared/config.js';
import { KillSwitch } from '../../shared/adapters/parameters/kill-switch.js';
import type { ParameterStore } from '../../shared/adapters/parameters/parameter-store.js';
import { SqsMessageQueue } from '../../shared/adapters/queue/message-queue.js';
import { METRIC_NAMESPACE, type Observability } from '../../shared/observability/observability.js';
import { createCycleRuntime } from '../../shared/cycle/create-runtime.js';
import type { CycleRuntime, MetricSink } from '../../shared/cycle/runtime.js';
import { Tracer } from '../../shared/observability/tracing/tracer.js';
import type { LocalStack } from './local-stack.js';
import { createDrafting, type LlmMode } from '../../shared/drafting/drafting-runtime.js';
import type { DraftProvider } from '../../shared/drafting/providers.js';

/** The kill-switch parameter name the local stack uses (the dev stage's). */
export const LOCAL_KILL_SWITCH_PARAMETER = killSwitchParameterName('engagement-agent', 'dev');

/** Metric counts collected locally, by name (dimensions folded into `name{key=value}`). */
export class MetricTally {
  readonly counts = new Map<string, number>();

  readonly sink: MetricSink = (name, value = 1, dimensions) => {
    const key =
      dimensions && Object.keys(dimensions).length > 0
        ? `${name}{${Object.entries(dimensions)
            .map(([k, v]) => `${k}=${v}`)
            .join(',')}}`
        : name;
    // Rates are gauges: keep the latest value; everything else is a count.
    this.counts.set(key, name.endsWith('Rate') ? value : (this.counts.get(key) ?? 0) + value);
  };
}

/**
 * Powertools instances for running handlers in-process: logs at `logLevel` (silent by default),
 * EMF metrics off (the tally records them), tracing off.
 */
export function localObservability(
  serviceName: string,
  logLevel: 'SILENT' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' = 'SILENT',
): Observability {
  process.env['POWERTOOLS_METRICS_DISABLED'] ??= 'true';
  const logger = new Logger({ serviceName, logLevel });
  return {
    logger,
    metrics: new Metrics({ serviceName, namespace: METRIC_NAMESPACE, logger }),
    tracer: new Tracer({ serviceName, enabled: false }),
  };
}

/** Builds a cycle runtime over an embedded stack, a clock and a parameter store. */
export function localCycleRuntime(options: {
  stack: LocalStack;
  clock: Clock;
  parameters: ParameterStore;
  metrics?: MetricTally;
  random?: () => number;
  lockTtlSeconds?: number;
  /** How Act drafts (`agentctl simulate --llm`); `off` unless given. */
  llm?: LlmMode;
  /** Replaces the mode's providers (tests: a failing provider before the template). */
  draftProviders?: readonly DraftProvider[];
}): CycleRuntime {
  return createCycleRuntime({
    doc: options.stack.clients.doc,
    tableName: options.stack.tableName,
    clock: options.clock,
    killSwitch: new KillSwitch(options.parameters, LOCAL_KILL_SWITCH_PARAMETER),
    sendQueue: new SqsMessageQueue(options.stack.clients.sqs, options.stack.queues.send.url),
    lockTtlSeconds: options.lockTtlSeconds ?? 900,
    ...(options.metrics ? { metric: options.metrics.sink } : {}),
    ...(options.random ? { random: options.random } : {}),
    ...(options.llm && options.llm !== 'off'
      ? {
          drafting: (ports) =>
            createDrafting({
              ...ports,
              mode: options.llm!,
              ...(options.draftProviders ? { providers: options.draftProviders } : {}),
            }),
        }
      : {}),
  });
}
