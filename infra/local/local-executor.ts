import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { CycleState } from '../../shared/cycle/state.js';
import { CYCLE_TASK_STATES, type CycleTaskState } from '../constructs/cycle.js';
import { EXECUTION_ALREADY_EXISTS_ERROR, FAN_OUT_STATES } from '../constructs/fan-out.js';
import type { CycleRuntime } from '../../shared/cycle/runtime.js';
import { createStepHandler } from '../../shared/cycle/step-handler.js';
import { parseCycleState, type CycleInput } from '../../shared/cycle/state.js';
import { beginCycle, reflectAndRelease } from '../../shared/cycle/cycle-ends.js';
import { plan } from '../../shared/cycle/plan-step.js';
import { act } from '../../shared/cycle/act-step.js';
import { react } from '../../shared/cycle/react-step.js';
import { recordFailure } from '../../shared/cycle/failure-step.js';
import {
  cycleExecutionName,
  listTenantsPage,
  parseFanOutPageInput,
} from '../../shared/cycle/fan-out.js';
import type { Observability } from '../../shared/observability/observability.js';
import { METRIC_NAMES } from '../../shared/observability/metric-names.js';
import { localLambdaContext } from './lambda-context.js';
import { localObservability } from './local-runtime.js';

/** One event of a local execution's history (the runner does not export its type). */
export type EventLog =
  Awaited<ReturnType<StateMachine['run']>['eventLogs']> extends AsyncGenerator<infer E> ? E : never;

/** A local stand-in for a Task state: receives the state's effective input, returns its result. */
export type LocalTask = (input: unknown) => Promise<unknown>;

/** aws-local-stepfunctions types handlers over JSON values; ours return plain JSON objects too. */
type JsonHandlers = NonNullable<
  NonNullable<Parameters<StateMachine['run']>[1]>['overrides']
>['taskResourceLocalHandlers'];

/** How one local cycle execution ended. */
export interface LocalExecutionResult {
  readonly executionName: string;
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: unknown;
  readonly error?: string;
  /** Wall time of the execution on this machine (not virtual time). */
  readonly durationMs: number;
  /** The execution's history events (state inputs, outputs, errors and causes) when recorded. */
  readonly history?: readonly EventLog[];
}

/** Counts of one local fan-out. */
export interface LocalFanOutResult {
  readonly started: number;
  readonly alreadyStarted: number;
  readonly pages: number;
}

/** Options of {@link LocalExecutor}. */
export interface LocalExecutorOptions {
  readonly definitions: {
    readonly cycle: StateMachineDefinition;
    readonly fanOut: StateMachineDefinition;
  };
  readonly runtime: CycleRuntime;
  /** Builds the Powertools trio per step; silent by default. */
  readonly observability?: (step: string) => Observability;
  /** Replaces the handler of a cycle Task state, e.g. to inject a failure in a test. */
  readonly taskOverrides?: Partial<Record<CycleTaskState, LocalTask>>;
  /** Keeps each cycle execution's history events on its result (tests of what history holds). */
  readonly recordHistory?: boolean;
}

/**
 * Runs the CDK-synthesized cycle and fan-out definitions with aws-local-stepfunctions, each Task
 * served in-process by the same handler (middy chain included) the Lambda runs. Execution names
 * are unique like in Step Functions: starting a name twice raises the AlreadyExists error the
 * fan-out's Catch expects. A fan-out waits for its cycles, so one simulated hour completes before
 * the clock moves.
 */
export class LocalExecutor {
  private readonly started = new Set<string>();
  private readonly cycleMachine: StateMachine;
  private readonly fanOutMachine: StateMachine;
  private readonly cycleTasks: Record<string, LocalTask>;
  private readonly listTenants: LocalTask;
  private requests = 0;
  readonly executions: LocalExecutionResult[] = [];

  constructor(private readonly options: LocalExecutorOptions) {
    const validationOptions = { checkArn: false, checkPaths: false };
    this.cycleMachine = new StateMachine(options.definitions.cycle, { validationOptions });
    this.fanOutMachine = new StateMachine(options.definitions.fanOut, {
      validationOptions: { ...validationOptions, noValidate: true },
    });
    const observe = options.observability ?? ((step: string) => localObservability(step));
    const steps = {
      BeginCycle: ['begin-cycle', beginCycle],
      Plan: ['plan', plan],
      Act: ['act', act],
      React: ['react', react],
      Reflect: ['reflect', reflectAndRelease],
      RecordFailure: ['record-failure', recordFailure],
    } as const;
    type Step = (runtime: CycleRuntime, state: CycleState) => Promise<unknown>;
    this.cycleTasks = {};
    for (const state of CYCLE_TASK_STATES) {
      const [name, step] = steps[state];
      const handler = createStepHandler(parseCycleState, step as Step, {
        runtime: options.runtime,
        observability: observe(name),
        phase: name.replace('-', '_'),
      });
      this.cycleTasks[state] =
        options.taskOverrides?.[state] ?? ((input) => handler(input, this.context(name)));
    }
    const listHandler = createStepHandler(parseFanOutPageInput, listTenantsPage, {
      runtime: options.runtime,
      observability: observe('list-tenants'),
      phase: 'fan_out',
    });
    this.listTenants = (input) => listHandler(input, this.context('list-tenants'));
  }

  /** Runs one cycle execution to its end; a second start of the same name throws AlreadyExists. */
  async runCycle(input: CycleInput): Promise<LocalExecutionResult> {
    const executionName = input.executionName ?? cycleExecutionName(input.tenantId, input.hourKey);
    if (this.started.has(executionName)) {
      const error = new Error(`Execution ${executionName} already exists`);
      error.name = EXECUTION_ALREADY_EXISTS_ERROR;
      throw error;
    }
    this.started.add(executionName);
    const execution = this.cycleMachine.run({ ...input, executionName } as Record<string, string>, {
      overrides: {
        taskResourceLocalHandlers: this.cycleTasks as JsonHandlers,
        retryIntervalOverrides: Object.fromEntries(CYCLE_TASK_STATES.map((state) => [state, 0])),
      },
      context: { Execution: { Name: executionName, Input: { ...input, executionName } } },
    });
    const history: EventLog[] = [];
    const recording = this.options.recordHistory
      ? (async () => {
          for await (const event of execution.eventLogs) history.push(event);
        })()
      : Promise.resolve();
    let result: LocalExecutionResult;
    const startedAt = performance.now();
    const elapsed = () => Math.round((performance.now() - startedAt) * 10) / 10;
    try {
      const output = await execution.result;
      result = { executionName, status: 'SUCCEEDED', output, durationMs: elapsed() };
    } catch (error) {
      // The runner wraps the Fail state's error; report that one, as the console would.
      const failure = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      result = {
        executionName,
        status: 'FAILED',
        error: failure instanceof Error ? `${failure.name}: ${failure.message}` : String(failure),
        durationMs: elapsed(),
      };
    }
    if (this.options.recordHistory) {
      await recording;
      result = { ...result, history };
    }
    this.executions.push(result);
    return result;
  }

  /** Runs the fan-out for one scheduled time, starting (and completing) every enabled tenant's cycle. */
  async runFanOut(scheduledTime: Date): Promise<LocalFanOutResult> {
    let started = 0;
    let alreadyStarted = 0;
    let pages = 0;
    const startCycle: LocalTask = async (raw) => {
      const input = startInput(raw);
      try {
        await this.runCycle(input);
        started += 1;
      } catch (error) {
        if (error instanceof Error && error.name === EXECUTION_ALREADY_EXISTS_ERROR)
          alreadyStarted += 1;
        throw error;
      }
      return { executionArn: `local:${input.executionName ?? ''}` };
    };
    const listTenants: LocalTask = async (input) => {
      pages += 1;
      return this.listTenants(input);
    };
    const execution = this.fanOutMachine.run(
      { scheduledTime: scheduledTime.toISOString() },
      {
        overrides: {
          taskResourceLocalHandlers: {
            [FAN_OUT_STATES.listTenants]: listTenants,
            [FAN_OUT_STATES.startCycle]: startCycle,
            // The CycleStartsFailed metric: counted through the runtime's sink, not CloudWatch.
            [FAN_OUT_STATES.startFailed]: async () => {
              this.options.runtime.metric(METRIC_NAMES.cycleStartsFailed);
              return {};
            },
          } as JsonHandlers,
          retryIntervalOverrides: {
            [FAN_OUT_STATES.listTenants]: 0,
            [FAN_OUT_STATES.startCycle]: 0,
          },
        },
      },
    );
    await execution.result;
    return { started, alreadyStarted, pages };
  }

  private context(functionName: string) {
    this.requests += 1;
    return localLambdaContext(functionName, `local-${this.requests}`);
  }
}

/** The cycle input inside a StartCycle task's input (`Input` of the StartExecution parameters). */
function startInput(raw: unknown): CycleInput {
  const value = raw as { Input?: unknown; Name?: unknown } | null;
  const inner = (
    value && typeof value === 'object' && 'Input' in value ? value.Input : value
  ) as Partial<CycleInput> | null;
  const parsed = typeof inner === 'string' ? (JSON.parse(inner) as Partial<CycleInput>) : inner;
  if (!parsed?.tenantId || !parsed.hourKey)
    throw new Error(`StartCycle got no tenantId/hourKey: ${JSON.stringify(raw)}`);
  const name = typeof value?.Name === 'string' ? value.Name : parsed.executionName;
  return {
    tenantId: parsed.tenantId,
    hourKey: parsed.hourKey,
    ...(name ? { executionName: name } : {}),
  };
}
