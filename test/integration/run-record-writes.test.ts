import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hourKey } from '../../shared/clock.js';
import { act } from '../../shared/cycle/act-step.js';
import { beginCycle } from '../../shared/cycle/cycle-ends.js';
import { recordFailure } from '../../shared/cycle/failure-step.js';
import { plan } from '../../shared/cycle/plan-step.js';
import type { CycleState } from '../../shared/cycle/state.js';
import { keys } from '../../shared/storage/keys.js';
import { createCycleHarness, type CycleHarness } from '../helpers/cycle-harness.js';
import { ACME_ACCOUNT, seedAccountsAndContacts } from '../helpers/cycle-seed.js';

const START = '2026-01-05T08:00:00.000Z';
const HOUR = hourKey(new Date(START));

/** A tenant with two overdue contacts, so Plan and Act have cards to count. */
async function seedTenant(harness: CycleHarness, tenantId: string): Promise<void> {
  const { repos } = harness.runtime;
  await repos.tenants.put(tenantId, { name: tenantId, agentEnabled: true });
  await seedAccountsAndContacts(
    repos,
    tenantId,
    START,
    [ACME_ACCOUNT],
    [
      ['c-1', 'ana@acme.example', 30, 'acc-1'],
      ['c-2', 'ben@acme.example', 40, 'acc-1'],
    ],
  );
}

/** Runs BeginCycle, Plan and Act the way the state machine chains them; the cycle stops there. */
async function runUntilReact(harness: CycleHarness, tenantId: string): Promise<CycleState> {
  const { runtime } = harness;
  let state: CycleState = await beginCycle(runtime, {
    tenantId,
    hourKey: HOUR,
    executionName: `${tenantId}-${HOUR}`,
  });
  expect(state.lock?.acquired).toBe(true);
  state = { ...state, plan: await plan(runtime, state) };
  harness.clock.advance({ seconds: 5 });
  state = { ...state, act: { ...(await act(runtime, state)) } };
  return state;
}

/** The run record as stored, without the phases its lock carries. */
async function storedRun(harness: CycleHarness, tenantId: string) {
  const result = await harness.stack.clients.doc.send(
    new GetCommand({ TableName: harness.stack.tableName, Key: keys.run(tenantId, HOUR) }),
  );
  return result.Item;
}

describe('Cycle: run record and lock writes at phase boundaries', () => {
  let harness: CycleHarness;

  beforeAll(async () => {
    harness = await createCycleHarness({ start: START });
  }, 60_000);

  afterAll(async () => {
    await harness?.dispose();
  });

  it('shows a run in progress with the phases it ended on the lock, as agentctl runs lists it', async () => {
    // Prepare
    await seedTenant(harness, 'live');

    // Act
    await runUntilReact(harness, 'live');
    const [listed] = (await harness.runtime.repos.runs.list('live')).items;
    const stored = await storedRun(harness, 'live');

    // Assess
    expect(listed).toMatchObject({ status: 'RUNNING', hourKey: HOUR });
    expect(listed?.phases['plan']?.endedAt).toBeDefined();
    expect(listed?.phases['act']?.endedAt).toBeDefined();
    expect(listed?.phases['act']?.durationMs).toBe(0);
    expect(listed?.phases['react']).toBeUndefined();
    expect(listed?.counts['actionsPlanned']).toBeGreaterThan(0);
    expect(listed?.pipeline).toBeDefined();
    expect(await harness.runtime.repos.runs.get('live', HOUR)).toEqual(listed);
    // The run record itself was written once, at the start; the phases ride on the lock.
    expect(stored?.['phases']).toEqual({});
    expect(stored?.['counts']).toEqual({});
  });

  it('records what ran before a crash between phases when RecordFailure ends the run', async () => {
    // Prepare
    await seedTenant(harness, 'crashed');
    const state = await runUntilReact(harness, 'crashed');
    const inProgress = await harness.runtime.repos.runs.get('crashed', HOUR);
    harness.clock.advance({ seconds: 30 });

    // Act: React's Lambda died before its phase ended; the Catch hands its error on.
    const result = await recordFailure(harness.runtime, {
      ...state,
      error: { Error: 'Sandbox.Timedout', Cause: 'Task timed out after 300.00 seconds' },
    });
    const run = await harness.runtime.repos.runs.get('crashed', HOUR);
    const stored = await storedRun(harness, 'crashed');

    // Assess
    expect(result).toEqual({ status: 'FAILED', phase: 'react' });
    expect(run).toMatchObject({
      status: 'FAILED',
      error: { phase: 'react', message: 'Sandbox.Timedout: Task timed out after 300.00 seconds' },
      counts: inProgress?.counts,
      pipeline: inProgress?.pipeline,
    });
    expect(run?.phases['plan']).toEqual(inProgress?.phases['plan']);
    expect(run?.phases['act']).toEqual(inProgress?.phases['act']);
    // React started when Act's end was recorded, and failed 30 s later.
    expect(run?.phases['react']).toMatchObject({
      startedAt: inProgress?.phases['act']?.endedAt,
      durationMs: 30_000,
      error: 'Sandbox.Timedout: Task timed out after 300.00 seconds',
    });
    expect(stored?.['phases']).toEqual(run?.phases);
    expect(await harness.runtime.repos.locks.current('crashed')).toBeUndefined();
  });

  it('writes every phase to the run record when the cycle ends, and the lock carries none afterwards', async () => {
    // Prepare
    await seedTenant(harness, 'whole');
    const executor = harness.executor();

    // Act
    const result = await executor.runCycle({ tenantId: 'whole', hourKey: HOUR });
    const stored = await storedRun(harness, 'whole');
    const live = await harness.runtime.repos.locks.live('whole', `whole-${HOUR}`);

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(stored?.['status']).toBe('SUCCEEDED');
    expect(Object.keys(stored?.['phases'] as object).sort()).toEqual([
      'act',
      'plan',
      'react',
      'reflect',
    ]);
    expect((stored?.['counts'] as Record<string, number>)['actionsPlanned']).toBeGreaterThan(0);
    expect(stored?.['react']).toBeDefined();
    expect(live).toEqual({});
  });
});
