import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hourKey } from '../../shared/clock.js';
import type { ParameterStore } from '../../shared/adapters/parameters/parameter-store.js';
import { act } from '../../shared/cycle/act-step.js';
import { runPhase } from '../../shared/cycle/phase.js';
import { parseCycleState } from '../../shared/cycle/state.js';
import type { CycleRuntime } from '../../shared/cycle/runtime.js';
import { createCycleHarness, type CycleHarness } from '../helpers/cycle-harness.js';
import { ACME_ACCOUNT, seedAccountsAndContacts, seedNewOrder } from '../helpers/cycle-seed.js';

const START = '2026-01-05T08:00:00.000Z';
const HOUR = hourKey(new Date(START));

/** A tenant with two overdue contacts, one new order and a competitor contact. */
async function seedTenant(
  runtime: CycleRuntime,
  tenantId: string,
  agentEnabled = true,
): Promise<void> {
  const { repos } = runtime;
  await repos.tenants.put(tenantId, {
    name: tenantId,
    agentEnabled,
    doNotContact: { competitorDomains: ['rival.example'] },
  });
  await seedAccountsAndContacts(
    repos,
    tenantId,
    START,
    [ACME_ACCOUNT],
    [
      ['c-1', 'ana@acme.example', 30, 'acc-1'],
      ['c-2', 'ben@acme.example', 40, 'acc-1'],
      ['c-3', 'spy@rival.example', 50, 'acc-1'],
    ],
  );
  await seedNewOrder(repos, tenantId, START);
}

describe('Cycle: synthesized state machine on the embedded stack', () => {
  let harness: CycleHarness;

  beforeAll(async () => {
    harness = await createCycleHarness({ start: START });
  });

  afterAll(async () => {
    await harness.dispose();
  });

  afterEach(async () => {
    await harness.purgeSendQueue();
  });

  it('runs Plan, Act, React and Reflect for a tenant and releases the lock', async () => {
    // Prepare
    await seedTenant(harness.runtime, 'happy');

    // Act
    const result = await harness.executor().runCycle({ tenantId: 'happy', hourKey: HOUR });

    // Assess
    const { repos } = harness.runtime;
    const run = await repos.runs.get('happy', HOUR);
    expect(result.status).toBe('SUCCEEDED');
    expect(run).toMatchObject({ status: 'SUCCEEDED', runId: `happy-${HOUR}`, cycleNumber: 1 });
    expect(Object.keys(run?.phases ?? {}).sort()).toEqual(['act', 'plan', 'react', 'reflect']);
    expect(run?.counts).toMatchObject({ actionsPlanned: 3, actionsExecuted: 3, actionsBlocked: 0 });
    expect(await repos.locks.current('happy')).toBeUndefined();
    const cards = await repos.cards.listForRun('happy', HOUR);
    expect(cards.map((card) => [card.cardId.split(':')[0], card.status])).toEqual([
      ['validate_order', 'done'],
      ['follow_up', 'done'],
      ['follow_up', 'done'],
    ]);
    // The competitor's contact is not contactable: never proposed, reported once with its reason.
    const reported = await repos.outcomes.listBetween('happy', new Date(0), new Date(START));
    expect(
      reported.flatMap((o) => (o.kind === 'send_result' ? [[o.email, o.status, o.reason]] : [])),
    ).toEqual([['spy@rival.example', 'suppressed', 'do_not_contact:competitor']]);
    expect((await repos.orders.get('happy', 'o-1'))?.status).toBe('ready');
    expect(await repos.reflections.latestBefore('happy', '2026010509')).toMatchObject({
      hourKey: HOUR,
    });
    expect(await harness.sendQueueDepth()).toBe(2);
  });

  it('records a FAILED run with the failed phase and releases the lock when Act fails', async () => {
    await seedTenant(harness.runtime, 'broken');
    const executor = harness.executor({
      taskOverrides: {
        Act: async () => {
          const error = new Error('injected failure');
          error.name = 'InjectedError';
          throw error;
        },
      },
    });

    const result = await executor.runCycle({ tenantId: 'broken', hourKey: HOUR });

    const run = await harness.runtime.repos.runs.get('broken', HOUR);
    expect(result.status).toBe('FAILED');
    expect(result.error).toContain('CycleFailed');
    expect(run?.status).toBe('FAILED');
    expect(run?.error).toEqual({ phase: 'act', message: 'InjectedError: injected failure' });
    expect(run?.phases['act']?.error).toBe('InjectedError: injected failure');
    expect(run?.phases['plan']?.endedAt).toBeDefined();
    expect(await harness.runtime.repos.locks.current('broken')).toBeUndefined();
  });

  it('names the phase a step left open when it died mid-phase, with the time that phase started', async () => {
    await seedTenant(harness.runtime, 'crashed');
    const phaseStartedAt = harness.clock.now().toISOString();
    const executor = harness.executor({
      taskOverrides: {
        // Act's Lambda dies inside its phase: neither the phase's end nor its catch ever runs.
        Act: async (input) => {
          let entered!: () => void;
          const inBody = new Promise<void>((resolve) => (entered = resolve));
          void runPhase(harness.runtime, parseCycleState(input), 'act', () => {
            entered();
            return new Promise<never>(() => undefined);
          });
          await inBody;
          harness.clock.advance({ seconds: 60 });
          const error = new Error('Task timed out after 60.00 seconds');
          error.name = 'Sandbox.Timedout';
          throw error;
        },
      },
    });

    const result = await executor.runCycle({ tenantId: 'crashed', hourKey: HOUR });

    const run = await harness.runtime.repos.runs.get('crashed', HOUR);
    expect(result.status).toBe('FAILED');
    expect(run?.error?.phase).toBe('act');
    expect(run?.phases['act']).toMatchObject({
      startedAt: phaseStartedAt,
      durationMs: 60_000,
      error: expect.stringContaining('Task timed out'),
    });
    expect(await harness.runtime.repos.locks.current('crashed')).toBeUndefined();
  });

  it('skips an overlapping cycle for the same tenant as locked and never executes a card twice', async () => {
    // Prepare: the first cycle blocks inside Act, holding the lock.
    await seedTenant(harness.runtime, 'overlap');
    let releaseAct!: () => void;
    const actBlocked = new Promise<void>((resolve) => (releaseAct = resolve));
    let enteredAct!: () => void;
    const actEntered = new Promise<void>((resolve) => (enteredAct = resolve));
    const slowExecutor = harness.executor({
      taskOverrides: {
        Act: async (input) => {
          enteredAct();
          await actBlocked;
          return act(harness.runtime, input as Parameters<typeof act>[1]);
        },
      },
    });
    const nextHour = hourKey(new Date(new Date(START).getTime() + 3_600_000));

    // Act
    const first = slowExecutor.runCycle({ tenantId: 'overlap', hourKey: HOUR });
    await actEntered;
    const second = await harness.executor().runCycle({ tenantId: 'overlap', hourKey: nextHour });
    releaseAct();
    const firstResult = await first;
    const retriedAct = await act(harness.runtime, {
      tenantId: 'overlap',
      hourKey: HOUR,
      gates: { proceed: true, runId: `overlap-${HOUR}`, cycleNumber: 1 },
    }).catch((error: Error) => error);

    // Assess
    const { repos } = harness.runtime;
    expect(firstResult.status).toBe('SUCCEEDED');
    expect(second.status).toBe('SUCCEEDED');
    expect(await repos.runs.get('overlap', nextHour)).toMatchObject({
      status: 'SKIPPED',
      reason: 'locked',
    });
    expect(await repos.cards.listForRun('overlap', nextHour)).toEqual([]);
    const cards = await repos.cards.listForRun('overlap', HOUR);
    for (const card of cards)
      expect(card.history.filter((entry) => entry.status === 'executing')).toHaveLength(1);
    // A retry of Act after the run released its lock is refused, not executed again.
    expect(retriedAct).toBeInstanceOf(Error);
    expect(await harness.sendQueueDepth()).toBe(2);
  });

  it('does not execute any card twice when Act runs again within the same run', async () => {
    await seedTenant(harness.runtime, 'retried');
    const runId = `retried-${HOUR}`;
    const executor = harness.executor({
      taskOverrides: {
        // Act succeeds, then its result is "lost" and Step Functions retries it.
        Act: async (input) => {
          await act(harness.runtime, input as Parameters<typeof act>[1]);
          const error = new Error('response lost');
          error.name = 'TransientError';
          throw error;
        },
      },
    });

    await executor.runCycle({ tenantId: 'retried', hourKey: HOUR });

    const cards = await harness.runtime.repos.cards.listForRun('retried', HOUR);
    expect(cards.length).toBeGreaterThan(0);
    for (const card of cards) {
      expect(card.claimedBy).toBe(runId);
      expect(card.history.filter((entry) => entry.status === 'executing')).toHaveLength(1);
    }
    expect(await harness.sendQueueDepth()).toBe(2);
  });

  it('skips every tenant with kill_switch when the kill switch is on, sending nothing', async () => {
    await seedTenant(harness.runtime, 'ks-a');
    await seedTenant(harness.runtime, 'ks-b');
    await harness.setKillSwitch(true);
    try {
      const results = await Promise.all(
        ['ks-a', 'ks-b'].map((tenantId) =>
          harness.executor().runCycle({ tenantId, hourKey: HOUR }),
        ),
      );

      expect(results.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
      for (const tenantId of ['ks-a', 'ks-b']) {
        expect(await harness.runtime.repos.runs.get(tenantId, HOUR)).toMatchObject({
          status: 'SKIPPED',
          reason: 'kill_switch',
        });
        expect(await harness.runtime.repos.cards.listForRun(tenantId, HOUR)).toEqual([]);
      }
      expect(await harness.sendQueueDepth()).toBe(0);
    } finally {
      await harness.setKillSwitch(false);
    }
  });

  it('skips a disabled tenant with tenant_disabled and leaves other tenants running', async () => {
    await seedTenant(harness.runtime, 'off-tenant', false);
    await seedTenant(harness.runtime, 'on-tenant', true);

    await harness.executor().runCycle({ tenantId: 'off-tenant', hourKey: HOUR });
    await harness.executor().runCycle({ tenantId: 'on-tenant', hourKey: HOUR });

    expect(await harness.runtime.repos.runs.get('off-tenant', HOUR)).toMatchObject({
      status: 'SKIPPED',
      reason: 'tenant_disabled',
    });
    expect(await harness.runtime.repos.runs.get('on-tenant', HOUR)).toMatchObject({
      status: 'SUCCEEDED',
    });
  });
});

describe('Cycle: kill switch that cannot be read', () => {
  it('skips the tenant with kill_switch when the parameter read fails', async () => {
    const failing: ParameterStore = {
      get: () =>
        Promise.reject(Object.assign(new Error('AccessDenied'), { name: 'AccessDeniedException' })),
      put: () => Promise.resolve(),
    };
    const harness = await createCycleHarness({ start: START, parameters: failing });
    try {
      await seedTenant(harness.runtime, 'blind');

      const result = await harness.executor().runCycle({ tenantId: 'blind', hourKey: HOUR });

      const run = await harness.runtime.repos.runs.get('blind', HOUR);
      expect(result.status).toBe('SUCCEEDED');
      expect(run).toMatchObject({ status: 'SKIPPED', reason: 'kill_switch' });
      expect(run?.error?.message).toContain('unreadable');
      expect(await harness.sendQueueDepth()).toBe(0);
    } finally {
      await harness.dispose();
    }
  });

  it('skips the tenant with kill_switch when the parameter does not exist', async () => {
    const harness = await createCycleHarness({
      start: START,
      parameters: { get: async () => undefined, put: async () => undefined },
    });
    try {
      await seedTenant(harness.runtime, 'missing-switch');

      await harness.executor().runCycle({ tenantId: 'missing-switch', hourKey: HOUR });

      expect(await harness.runtime.repos.runs.get('missing-switch', HOUR)).toMatchObject({
        status: 'SKIPPED',
        reason: 'kill_switch',
      });
    } finally {
      await harness.dispose();
    }
  });
});

describe('Cycle: React folds the outcome inbox in write order', () => {
  let harness: CycleHarness;

  beforeAll(async () => {
    harness = await createCycleHarness({ start: START });
  });

  afterAll(async () => {
    await harness.dispose();
  });

  it('folds a backdated outcome at the next React and counts a redelivered one once', async () => {
    // Prepare: a send result is written and folded by the 08:00 cycle.
    const { repos } = harness.runtime;
    await seedTenant(harness.runtime, 'inbox');
    const sentAt = new Date(new Date(START).getTime() - 60_000);
    const sentToAna = {
      kind: 'send_result' as const,
      email: 'ana@acme.example',
      contactId: 'c-1',
      status: 'sent' as const,
    };
    await repos.outcomes.append('inbox', 'send-ana', sentToAna, sentAt);
    harness.clock.advance({ minutes: 5 });
    await harness.executor().runCycle({ tenantId: 'inbox', hourKey: HOUR });

    // Act: SES feedback for an event an hour before that fold arrives, and the send result is
    // delivered again with its original event time; the 09:00 cycle folds.
    harness.clock.advance({ minutes: 25 });
    const backdatedAt = new Date(new Date(START).getTime() - 3_600_000);
    await repos.outcomes.append(
      'inbox',
      'send-ben-late',
      { kind: 'send_result', email: 'ben@acme.example', contactId: 'c-2', status: 'sent' },
      backdatedAt,
    );
    const redelivered = await repos.outcomes.append('inbox', 'send-ana', sentToAna, sentAt);
    harness.clock.advance({ minutes: 35 });
    const nextHour = hourKey(harness.clock.now());
    await harness.executor().runCycle({ tenantId: 'inbox', hourKey: nextHour });

    // Assess
    const first = await repos.runs.get('inbox', HOUR);
    const second = await repos.runs.get('inbox', nextHour);
    expect(redelivered).toBe(false);
    expect(first?.react).toMatchObject({ folded: 1, sendsByStatus: { sent: 1 } });
    expect(second?.status).toBe('SUCCEEDED');
    // The second fold also takes the first Plan's report of the not-contactable competitor.
    expect(second?.react).toMatchObject({ folded: 2, sendsByStatus: { sent: 1, suppressed: 1 } });
    expect((await repos.contacts.get('inbox', 'c-2'))?.lastTouchAt).toBe(backdatedAt.toISOString());
    expect((await repos.contacts.get('inbox', 'c-1'))?.lastTouchAt).toBe(sentAt.toISOString());
  });
});
