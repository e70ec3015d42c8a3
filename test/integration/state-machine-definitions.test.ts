import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CYCLE_FAILED_ERROR, CYCLE_TASK_STATES } from '../../infra/constructs/cycle.js';
import { EXECUTION_ALREADY_EXISTS_ERROR, FAN_OUT_STATES } from '../../infra/constructs/fan-out.js';
import {
  synthesizeStateMachineDefinitions,
  type AgentStateMachineDefinitions,
} from '../../infra/local/state-machine-definitions.js';

type JsonValue = Parameters<StateMachine['run']>[0];
type Handler = (input: JsonValue) => Promise<JsonValue>;
type Handlers = Record<string, Handler>;

interface Outcome {
  readonly output?: JsonValue;
  readonly error?: Error;
  /** Names of the states entered, in order. */
  readonly entered: string[];
  /** Calls per Task state name. */
  readonly calls: Record<string, JsonValue[]>;
}

/** Runs a definition with every Task overridden by a stub, recording calls and entered states. */
async function execute(
  definition: StateMachineDefinition,
  input: JsonValue,
  handlers: Handlers,
  retryIntervalOverrides: Record<string, number> = {},
): Promise<Outcome> {
  const calls: Record<string, JsonValue[]> = {};
  const recorded = Object.fromEntries(
    Object.entries(handlers).map(([name, handler]) => [
      name,
      (stateInput: JsonValue) => {
        (calls[name] ??= []).push(stateInput);
        return handler(stateInput);
      },
    ]),
  );
  const machine = new StateMachine(definition, {
    validationOptions: { checkArn: false, checkPaths: false },
  });
  const execution = machine.run(input, {
    overrides: { taskResourceLocalHandlers: recorded, retryIntervalOverrides },
  });
  const entered: string[] = [];
  const eventsDone = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered') entered.push(event.state.name);
    }
  })();
  try {
    const output = await execution.result;
    await eventsDone;
    return { output, entered, calls };
  } catch (error) {
    await eventsDone;
    return { error: error as Error, entered, calls };
  }
}

/** An error with the given name, as a Lambda or a service integration would report it. */
function namedError(name: string, message = name): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

const CYCLE_INPUT = { tenantId: 'tenant-a', hourKey: '2025030412' };

/** Cycle stubs that let every step succeed; override one to change the path. */
function cycleHandlers(overrides: Partial<Handlers> = {}): Handlers {
  return {
    BeginCycle: async (input) => ({
      ...(input as Record<string, JsonValue>),
      gates: { proceed: true, runId: 'r1', cycleNumber: 1 },
      lock: { acquired: true, owner: 'r1', fence: 1 },
    }),
    Plan: async () => ({ planned: 2 }),
    Act: async () => ({ executed: 2 }),
    React: async () => ({ reactions: 0 }),
    Reflect: async () => ({ reflected: true, status: 'SUCCEEDED' }),
    RecordFailure: async () => ({ status: 'FAILED' }),
    ...(overrides as Handlers),
  };
}

describe('Local: synthesized state machine definitions', () => {
  let definitions: AgentStateMachineDefinitions;

  beforeAll(() => {
    definitions = synthesizeStateMachineDefinitions();
  }, 60_000);

  it('synthesizes once per process', () => {
    expect(synthesizeStateMachineDefinitions()).toBe(definitions);
  });

  it('resolves every Task resource to a fake ARN', () => {
    // Prepare
    const text = JSON.stringify(definitions);

    // Act / Assess
    expect(text).not.toMatch(/Fn::|"Ref"/);
    const resources = Object.values(definitions.cycle.States)
      .filter((state) => state.Type === 'Task')
      .map((state) => (state as { Resource: string }).Resource);
    for (const resource of resources) {
      expect(resource).toMatch(
        /^arn:aws:lambda:us-east-1:000000000000:function:Cycle\w+Function\w+$/,
      );
    }
    expect(new Set(resources).size).toBe(resources.length);
  });

  describe('cycle', () => {
    it('has exactly the contract Task states', () => {
      // Act
      const tasks = Object.entries(definitions.cycle.States)
        .filter(([, state]) => state.Type === 'Task')
        .map(([name]) => name);

      // Assess
      expect(tasks.sort()).toEqual([...CYCLE_TASK_STATES].sort());
      expect(definitions.cycle.StartAt).toBe('BeginCycle');
    });

    it('runs every step in order in six states and ends after Reflect with each result under its key', async () => {
      // Act
      const outcome = await execute(definitions.cycle, CYCLE_INPUT, cycleHandlers());

      // Assess
      expect(outcome.error).toBeUndefined();
      expect(outcome.entered).toEqual([
        'BeginCycle',
        'Proceed?',
        'Plan',
        'Act',
        'React',
        'Reflect',
      ]);
      expect(outcome.output).toEqual({
        ...CYCLE_INPUT,
        gates: { proceed: true, runId: 'r1', cycleNumber: 1 },
        lock: { acquired: true, owner: 'r1', fence: 1 },
        plan: { planned: 2 },
        act: { executed: 2 },
        react: { reactions: 0 },
        reflect: { reflected: true, status: 'SUCCEEDED' },
      });
      expect(outcome.calls['BeginCycle']).toEqual([CYCLE_INPUT]);
      // Each step sees the whole state so far.
      expect(outcome.calls['Act']?.[0]).toMatchObject({
        gates: { runId: 'r1' },
        plan: { planned: 2 },
      });
      expect(outcome.calls['RecordFailure']).toBeUndefined();
    });

    it('ends at Skipped in three states when the gates are closed', async () => {
      // Act
      const outcome = await execute(
        definitions.cycle,
        CYCLE_INPUT,
        cycleHandlers({
          BeginCycle: async (input) => ({
            ...(input as Record<string, JsonValue>),
            gates: { proceed: false, runId: 'r1', cycleNumber: 1, reason: 'kill_switch' },
            lock: { acquired: false },
          }),
        }),
      );

      // Assess
      expect(outcome.error).toBeUndefined();
      expect(outcome.entered).toEqual(['BeginCycle', 'Proceed?', 'Skipped']);
      expect(outcome.output).toMatchObject({ gates: { reason: 'kill_switch' } });
      expect(outcome.calls['Plan']).toBeUndefined();
    });

    it('ends at Skipped without planning when another run holds the lock', async () => {
      // Act
      const outcome = await execute(
        definitions.cycle,
        CYCLE_INPUT,
        cycleHandlers({
          BeginCycle: async (input) => ({
            ...(input as Record<string, JsonValue>),
            gates: { proceed: true, runId: 'r1', cycleNumber: 1 },
            lock: { acquired: false, holder: 'r0' },
          }),
        }),
      );

      // Assess
      expect(outcome.error).toBeUndefined();
      expect(outcome.entered).toEqual(['BeginCycle', 'Proceed?', 'Skipped']);
      expect(outcome.calls['Plan']).toBeUndefined();
    });

    it('routes a failing BeginCycle through RecordFailure with the input and the error', async () => {
      // Act
      const outcome = await execute(
        definitions.cycle,
        CYCLE_INPUT,
        cycleHandlers({
          BeginCycle: async () => {
            throw namedError('ValidationError', 'tenantId: is required');
          },
        }),
      );

      // Assess
      expect((outcome.error?.cause as Error | undefined)?.name).toBe(CYCLE_FAILED_ERROR);
      expect(outcome.entered).toEqual(['BeginCycle', 'RecordFailure', 'Failed']);
      expect(outcome.calls['RecordFailure']?.[0]).toEqual({
        ...CYCLE_INPUT,
        error: { Error: 'ValidationError', Cause: 'tenantId: is required' },
      });
    });

    it('routes a failing step through RecordFailure and fails the execution with CycleFailed', async () => {
      // Act
      const outcome = await execute(
        definitions.cycle,
        CYCLE_INPUT,
        cycleHandlers({
          Act: async () => {
            throw namedError('ValidationError', 'act: bad card');
          },
        }),
      );

      // Assess
      expect(outcome.error?.name).toBe('ExecutionError');
      expect((outcome.error?.cause as Error | undefined)?.name).toBe(CYCLE_FAILED_ERROR);
      expect(outcome.entered.slice(-3)).toEqual(['Act', 'RecordFailure', 'Failed']);
      expect(outcome.calls['Act']).toHaveLength(1);
      expect(outcome.calls['React']).toBeUndefined();
      expect(outcome.calls['RecordFailure']?.[0]).toMatchObject({
        ...CYCLE_INPUT,
        gates: { runId: 'r1' },
        error: { Error: 'ValidationError', Cause: 'act: bad card' },
      });
    });

    it('retries a TransientError and carries on when the retry succeeds', async () => {
      // Prepare
      let attempts = 0;
      const plan: Handler = async () => {
        attempts += 1;
        if (attempts < 3) throw namedError('TransientError', 'ThrottlingException: slow down');
        return { planned: 1 };
      };

      // Act
      const outcome = await execute(definitions.cycle, CYCLE_INPUT, cycleHandlers({ Plan: plan }), {
        Plan: 0,
      });

      // Assess
      expect(outcome.error).toBeUndefined();
      expect(attempts).toBe(3);
      expect(outcome.entered.at(-1)).toBe('Reflect');
      expect(outcome.calls['RecordFailure']).toBeUndefined();
    });

    it('gives up after three retries of a TransientError and records the failure', async () => {
      // Act
      const outcome = await execute(
        definitions.cycle,
        CYCLE_INPUT,
        cycleHandlers({
          Reflect: async () => {
            throw namedError('TransientError');
          },
        }),
        { Reflect: 0 },
      );

      // Assess
      expect(outcome.calls['Reflect']).toHaveLength(4);
      expect(outcome.calls['RecordFailure']).toHaveLength(1);
      expect((outcome.error?.cause as Error | undefined)?.name).toBe(CYCLE_FAILED_ERROR);
    });
  });

  describe('fan-out', () => {
    const HOUR = '2025030412';
    const SCHEDULED = '2025-03-04T12:00:00.000Z';
    const pages: Handler = async (input): Promise<JsonValue> => {
      const page = input as { cursor?: string; pageNumber?: number };
      if (page.cursor) {
        return {
          hourKey: HOUR,
          scheduledTime: SCHEDULED,
          tenantIds: ['d', 'e'],
          pageNumber: page.pageNumber ?? 1,
        };
      }
      return {
        hourKey: HOUR,
        scheduledTime: SCHEDULED,
        tenantIds: ['a', 'b', 'c'],
        pageNumber: 1,
        nextCursor: 'cursor-1',
      };
    };

    it('lists every page and starts one cycle per tenant, named <tenantId>-<hourKey>', async () => {
      // Prepare
      const startCycle: Handler = async (input) => {
        if ((input as { Name: string }).Name === `b-${HOUR}`) {
          throw namedError(EXECUTION_ALREADY_EXISTS_ERROR, 'Execution Already Exists');
        }
        return { executionArn: 'arn', startDate: '2025-03-04T12:00:01Z' };
      };

      // Act
      const outcome = await execute(
        definitions.fanOut,
        { scheduledTime: '2025-03-04T12:00:00Z' },
        { [FAN_OUT_STATES.listTenants]: pages, [FAN_OUT_STATES.startCycle]: startCycle },
      );

      // Assess
      expect(outcome.error).toBeUndefined();
      expect(outcome.calls[FAN_OUT_STATES.listTenants]).toEqual([
        { scheduledTime: '2025-03-04T12:00:00Z' },
        {
          scheduledTime: '2025-03-04T12:00:00.000Z',
          hourKey: HOUR,
          cursor: 'cursor-1',
          pageNumber: 2,
        },
      ]);
      const starts = outcome.calls[FAN_OUT_STATES.startCycle] as {
        Name: string;
        Input: Record<string, string>;
        StateMachineArn: string;
      }[];
      expect(starts).toHaveLength(5);
      expect(starts.map((start) => start.Name).sort()).toEqual(
        ['a', 'b', 'c', 'd', 'e'].map((tenant) => `${tenant}-${HOUR}`),
      );
      for (const start of starts) {
        expect(start.Input).toEqual({
          tenantId: start.Name.split('-')[0],
          hourKey: HOUR,
          executionName: start.Name,
        });
        expect(start.StateMachineArn).toMatch(/:stateMachine:CycleStateMachine\w+$/);
      }
      expect(outcome.entered.filter((name) => name === FAN_OUT_STATES.alreadyStarted)).toHaveLength(
        1,
      );
      expect(outcome.entered).not.toContain(FAN_OUT_STATES.startFailed);
      expect(outcome.entered.at(-1)).toBe(FAN_OUT_STATES.fannedOut);
    });

    it('retries a throttled start and keeps going when one tenant cannot be started', async () => {
      // Prepare
      let throttled = false;
      const startCycle: Handler = async (input) => {
        const name = (input as { Name: string }).Name;
        if (name === `a-${HOUR}` && !throttled) {
          throttled = true;
          throw namedError('StepFunctions.AWSStepFunctionsException', 'Rate exceeded');
        }
        if (name === `d-${HOUR}`) throw namedError('StepFunctions.InvalidName', 'bad name');
        return {};
      };

      // Act
      const outcome = await execute(
        definitions.fanOut,
        { scheduledTime: '2025-03-04T12:00:00Z' },
        {
          [FAN_OUT_STATES.listTenants]: pages,
          [FAN_OUT_STATES.startCycle]: startCycle,
          [FAN_OUT_STATES.startFailed]: async () => ({}),
        },
        { [FAN_OUT_STATES.startCycle]: 0 },
      );

      // Assess
      expect(outcome.error).toBeUndefined();
      expect(outcome.calls[FAN_OUT_STATES.startFailed]).toEqual([
        expect.objectContaining({
          Namespace: 'EngagementAgent',
          MetricData: [expect.objectContaining({ MetricName: 'CycleStartsFailed', Value: 1 })],
        }),
      ]);
      expect(outcome.entered).toContain(FAN_OUT_STATES.cycleNotStarted);
      const names = (outcome.calls[FAN_OUT_STATES.startCycle] as { Name: string }[]).map(
        (s) => s.Name,
      );
      expect(names.filter((name) => name === `a-${HOUR}`)).toHaveLength(2);
      expect(names).toHaveLength(6);
      expect(outcome.entered.filter((name) => name === FAN_OUT_STATES.startFailed)).toHaveLength(1);
      expect(outcome.entered.at(-1)).toBe(FAN_OUT_STATES.fannedOut);
    });
  });
});
