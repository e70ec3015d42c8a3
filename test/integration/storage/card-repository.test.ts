import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProposedAction } from '../../../shared/domain/actions.js';
import { CardRepository } from '../../../shared/storage/card-repository.js';
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
