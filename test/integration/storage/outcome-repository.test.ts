import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Outcome } from '../../../shared/domain/outcomes.js';
import { OutcomeRepository } from '../../../shared/storage/outcome-repository.js';
import { createTestTable, type TestTable } from '../../helpers/local-table.js';

const T0 = Date.parse('2026-01-05T09:00:00.000Z');

function minute(n: number): Date {
  return new Date(T0 + n * 60_000);
}

function sentTo(contactId: string): Outcome {
  return {
    kind: 'send_result',
    email: `${contactId}@client.example`,
    contactId,
    status: 'sent',
  };
}

describe('Storage: OutcomeRepository', () => {
  let table: TestTable;
  let outcomes: OutcomeRepository;

  beforeAll(async () => {
    table = await createTestTable();
    outcomes = new OutcomeRepository({
      doc: table.doc,
      tableName: table.tableName,
      clock: table.clock,
    });
  });

  afterAll(async () => {
    await table.dispose();
  });

  it('stores an outcome with its id and time, once per id and instant', async () => {
    // Act
    const first = await outcomes.append('dedupe', 'send-1', sentTo('c-1'), minute(1));
    const again = await outcomes.append('dedupe', 'send-1', sentTo('c-other'), minute(1));
    const later = await outcomes.append('dedupe', 'send-1', sentTo('c-1'), minute(2));

    // Assess
    expect([first, again, later]).toEqual([true, false, true]);
    const { outcomes: pending } = await outcomes.pending('dedupe', minute(10));
    expect(pending).toEqual([
      { ...sentTo('c-1'), outcomeId: 'send-1', at: minute(1).toISOString() },
      { ...sentTo('c-1'), outcomeId: 'send-1', at: minute(2).toISOString() },
    ]);
  });

  it('stamps an outcome with the clock when no time is given', async () => {
    await outcomes.append('clock-stamp', 'o-1', sentTo('c-1'));

    const { outcomes: pending } = await outcomes.pending('clock-stamp', table.clock.now());

    expect(pending.map((o) => o.at)).toEqual([table.clock.now().toISOString()]);
  });

  it('returns pending outcomes oldest first up to and including `until`, with the position to commit', async () => {
    // Prepare
    await outcomes.append('window', 'late', sentTo('c-3'), minute(30));
    await outcomes.append('window', 'b', sentTo('c-2'), minute(5));
    await outcomes.append('window', 'a', sentTo('c-1'), minute(5));
    await outcomes.append('window', 'first', sentTo('c-0'), minute(1));
    await outcomes.append('window', 'edge', sentTo('c-4'), minute(20));

    // Act
    const result = await outcomes.pending('window', minute(20));

    // Assess
    expect(result.outcomes.map((o) => o.outcomeId)).toEqual(['first', 'a', 'b', 'edge']);
    expect(result.position).toBe(`OUTCOME#${minute(20).toISOString()}#edge`);
  });

  it('returns nothing and no position when the inbox is empty', async () => {
    expect(await outcomes.pending('empty', minute(60))).toEqual({ outcomes: [] });
  });

  it('returns only outcomes newer than the committed position', async () => {
    // Prepare
    await outcomes.append('drain', 'o-1', sentTo('c-1'), minute(1));
    await outcomes.append('drain', 'o-2', sentTo('c-2'), minute(2));
    const firstBatch = await outcomes.pending('drain', minute(2));
    await outcomes.append('drain', 'o-3', sentTo('c-3'), minute(3));

    // Act
    await outcomes.commit('drain', firstBatch.position!);
    const next = await outcomes.pending('drain', minute(10));

    // Assess
    expect(firstBatch.outcomes.map((o) => o.outcomeId)).toEqual(['o-1', 'o-2']);
    expect(next.outcomes.map((o) => o.outcomeId)).toEqual(['o-3']);
    expect(next.position).toBe(`OUTCOME#${minute(3).toISOString()}#o-3`);
  });

  it('still returns an outcome that shares the committed instant but sorts after it', async () => {
    await outcomes.append('same-instant', 'a', sentTo('c-1'), minute(1));
    const { position } = await outcomes.pending('same-instant', minute(1));
    await outcomes.commit('same-instant', position!);
    await outcomes.append('same-instant', 'b', sentTo('c-2'), minute(1));

    const next = await outcomes.pending('same-instant', minute(1));

    expect(next.outcomes.map((o) => o.outcomeId)).toEqual(['b']);
  });

  it('only moves the cursor forward: committing an older position leaves it', async () => {
    // Prepare
    await outcomes.append('forward', 'o-1', sentTo('c-1'), minute(1));
    const older = (await outcomes.pending('forward', minute(1))).position!;
    await outcomes.append('forward', 'o-2', sentTo('c-2'), minute(2));
    const newer = (await outcomes.pending('forward', minute(2))).position!;
    await outcomes.append('forward', 'o-3', sentTo('c-3'), minute(3));
    await outcomes.commit('forward', newer);

    // Act
    await expect(outcomes.commit('forward', older)).resolves.toBeUndefined();
    await outcomes.commit('forward', newer);

    // Assess
    const next = await outcomes.pending('forward', minute(10));
    expect(next.outcomes.map((o) => o.outcomeId)).toEqual(['o-3']);
  });

  it('keeps each tenant’s inbox and cursor apart', async () => {
    // Prepare
    await outcomes.append('tenant-a', 'shared-id', sentTo('c-a'), minute(1));
    await outcomes.append('tenant-b', 'shared-id', sentTo('c-b'), minute(1));
    const a = await outcomes.pending('tenant-a', minute(1));

    // Act
    await outcomes.commit('tenant-a', a.position!);

    // Assess
    expect(a.outcomes.map((o) => (o.kind === 'send_result' ? o.contactId : ''))).toEqual(['c-a']);
    expect((await outcomes.pending('tenant-a', minute(1))).outcomes).toEqual([]);
    const b = await outcomes.pending('tenant-b', minute(1));
    expect(b.outcomes.map((o) => (o.kind === 'send_result' ? o.contactId : ''))).toEqual(['c-b']);
  });

  it('reads outcomes across more than one query page', async () => {
    const padding = 'x'.repeat(20_000);
    const count = 70;
    for (let i = 0; i < count; i += 1) {
      await outcomes.append(
        'paged',
        `o-${String(i).padStart(3, '0')}`,
        { kind: 'order_update', orderId: `ord-${i}`, status: padding },
        minute(i),
      );
    }

    const queriesBefore = table.requestCounts.get('QueryCommand') ?? 0;

    const { outcomes: pending, position } = await outcomes.pending('paged', minute(count));

    expect((table.requestCounts.get('QueryCommand') ?? 0) - queriesBefore).toBeGreaterThan(1);
    expect(pending).toHaveLength(count);
    expect(position).toBe(`OUTCOME#${minute(count - 1).toISOString()}#o-069`);
  });

  it('refuses an outcome id that could break the sort key', async () => {
    await expect(outcomes.append('bad-id', 'a#b', sentTo('c-1'), minute(1))).rejects.toMatchObject({
      name: 'ValidationError',
      field: 'outcomeId',
    });
  });
});
