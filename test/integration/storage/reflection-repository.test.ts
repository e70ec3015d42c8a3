import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReflectionBody } from '../../../shared/domain/reflection.js';
import { ReflectionRepository } from '../../../shared/storage/reflection-repository.js';
import { createTestTable, type TestTable } from '../../helpers/local-table.js';

function body(contacts: number): ReflectionBody {
  return {
    metrics: {
      contacts,
      overdueContacts: 1,
      complianceRate: 0.9,
      actionsPlanned: 2,
      actionsExecuted: 1,
      actionsBlocked: 1,
      actionsDeferred: 0,
      actionsFailed: 0,
      outcomesFolded: 3,
    },
    deltas: { contacts: 1 },
    blockedBy: { do_not_contact: 1 },
    changes: ['contacts rose by 1'],
    hints: [
      {
        code: 'avoid_contact',
        detail: 'outreach to c-1 was blocked by do_not_contact',
        contactId: 'c-1',
        violationType: 'do_not_contact',
        until: '2026-01-06T09:00:00.000Z',
      },
    ],
    pendingRequests: [{ contactId: 'c-2', messageId: 'm-1', text: 'call me' }],
  };
}

describe('Storage: ReflectionRepository', () => {
  let table: TestTable;
  let reflections: ReflectionRepository;

  beforeAll(async () => {
    table = await createTestTable();
    reflections = new ReflectionRepository({
      doc: table.doc,
      tableName: table.tableName,
      clock: table.clock,
    });
    for (const [hourKey, contacts] of [
      ['2026010422', 22],
      ['2026010423', 23],
      ['2026010502', 2],
      ['2026010509', 9],
    ] as const) {
      await reflections.put('history', hourKey, `run-${hourKey}`, body(contacts));
    }
    await reflections.put('other-tenant', '2026010508', 'run-x', body(99));
  });

  afterAll(async () => {
    await table.dispose();
  });

  it('stores the whole reflection and gives it back', async () => {
    const written = await reflections.put('roundtrip', '2026010509', 'run-1', body(5));

    const read = await reflections.latestBefore('roundtrip', '2026010510');

    expect(written).toEqual({
      ...body(5),
      tenantId: 'roundtrip',
      hourKey: '2026010509',
      runId: 'run-1',
      createdAt: table.clock.now().toISOString(),
    });
    expect(read).toEqual(written);
  });

  it.each([
    { case: 'an hour with its own reflection', before: '2026010509', expected: '2026010502' },
    { case: 'the hour after the latest', before: '2026010510', expected: '2026010509' },
    { case: 'a gap of several hours', before: '2026010508', expected: '2026010502' },
    { case: 'across midnight', before: '2026010501', expected: '2026010423' },
    { case: 'the first hour of a day', before: '2026010500', expected: '2026010423' },
    { case: 'the hour right after one', before: '2026010423', expected: '2026010422' },
    { case: 'a week later', before: '2026011209', expected: '2026010509' },
  ])('returns the newest reflection strictly before $case', async ({ before, expected }) => {
    const reflection = await reflections.latestBefore('history', before);

    expect(reflection?.hourKey).toBe(expected);
    expect(reflection?.runId).toBe(`run-${expected}`);
  });

  it.each([
    { case: 'the earliest hour', before: '2026010422' },
    { case: 'an hour before any', before: '2025123123' },
  ])('returns undefined before $case', async ({ before }) => {
    expect(await reflections.latestBefore('history', before)).toBeUndefined();
  });

  it('returns undefined for a tenant with no reflections, even when others have some', async () => {
    expect(await reflections.latestBefore('nobody', '2026010509')).toBeUndefined();
  });

  it('keeps one reflection per tenant-hour, a retry overwriting it', async () => {
    await reflections.put('retry', '2026010509', 'run-1', body(1));
    await reflections.put('retry', '2026010509', 'run-1', body(2));

    const latest = await reflections.latestBefore('retry', '2026010510');

    expect(latest?.metrics.contacts).toBe(2);
    expect(await reflections.latestBefore('retry', '2026010509')).toBeUndefined();
  });
});
