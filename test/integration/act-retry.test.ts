import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hourKey } from '../../shared/clock.js';
import { act } from '../../shared/cycle/act-step.js';
import { parseCycleState } from '../../shared/cycle/state.js';
import type { CycleRepositories, CycleRuntime } from '../../shared/cycle/runtime.js';
import { createCycleHarness, type CycleHarness } from '../helpers/cycle-harness.js';
import { ACME_ACCOUNT, seedAccountsAndContacts, seedNewOrder } from '../helpers/cycle-seed.js';

const START = '2026-01-05T08:00:00.000Z';
const HOUR = hourKey(new Date(START));

/**
 * A tenant whose cycle plans an order validation, two follow-ups and a follow-up the policy
 * blocks (its account is in an excluded industry).
 */
async function seedTenant(runtime: CycleRuntime, tenantId: string): Promise<void> {
  const { repos } = runtime;
  await repos.tenants.put(tenantId, {
    name: tenantId,
    agentEnabled: true,
    doNotContact: { excludedIndustries: ['gambling'] },
  });
  await seedAccountsAndContacts(
    repos,
    tenantId,
    START,
    [
      ACME_ACCOUNT,
      {
        accountId: 'acc-2',
        name: 'Lucky Dice',
        status: 'active',
        industry: 'gambling',
        creditLimit: 10_000,
        outstandingBalance: 0,
      },
    ],
    [
      ['c-1', 'ana@acme.example', 30, 'acc-1'],
      ['c-2', 'ben@acme.example', 40, 'acc-1'],
      ['c-3', 'cy@dice.example', 50, 'acc-2'],
    ],
  );
  await seedNewOrder(repos, tenantId, START);
}

/**
 * A Lambda's death at one point: `die` stands in for the call where it dies (it never returns,
 * so the attempt goes no further) and settles `dead` with the error Step Functions sees, one it
 * retries.
 */
function deathOf(where: string): { dead: Promise<Error>; die: () => Promise<never> } {
  let settle!: (error: Error) => void;
  const dead = new Promise<Error>((resolve) => (settle = resolve));
  return {
    dead,
    die: () => {
      const error = new Error(`Lambda died ${where}`);
      error.name = 'TransientError';
      settle(error);
      return new Promise<never>(() => undefined);
    },
  };
}

/** The runtime with one repository replaced by `override` (its other methods unchanged). */
function withRepository<K extends keyof CycleRepositories>(
  runtime: CycleRuntime,
  name: K,
  override: Partial<CycleRepositories[K]>,
): CycleRuntime {
  const repository = Object.assign(Object.create(runtime.repos[name]) as object, override);
  return { ...runtime, repos: { ...runtime.repos, [name]: repository } };
}

describe('Cycle: a retried Act', () => {
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

  /**
   * Runs a cycle whose first Act attempt runs on `crashing` and dies once `died` settles (the
   * Lambda is gone: that attempt never continues); later attempts are normal.
   */
  async function runWithCrashingAct(
    tenantId: string,
    crashing: CycleRuntime,
    dead: Promise<Error>,
  ) {
    let attempts = 0;
    const executor = harness.executor({
      taskOverrides: {
        Act: async (input) => {
          attempts += 1;
          if (attempts > 1) return act(harness.runtime, parseCycleState(input));
          void act(crashing, parseCycleState(input));
          const error = await dead;
          // Step Functions retries after its backoff.
          harness.clock.advance({ seconds: 30 });
          throw error;
        },
      },
    });
    const result = await executor.runCycle({ tenantId, hourKey: HOUR });
    return { result, attempts };
  }

  it('enqueues each touch once, audits the blocked card once and finishes every card when Act dies before writing its cards', async () => {
    // Prepare
    await seedTenant(harness.runtime, 'before-batch');
    const { dead, die } = deathOf('after every effect, before the card batch');
    const crashing = withRepository(harness.runtime, 'cards', { finishAll: die });

    // Act
    const { result, attempts } = await runWithCrashingAct('before-batch', crashing, dead);

    // Assess
    const { repos } = harness.runtime;
    expect(result.status).toBe('SUCCEEDED');
    expect(attempts).toBe(2);
    const cards = await repos.cards.listForRun('before-batch', HOUR);
    expect(
      cards.map((card) => [card.cardId.split(':')[0], card.target.contactId, card.status]),
    ).toEqual([
      ['validate_order', undefined, 'done'],
      ['follow_up', 'c-3', 'blocked'],
      ['follow_up', 'c-2', 'done'],
      ['follow_up', 'c-1', 'done'],
    ]);
    for (const card of cards) {
      expect(card.claimedBy).toBe(`before-batch-${HOUR}`);
      expect(card.history.map((entry) => entry.status)).toEqual([
        'planned',
        'executing',
        card.status,
      ]);
    }
    expect(await harness.sendQueueDepth()).toBe(2);
    const audits = await repos.audits.listSince('before-batch', new Date(0));
    expect(audits.map((audit) => [audit.type, audit.target['contactId']])).toEqual([
      ['do_not_contact', 'c-3'],
    ]);
    expect((await repos.orders.get('before-batch', 'o-1'))?.status).toBe('ready');
    expect((await repos.runs.get('before-batch', HOUR))?.counts).toMatchObject({
      actionsExecuted: 3,
      actionsBlocked: 1,
    });
  });

  it('does not enqueue a touch again when Act dies right after marking it pending', async () => {
    // Prepare
    await seedTenant(harness.runtime, 'after-marker');
    const real = harness.runtime.repos.contacts;
    const { dead, die } = deathOf('right after the first pending-send marker');
    const crashing = withRepository(harness.runtime, 'contacts', {
      markPendingSend: async (...args: Parameters<typeof real.markPendingSend>) => {
        await real.markPendingSend(...args);
        return die();
      },
    });

    // Act
    const { result, attempts } = await runWithCrashingAct('after-marker', crashing, dead);

    // Assess
    const { repos } = harness.runtime;
    expect(result.status).toBe('SUCCEEDED');
    expect(attempts).toBe(2);
    expect(await harness.sendQueueDepth()).toBe(2);
    const cards = await repos.cards.listForRun('after-marker', HOUR);
    const followUps = cards.filter((card) => card.status === 'done' && card.type === 'follow_up');
    expect(followUps.map((card) => card.result?.['queued'])).toEqual([true, true]);
    expect(followUps.filter((card) => card.result?.['alreadyQueued'] === true)).toHaveLength(1);
    for (const contactId of ['c-1', 'c-2'])
      expect((await repos.contacts.get('after-marker', contactId))?.pendingSend).toMatchObject({
        touchKey: expect.stringContaining(`follow_up:${contactId}:`),
      });
  });
});
