import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProposedAction } from '../../../shared/domain/actions.js';
import { CardRepository, CardTransitionError } from '../../../shared/storage/card-repository.js';
import { createTestTable, type TestTable } from '../../helpers/local-table.js';

const RUN = { hourKey: '2026010509', runId: 'run-0509' };

function followUp(contactId: string): ProposedAction {
  return {
    type: 'follow_up',
    target: { contactId, email: `${contactId}@client.example` },
    reason: 'engagement window passed 2 day(s) ago',
    payload: { template: 'check_in' },
  };
}

describe('Storage: CardRepository', () => {
  let table: TestTable;
  let cards: CardRepository;

  beforeAll(async () => {
    table = await createTestTable();
    cards = new CardRepository({ doc: table.doc, tableName: table.tableName, clock: table.clock });
  });

  afterAll(async () => {
    await table.dispose();
  });

  it('creates a planned card whose id is derived from what it is about', async () => {
    // Act
    const created = await cards.create('create', RUN, 7, followUp('c-1'));

    // Assess
    expect(created).toBe(true);
    const [card] = await cards.listForRun('create', RUN.hourKey);
    expect(card).toEqual({
      ...followUp('c-1'),
      tenantId: 'create',
      cardId: 'follow_up:c-1:due',
      hourKey: RUN.hourKey,
      sequence: 7,
      runId: RUN.runId,
      status: 'planned',
      history: [{ status: 'planned', at: table.clock.now().toISOString() }],
      createdAt: table.clock.now().toISOString(),
      updatedAt: table.clock.now().toISOString(),
    });
    expect(card).not.toHaveProperty('pk');
    expect(card).not.toHaveProperty('ttl');
  });

  it("creates a plan's new cards in one batch, leaving those the run has and repeats untouched", async () => {
    await cards.create('batch', RUN, 0, followUp('c-kept'));
    const kept = (await cards.listForRun('batch', RUN.hourKey))[0];
    table.clock.advance({ minutes: 1 });
    table.requestCounts.clear();

    const created = await cards.createAll('batch', RUN, [
      followUp('c-new-1'),
      followUp('c-kept'),
      followUp('c-new-2'),
      followUp('c-new-1'),
    ]);

    expect(created).toBe(2);
    expect(table.requestCounts.get('QueryCommand')).toBe(1);
    expect(table.requestCounts.get('BatchWriteItemCommand')).toBe(1);
    expect(table.requestCounts.get('PutItemCommand')).toBeUndefined();
    const stored = await cards.listForRun('batch', RUN.hourKey);
    expect(stored.map((card) => [card.cardId, card.sequence])).toEqual([
      ['follow_up:c-kept:due', 0],
      ['follow_up:c-new-1:due', 0],
      ['follow_up:c-new-2:due', 2],
    ]);
    expect(stored[0]).toEqual(kept);
    expect(stored[2]).toMatchObject({ status: 'planned', runId: RUN.runId });
  });

  it('creates no second card when a retried plan proposes the same touch at another position', async () => {
    // Prepare: the first plan put c-original first; a retried plan saw a new order arrive first.
    await cards.create('retry', RUN, 0, followUp('c-original'));
    table.clock.advance({ minutes: 1 });

    // Act
    const shifted = await cards.create(
      'retry',
      { hourKey: RUN.hourKey, runId: 'run-retry' },
      1,
      followUp('c-original'),
    );
    const other = await cards.create(
      'retry',
      { hourKey: RUN.hourKey, runId: 'run-retry' },
      0,
      followUp('c-other'),
    );

    // Assess
    expect([shifted, other]).toEqual([false, true]);
    const stored = await cards.listForRun('retry', RUN.hourKey);
    expect(stored.map((card) => [card.cardId, card.runId])).toEqual([
      ['follow_up:c-original:due', RUN.runId],
      ['follow_up:c-other:due', 'run-retry'],
    ]);
  });

  it('moves a card planned → executing → done, recording history and details', async () => {
    // Prepare
    await cards.create('lifecycle', RUN, 1, followUp('c-1'));
    const [planned] = await cards.listForRun('lifecycle', RUN.hourKey);
    const plannedAt = table.clock.now().toISOString();

    // Act
    table.clock.advance({ seconds: 5 });
    const claimedAt = table.clock.now().toISOString();
    const executing = await cards.transition('lifecycle', planned!, 'planned', 'executing', {
      claimedBy: 'act-worker-1',
    });
    table.clock.advance({ seconds: 5 });
    const doneAt = table.clock.now().toISOString();
    const done = await cards.transition('lifecycle', executing, 'executing', 'done', {
      decision: { allowed: true, rule: 'follow_up_allowed' },
      result: { sendStatus: 'queued', messageId: 'msg-1' },
    });

    // Assess
    expect(executing).toMatchObject({ status: 'executing', claimedBy: 'act-worker-1' });
    expect(done).toMatchObject({
      status: 'done',
      claimedBy: 'act-worker-1',
      decision: { allowed: true, rule: 'follow_up_allowed' },
      result: { sendStatus: 'queued', messageId: 'msg-1' },
      createdAt: plannedAt,
      updatedAt: doneAt,
    });
    expect(done.history).toEqual([
      { status: 'planned', at: plannedAt },
      { status: 'executing', at: claimedAt },
      { status: 'done', at: doneAt },
    ]);
    const [stored] = await cards.listForRun('lifecycle', RUN.hourKey);
    expect(stored).toEqual(done);
  });

  it('blocks a planned card with the policy decision', async () => {
    await cards.create('blocked', RUN, 0, followUp('c-1'));

    const blocked = await cards.transition(
      'blocked',
      { hourKey: RUN.hourKey, cardId: 'follow_up:c-1:due' },
      'planned',
      'blocked',
      { decision: { allowed: false, rule: 'do_not_contact', violationType: 'do_not_contact' } },
    );

    expect(blocked.status).toBe('blocked');
    expect(blocked.decision).toEqual({
      allowed: false,
      rule: 'do_not_contact',
      violationType: 'do_not_contact',
    });
    expect(blocked.history.map((h) => h.status)).toEqual(['planned', 'blocked']);
  });

  it('refuses a transition from a state the card is not in, and leaves the card as it was', async () => {
    // Prepare
    await cards.create('wrong-state', RUN, 0, followUp('c-1'));
    const [before] = await cards.listForRun('wrong-state', RUN.hourKey);

    // Act
    const attempt = cards.transition('wrong-state', before!, 'executing', 'done', {
      result: { sendStatus: 'queued' },
    });

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(CardTransitionError);
    await expect(attempt).rejects.toMatchObject({
      code: 'CARD_TRANSITION_REFUSED',
      message: expect.stringContaining('Card follow_up:c-1:due cannot go executing → done'),
    });
    const [after] = await cards.listForRun('wrong-state', RUN.hourKey);
    expect(after).toEqual(before);
  });

  it('refuses to move a card that does not exist, without creating it', async () => {
    const attempt = cards.transition(
      'missing',
      { hourKey: RUN.hourKey, cardId: 'follow_up:c-9:due' },
      'planned',
      'executing',
    );

    await expect(attempt).rejects.toBeInstanceOf(CardTransitionError);
    expect(await cards.listForRun('missing', RUN.hourKey)).toEqual([]);
  });

  it.each([
    { case: 'done → executing', from: 'done' as const, to: 'executing' as const },
    { case: 'planned → done', from: 'planned' as const, to: 'done' as const },
    { case: 'failed → planned', from: 'failed' as const, to: 'planned' as const },
  ])('refuses the out-of-lifecycle transition $case without writing', async ({ from, to }) => {
    // Prepare
    const tenant = `invalid-${from}-${to}`;
    await cards.create(tenant, RUN, 0, followUp('c-1'));
    const [card] = await cards.listForRun(tenant, RUN.hourKey);
    const updatesBefore = table.requestCounts.get('UpdateItemCommand') ?? 0;

    // Act
    const attempt = cards.transition(tenant, card!, from, to);

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(CardTransitionError);
    await expect(attempt).rejects.toThrow(`cannot go ${from} → ${to}`);
    expect(table.requestCounts.get('UpdateItemCommand') ?? 0).toBe(updatesBefore);
    expect((await cards.listForRun(tenant, RUN.hourKey))[0]).toEqual(card);
    // The counter does see a transition that is sent.
    await cards.transition(tenant, card!, 'planned', 'executing');
    expect(table.requestCounts.get('UpdateItemCommand') ?? 0).toBe(updatesBefore + 1);
  });

  it('never moves a finished card again', async () => {
    await cards.create('finished', RUN, 0, followUp('c-1'));
    const [card] = await cards.listForRun('finished', RUN.hourKey);
    await cards.transition('finished', card!, 'planned', 'executing');
    await cards.transition('finished', card!, 'executing', 'failed');

    const retry = cards.transition('finished', card!, 'executing', 'done');

    await expect(retry).rejects.toBeInstanceOf(CardTransitionError);
    expect((await cards.listForRun('finished', RUN.hourKey))[0]?.status).toBe('failed');
  });

  it('lets exactly one of 20 concurrent claimants move a card to executing', async () => {
    // Prepare
    await cards.create('race', RUN, 0, followUp('c-1'));
    const [card] = await cards.listForRun('race', RUN.hourKey);
    const workers = Array.from({ length: 20 }, (_, i) => `worker-${i}`);

    // Act
    const results = await Promise.allSettled(
      workers.map((worker) =>
        cards.transition('race', card!, 'planned', 'executing', { claimedBy: worker }),
      ),
    );

    // Assess
    const winners = results.filter((r) => r.status === 'fulfilled');
    const losers = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(19);
    for (const loser of losers) {
      expect(loser.reason).toBeInstanceOf(CardTransitionError);
      expect((loser.reason as Error).message).toContain('cannot go planned → executing');
    }
    const [stored] = await cards.listForRun('race', RUN.hourKey);
    const winner = (winners[0] as PromiseFulfilledResult<{ claimedBy?: string }>).value;
    expect(stored?.claimedBy).toBe(winner.claimedBy);
    expect(stored?.history.map((h) => h.status)).toEqual(['planned', 'executing']);
  });

  it('lists only the run’s own cards, in sequence order', async () => {
    // Prepare
    for (const sequence of [10, 2, 0, 1]) {
      await cards.create('listing', RUN, sequence, followUp(`c-${sequence}`));
    }
    await cards.create('listing', { hourKey: '2026010508', runId: 'run-0508' }, 0, followUp('c-x'));
    await cards.create('listing', { hourKey: '2026010510', runId: 'run-0510' }, 0, followUp('c-y'));
    await cards.create('listing-other', RUN, 5, followUp('c-z'));

    // Act
    const listed = await cards.listForRun('listing', RUN.hourKey);

    // Assess
    expect(listed.map((c) => c.sequence)).toEqual([0, 1, 2, 10]);
    expect(new Set(listed.map((c) => c.runId))).toEqual(new Set([RUN.runId]));
    expect(listed.every((c) => c.tenantId === 'listing')).toBe(true);
  });

  it('lists a run with more cards than one query page returns', async () => {
    const count = 60;
    for (let sequence = 0; sequence < count; sequence += 1) {
      const big = { ...followUp(`c-${sequence}`), payload: { note: 'x'.repeat(20_000) } };
      await cards.create('paged', RUN, sequence, big);
    }

    const queriesBefore = table.requestCounts.get('QueryCommand') ?? 0;

    const listed = await cards.listForRun('paged', RUN.hourKey);

    expect((table.requestCounts.get('QueryCommand') ?? 0) - queriesBefore).toBeGreaterThan(1);
    expect(listed.map((c) => c.sequence)).toEqual(Array.from({ length: count }, (_, i) => i));
  });
});
