import { GetCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { decodeTime } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../shared/clock.js';
import type { Outcome } from '../../../shared/domain/outcomes.js';
import { keys } from '../../../shared/storage/keys.js';
import {
  OUTCOME_FOLD_LAG_MS,
  OutcomeRepository,
} from '../../../shared/storage/outcome-repository.js';
import { createTestTable, type TestTable } from '../../helpers/local-table.js';

const MINUTE = 60_000;

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

  /** The instant `minutes` from the shared virtual clock's current time. */
  function fromNow(minutes: number): Date {
    return new Date(table.clock.now().getTime() + minutes * MINUTE);
  }

  /** Moves the clock by the fold lag, so everything written so far is foldable at the new now. */
  function afterLag(): Date {
    table.clock.advance({ ms: OUTCOME_FOLD_LAG_MS });
    return table.clock.now();
  }

  /** What a React at `now` folds: the pending outcomes' ids, with the cursor then committed. */
  async function fold(tenantId: string, now: Date): Promise<string[]> {
    const { outcomes: pending, position } = await outcomes.pending(tenantId, now);
    if (position) await outcomes.commit(tenantId, position);
    return pending.map((outcome) => outcome.outcomeId);
  }

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

  it('stores an outcome once per id, whatever the event time or content of a later append', async () => {
    // Prepare
    const eventAt = fromNow(-5);
    const writtenAt = table.clock.now();

    // Act
    const first = await outcomes.append('dedupe', 'send-1', sentTo('c-1'), eventAt);
    const again = await outcomes.append('dedupe', 'send-1', sentTo('c-other'), eventAt);
    table.clock.advance({ minutes: 1 });
    const later = await outcomes.append('dedupe', 'send-1', sentTo('c-1'), fromNow(0));

    // Assess
    expect([first, again, later]).toEqual([true, false, false]);
    const { outcomes: pending } = await outcomes.pending('dedupe', afterLag());
    expect(pending).toEqual([
      {
        ...sentTo('c-1'),
        outcomeId: 'send-1',
        at: eventAt.toISOString(),
        writtenAt: writtenAt.toISOString(),
      },
    ]);
  });

  it('stores one item per append under OUTCOME#<outcomeId>, indexed by the write ULID', async () => {
    const writtenAt = table.clock.now();
    await outcomes.append('layout', 'send-9', sentTo('c-9'), fromNow(-60));

    const { Item } = await table.doc.send(
      new GetCommand({ TableName: table.tableName, Key: keys.outcome('layout', 'send-9') }),
    );

    expect(Item).toMatchObject({
      pk: 'TENANT#layout',
      sk: 'OUTCOME#send-9',
      gsi1pk: 'TENANT#layout#OUTCOMES',
    });
    expect(decodeTime(String(Item?.['gsi1sk']))).toBe(writtenAt.getTime());
    expect(table.requestCounts.get('TransactWriteItemsCommand')).toBeUndefined();
  });

  it('stamps the event and write time with the clock when no time is given', async () => {
    const now = table.clock.now().toISOString();
    await outcomes.append('clock-stamp', 'o-1', sentTo('c-1'));

    const { outcomes: pending } = await outcomes.pending('clock-stamp', afterLag());

    expect(pending.map((o) => [o.at, o.writtenAt])).toEqual([[now, now]]);
  });

  it('returns pending outcomes in write order whatever their event times, with the position to commit', async () => {
    // Prepare
    await outcomes.append('window', 'future-event', sentTo('c-3'), fromNow(30));
    table.clock.advance({ seconds: 1 });
    await outcomes.append('window', 'old-event', sentTo('c-2'), fromNow(-600));
    await outcomes.append('window', 'same-ms', sentTo('c-1'), fromNow(-900));
    table.clock.advance({ seconds: 1 });
    const lastWrittenAt = table.clock.now();
    await outcomes.append('window', 'last', sentTo('c-0'), fromNow(0));

    // Act
    const result = await outcomes.pending('window', afterLag());

    // Assess
    expect(result.outcomes.map((o) => o.outcomeId)).toEqual([
      'future-event',
      'old-event',
      'same-ms',
      'last',
    ]);
    expect(decodeTime(result.position!)).toBe(lastWrittenAt.getTime());
  });

  it('returns nothing and no position when the inbox is empty', async () => {
    expect(await outcomes.pending('empty', afterLag())).toEqual({ outcomes: [] });
  });

  it('returns only outcomes written after the committed position', async () => {
    // Prepare
    await outcomes.append('drain', 'o-1', sentTo('c-1'), fromNow(0));
    await outcomes.append('drain', 'o-2', sentTo('c-2'), fromNow(0));
    const firstBatch = await outcomes.pending('drain', afterLag());
    await outcomes.append('drain', 'o-3', sentTo('c-3'), fromNow(0));

    // Act
    await outcomes.commit('drain', firstBatch.position!);
    const next = await outcomes.pending('drain', afterLag());

    // Assess
    expect(firstBatch.outcomes.map((o) => o.outcomeId)).toEqual(['o-1', 'o-2']);
    expect(next.outcomes.map((o) => o.outcomeId)).toEqual(['o-3']);
  });

  it('folds a backdated outcome, whose event time is before the last fold, at the next fold', async () => {
    // Prepare: a fold has run; then an outcome arrives whose event happened an hour earlier.
    await outcomes.append('backdated', 'on-time', sentTo('c-1'), fromNow(0));
    const firstFold = await fold('backdated', afterLag());
    const eventAt = fromNow(-60);
    await outcomes.append('backdated', 'ses-feedback', sentTo('c-2'), eventAt);

    // Act
    const { outcomes: next } = await outcomes.pending('backdated', afterLag());

    // Assess
    expect(firstFold).toEqual(['on-time']);
    expect(next.map((o) => [o.outcomeId, o.at])).toEqual([['ses-feedback', eventAt.toISOString()]]);
  });

  it('folds a redelivered outcome exactly once, however late the redelivery', async () => {
    // Prepare
    const eventAt = fromNow(0);
    await outcomes.append('redelivered', 'send-1', sentTo('c-1'), eventAt);
    const firstFold = await fold('redelivered', afterLag());
    table.clock.advance({ hours: 6 });

    // Act: the same send result delivered again, with its original event time.
    const appended = await outcomes.append('redelivered', 'send-1', sentTo('c-1'), eventAt);
    await outcomes.append('redelivered', 'send-2', sentTo('c-2'), fromNow(0));
    const secondFold = await fold('redelivered', afterLag());

    // Assess
    expect(appended).toBe(false);
    expect(firstFold).toEqual(['send-1']);
    expect(secondFold).toEqual(['send-2']);
  });

  it('leaves an outcome written within the lag for the following fold, never skipping it', async () => {
    // Prepare
    await outcomes.append('lag', 'settled', sentTo('c-1'), fromNow(0));
    table.clock.advance({ ms: OUTCOME_FOLD_LAG_MS - 1_000 });
    await outcomes.append('lag', 'in-lag', sentTo('c-2'), fromNow(-30));
    table.clock.advance({ seconds: 1 });

    // Act
    const first = await fold('lag', table.clock.now());
    const second = await fold('lag', afterLag());

    // Assess
    expect(first).toEqual(['settled']);
    expect(second).toEqual(['in-lag']);
  });

  /** A writer whose put lands `delayMs` after it stamped its write time (slow put, index lag). */
  function slowWriter(delayMs: number): OutcomeRepository {
    return new OutcomeRepository({
      doc: table.doc,
      tableName: table.tableName,
      clock: new VirtualClock(table.clock.now().getTime() - delayMs),
    });
  }

  it('still folds an outcome that became visible up to the lag after its writer stamped it', async () => {
    // Prepare: a write lands now; a fold runs a minute later.
    await outcomes.append('slow-put', 'fast', sentTo('c-1'), fromNow(0));
    table.clock.advance({ minutes: 1 });
    const first = await fold('slow-put', table.clock.now());

    // Act: a write stamped 90 s ago (before `fast`) lands only now, after that fold.
    await slowWriter(90_000).append('slow-put', 'late-visible', sentTo('c-2'), fromNow(-5));
    const second = await fold('slow-put', afterLag());

    // Assess
    expect(first).toEqual([]);
    expect(second).toEqual(['late-visible', 'fast']);
  });

  it('folds every outcome written in one millisecond, in append order', async () => {
    for (const id of ['m-3', 'm-1', 'm-2']) await outcomes.append('same-ms', id, sentTo(id));

    expect(await fold('same-ms', afterLag())).toEqual(['m-3', 'm-1', 'm-2']);
  });

  it('only moves the cursor forward: committing an older position leaves it', async () => {
    // Prepare
    await outcomes.append('forward', 'o-1', sentTo('c-1'), fromNow(0));
    const older = (await outcomes.pending('forward', afterLag())).position!;
    await outcomes.append('forward', 'o-2', sentTo('c-2'), fromNow(0));
    const newer = (await outcomes.pending('forward', afterLag())).position!;
    await outcomes.append('forward', 'o-3', sentTo('c-3'), fromNow(0));
    await outcomes.commit('forward', newer);

    // Act
    await expect(outcomes.commit('forward', older)).resolves.toBeUndefined();
    await outcomes.commit('forward', newer);

    // Assess
    const next = await outcomes.pending('forward', afterLag());
    expect(next.outcomes.map((o) => o.outcomeId)).toEqual(['o-3']);
  });

  it('returns nothing for a fold whose boundary lies before the committed cursor', async () => {
    await outcomes.append('behind', 'o-1', sentTo('c-1'), fromNow(0));
    const before = fromNow(0);
    await fold('behind', afterLag());

    expect(await outcomes.pending('behind', before)).toEqual({ outcomes: [] });
  });

  it('keeps each tenant’s inbox and cursor apart', async () => {
    // Prepare
    await outcomes.append('tenant-a', 'shared-id', sentTo('c-a'), fromNow(0));
    await outcomes.append('tenant-b', 'shared-id', sentTo('c-b'), fromNow(0));
    const now = afterLag();
    const a = await outcomes.pending('tenant-a', now);

    // Act
    await outcomes.commit('tenant-a', a.position!);

    // Assess
    expect(a.outcomes.map((o) => (o.kind === 'send_result' ? o.contactId : ''))).toEqual(['c-a']);
    expect((await outcomes.pending('tenant-a', now)).outcomes).toEqual([]);
    const b = await outcomes.pending('tenant-b', now);
    expect(b.outcomes.map((o) => (o.kind === 'send_result' ? o.contactId : ''))).toEqual(['c-b']);
  });

  it('reads outcomes across more than one query page', async () => {
    const padding = 'x'.repeat(20_000);
    const count = 70;
    for (let i = 0; i < count; i += 1) {
      table.clock.advance({ ms: 10 });
      await outcomes.append(
        'paged',
        `o-${String(i).padStart(3, '0')}`,
        { kind: 'order_update', orderId: `ord-${i}`, status: padding },
        fromNow(-i),
      );
    }
    const lastWrittenAt = table.clock.now();
    const queriesBefore = table.requestCounts.get('QueryCommand') ?? 0;

    const { outcomes: pending, position } = await outcomes.pending('paged', afterLag());

    expect((table.requestCounts.get('QueryCommand') ?? 0) - queriesBefore).toBeGreaterThan(1);
    expect(pending.map((o) => o.outcomeId)).toEqual(
      Array.from({ length: count }, (_, i) => `o-${String(i).padStart(3, '0')}`),
    );
    expect(decodeTime(position!)).toBe(lastWrittenAt.getTime());
  });

  it('lists outcomes by event time, oldest first, including ones written long after their event', async () => {
    // Prepare
    const start = fromNow(0);
    await outcomes.append('report', 'before-start', sentTo('c-0'), fromNow(-1));
    await outcomes.append('report', 'b', sentTo('c-2'), fromNow(20));
    await outcomes.append('report', 'a', sentTo('c-1'), fromNow(20));
    await outcomes.append('report', 'first', sentTo('c-3'), fromNow(5));
    table.clock.advance({ days: 3 });
    await outcomes.append(
      'report',
      'redriven',
      sentTo('c-4'),
      new Date(start.getTime() + 10 * MINUTE),
    );
    await outcomes.append('report', 'after-end', sentTo('c-5'), fromNow(0));
    await fold('report', afterLag());

    // Act
    const listed = await outcomes.listBetween(
      'report',
      start,
      new Date(start.getTime() + 20 * MINUTE),
    );

    // Assess
    expect(listed.map((o) => o.outcomeId)).toEqual(['first', 'redriven', 'a', 'b']);
  });

  it('refuses an outcome id that could break the sort key', async () => {
    await expect(outcomes.append('bad-id', 'a#b', sentTo('c-1'))).rejects.toMatchObject({
      name: 'ValidationError',
      field: 'outcomeId',
    });
  });

  it('refuses to commit a position that is not a write ULID', async () => {
    await expect(outcomes.commit('bad-position', 'OUTCOME#2026-01-05')).rejects.toMatchObject({
      name: 'ValidationError',
      field: 'position',
    });
  });

  it('folds every distinct outcome id exactly once over any interleaving of appends, late-landing writes and folds', async () => {
    type Step =
      | {
          kind: 'append';
          id: number;
          eventOffsetMinutes: number;
          advanceMs: number;
          landsAfterMs: number;
        }
      | { kind: 'fold'; advanceMs: number };
    const step: fc.Arbitrary<Step> = fc.oneof(
      {
        weight: 3,
        arbitrary: fc.record({
          kind: fc.constant('append' as const),
          id: fc.nat(12),
          eventOffsetMinutes: fc.integer({ min: -3 * 24 * 60, max: 5 }),
          advanceMs: fc.oneof(fc.constant(0), fc.nat(3 * OUTCOME_FOLD_LAG_MS)),
          landsAfterMs: fc.oneof(fc.constant(0), fc.nat(OUTCOME_FOLD_LAG_MS - 1)),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('fold' as const),
          advanceMs: fc.oneof(fc.constant(0), fc.nat(3 * OUTCOME_FOLD_LAG_MS)),
        }),
      },
    );
    let run = 0;

    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), async (steps) => {
        run += 1;
        const tenantId = `prop-${run}`;
        const appended = new Set<string>();
        const folded: string[] = [];
        for (const next of steps) {
          table.clock.advance({ ms: next.advanceMs });
          if (next.kind === 'append') {
            const id = `o-${next.id}`;
            const writer = next.landsAfterMs > 0 ? slowWriter(next.landsAfterMs) : outcomes;
            await writer.append(tenantId, id, sentTo(id), fromNow(next.eventOffsetMinutes));
            appended.add(id);
          } else {
            folded.push(...(await fold(tenantId, table.clock.now())));
          }
        }
        folded.push(...(await fold(tenantId, afterLag())));

        expect([...folded].sort()).toEqual([...appended].sort());
      }),
      { numRuns: 40 },
    );
  });
});
