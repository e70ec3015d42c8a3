import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { VirtualClock } from '../../shared/clock.js';
import { seededRandom } from '../../shared/ids.js';
import type { SendMode } from '../../shared/domain/send-mode.js';
import {
  FileParameterStore,
  MemoryParameterStore,
  type ParameterStore,
} from '../../shared/adapters/parameters/parameter-store.js';
import { KillSwitch } from '../../shared/adapters/parameters/kill-switch.js';
import type { Observability } from '../../shared/observability/observability.js';
import { ValidationError } from '../../shared/errors.js';
import type { Fixture } from './fixture.js';
import { startLocalStack, type LocalStack } from './local-stack.js';
import { LOCAL_KILL_SWITCH_PARAMETER, MetricTally, localCycleRuntime } from './local-runtime.js';
import { LocalExecutor, type LocalExecutionResult, type LocalTask } from './local-executor.js';
import { synthesizeStateMachineDefinitions } from './state-machine-definitions.js';
import type { CycleTaskState } from '../constructs/cycle.js';
import { seedFixture } from './seed.js';
import { buildTenantReports, type SimulationReport } from './report.js';
import {
  SIMULATION_SERVICE_FACTORIES,
  type SimulationService,
  type SimulationSetup,
} from './simulation-services.js';

/** Length of the turns services take within an hour (the Gmail poll interval). */
const SERVICE_SLICE_MS = 5 * 60_000;

/** The steps around the simulated hours, in order. */
export type SimulationPhase = 'starting stack' | 'seeding' | 'synthesizing' | 'reporting';

/** What {@link SimulationOptions.onHour} is told after each simulated hour. */
export interface HourProgress {
  /** Hours done so far (1-based) and in total. */
  readonly hour: number;
  readonly hours: number;
  /** The top of the hour just simulated. */
  readonly at: Date;
  /** Cycle executions the fan-out started this hour, and those it found already started. */
  readonly started: number;
  readonly alreadyStarted: number;
  /** Cycle executions that failed so far. */
  readonly failedExecutions: number;
  /** The metric counts so far (the same tally the report's `metrics` shows). */
  readonly metrics: ReadonlyMap<string, number>;
}

/** Options of {@link runSimulation}. */
export interface SimulationOptions {
  readonly fixture: Fixture;
  /** Simulated hours; the fixture's `global.hours`, else 24. */
  readonly hours?: number;
  /** Virtual start; the fixture's `global.start`, else the current hour. Rounded down to the hour. */
  readonly start?: Date;
  readonly sendMode?: SendMode;
  /** How Act drafts emails (`--llm`): the deterministic mock unless given. */
  readonly llm?: 'mock' | 'template' | 'off';
  /** Keep the table and parameters here (for `agentctl --local DIR` afterwards); in memory otherwise. */
  readonly dataDir?: string;
  /** Called after every simulated hour. */
  readonly onHour?: (progress: HourProgress) => void;
  /** Called after each cycle execution ends (wall time included; the report stays deterministic). */
  readonly onExecution?: (execution: LocalExecutionResult) => void;
  /** Called as each set-up or wrap-up step begins (so a caller can say what is taking time). */
  readonly onPhase?: (phase: SimulationPhase) => void;
  /** Replaces a cycle Task's handler (failure injection in tests). */
  readonly taskOverrides?: Partial<Record<CycleTaskState, LocalTask>>;
  readonly observability?: (step: string) => Observability;
  /** Reuse a running stack instead of starting one (tests). */
  readonly stack?: LocalStack;
  /** The services to run beside the cycles; the registered ones by default. */
  readonly services?: readonly SimulationService[];
}

/**
 * Runs the agent locally: starts the embedded stack, seeds the fixture, then for every simulated
 * hour moves the virtual clock to the top of the hour and runs the CDK-synthesized fan-out, which
 * runs each enabled tenant's cycle state machine with the real handlers. Returns the report.
 */
export async function runSimulation(options: SimulationOptions): Promise<SimulationReport> {
  const { fixture } = options;
  const hours = options.hours ?? fixture.global.hours ?? 24;
  if (!Number.isInteger(hours) || hours < 1)
    throw new ValidationError('hours', 'expected a positive whole number');
  const start = topOfHour(
    options.start ?? (fixture.global.start ? new Date(fixture.global.start) : new Date()),
  );
  const sendMode = options.sendMode ?? fixture.global.sendMode;

  let parameters: ParameterStore = new MemoryParameterStore();
  if (options.dataDir) {
    await mkdir(options.dataDir, { recursive: true });
    parameters = new FileParameterStore(join(options.dataDir, 'parameters.json'));
  }
  options.onPhase?.('starting stack');
  const stack =
    options.stack ??
    (await startLocalStack({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      dynamoDbThread: true,
    }));
  try {
    const clock = new VirtualClock(start);
    const metrics = new MetricTally();
    const runtime = localCycleRuntime({
      stack,
      clock,
      parameters,
      metrics,
      random: seededRandom(fixture.global.seed),
      llm: options.llm ?? 'mock',
    });
    await new KillSwitch(parameters, LOCAL_KILL_SWITCH_PARAMETER).set(
      fixture.global.killSwitch === 'on',
      {
        now: start,
        changedBy: 'fixture',
        ...(fixture.global.killSwitchReason ? { reason: fixture.global.killSwitchReason } : {}),
      },
    );
    options.onPhase?.('seeding');
    await seedFixture(runtime, fixture);
    options.onPhase?.('synthesizing');

    const executor = new LocalExecutor({
      definitions: synthesizeStateMachineDefinitions(),
      runtime,
      ...(options.taskOverrides ? { taskOverrides: options.taskOverrides } : {}),
      ...(options.observability ? { observability: options.observability } : {}),
    });
    const setup: SimulationSetup = { stack, clock, runtime, parameters, fixture, sendMode, start };
    const services = options.services ?? SIMULATION_SERVICE_FACTORIES.map((create) => create());
    const started: SimulationService[] = [];
    let tenants;
    try {
      for (const service of services) {
        await service.start?.(setup);
        started.push(service);
      }
      for (let hour = 0; hour < hours; hour += 1) {
        const at = new Date(start.getTime() + hour * 3_600_000);
        const hourEnd = new Date(at.getTime() + 3_600_000);
        clock.set(at);
        const reported = executor.executions.length;
        const fanOut = await executor.runFanOut(at);
        for (const execution of executor.executions.slice(reported))
          options.onExecution?.(execution);
        // Services take turns in 5-minute slices, so none runs the whole hour ahead of the others
        // (a send due at :05 happens at :05 even when a reply arrives at :50).
        for (
          let sliceStart = at.getTime();
          sliceStart < hourEnd.getTime();
          sliceStart += SERVICE_SLICE_MS
        ) {
          const sliceEnd = new Date(sliceStart + SERVICE_SLICE_MS);
          const advanceTo = (instant: Date) => {
            if (instant.getTime() >= sliceEnd.getTime())
              throw new RangeError(`cannot move past ${sliceEnd.toISOString()}`);
            if (instant.getTime() > clock.now().getTime()) clock.set(instant);
          };
          for (const service of started) {
            await service.duringHour?.({
              ...setup,
              at: new Date(sliceStart),
              hourEnd: sliceEnd,
              advanceTo,
            });
          }
        }
        options.onHour?.({
          hour: hour + 1,
          hours,
          at,
          started: fanOut.started,
          alreadyStarted: fanOut.alreadyStarted,
          failedExecutions: executor.executions.filter((e) => e.status === 'FAILED').length,
          metrics: metrics.counts,
        });
      }
      options.onPhase?.('reporting');
      const end = new Date(start.getTime() + hours * 3_600_000 - 1);
      tenants = await buildTenantReports(runtime, fixture, start, end, sendMode);
      for (const [index, tenant] of tenants.entries()) {
        for (const service of started) {
          const extra = await service.report?.(tenant.tenantId, { start, end });
          if (extra) tenants[index] = { ...tenants[index]!, ...extra };
        }
      }
    } finally {
      for (const service of started.reverse()) await service.stop?.();
    }
    return {
      simulation: {
        start: start.toISOString(),
        end: new Date(start.getTime() + hours * 3_600_000).toISOString(),
        hours,
        sendMode,
        killSwitch: fixture.global.killSwitch,
        executions: {
          succeeded: executor.executions.filter((e) => e.status === 'SUCCEEDED').length,
          failed: executor.executions.filter((e) => e.status === 'FAILED').length,
        },
      },
      tenants,
      metrics: Object.fromEntries(
        [...metrics.counts.entries()].sort(([a], [b]) => a.localeCompare(b)),
      ),
    };
  } finally {
    if (!options.stack) await stack.stop();
  }
}

function topOfHour(instant: Date): Date {
  if (Number.isNaN(instant.getTime()))
    throw new ValidationError('start', 'expected an ISO-8601 instant');
  return new Date(Math.floor(instant.getTime() / 3_600_000) * 3_600_000);
}
