import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditRepository, type AuditRecord } from '../../../shared/storage/audit-repository.js';
import { createTestTable, type TestTable } from '../../helpers/local-table.js';

const T0 = Date.parse('2026-01-05T09:00:00.000Z');

function minute(n: number): Date {
  return new Date(T0 + n * 60_000);
}

function violation(auditId: string, minutes: number, reason = 'contact opted out'): AuditRecord {
  return {
    auditId,
    kind: 'policy_violation',
    type: 'do_not_contact',
    actionType: 'follow_up',
    reason,
    rule: 'do_not_contact',
    runId: 'run-1',
    at: minute(minutes).toISOString(),
    target: { contactId: 'c-1', email: 'c-1@client.example' },
    cardId: `2026010509-${String(minutes).padStart(4, '0')}`,
  };
}

describe('Storage: AuditRepository', () => {
  let table: TestTable;
  let audits: AuditRepository;

  beforeAll(async () => {
    table = await createTestTable();
    audits = new AuditRepository({
      doc: table.doc,
      tableName: table.tableName,
      clock: table.clock,
    });
    for (const [id, minutes] of [
      ['a-3', 20],
      ['a-1', 5],
      ['a-4', 30],
      ['a-2', 10],
    ] as const) {
      await audits.append('timeline', violation(id, minutes));
    }
  });

  afterAll(async () => {
    await table.dispose();
  });

  it('stores a record and reads it back', async () => {
    const record = violation('a-1', 1);

    await audits.append('roundtrip', record);

    const [stored] = await audits.listSince('roundtrip', minute(0));
    expect(stored).toMatchObject(record);
    expect(stored).not.toHaveProperty('pk');
    expect(stored).not.toHaveProperty('ttl');
  });

  it('keeps the first record when the same id at the same instant is appended again', async () => {
    // Act
    await audits.append('dedupe', violation('a-1', 1, 'first'));
    await expect(audits.append('dedupe', violation('a-1', 1, 'second'))).resolves.toBeUndefined();
    await audits.append('dedupe', violation('a-1', 2, 'later'));

    // Assess
    const records = await audits.listSince('dedupe', minute(0));
    expect(records.map((r) => [r.at, r.reason])).toEqual([
      [minute(1).toISOString(), 'first'],
      [minute(2).toISOString(), 'later'],
    ]);
  });

  it.each([
    { case: 'before every record', since: 0, expected: ['a-1', 'a-2', 'a-3', 'a-4'] },
    { case: 'exactly at a record', since: 10, expected: ['a-2', 'a-3', 'a-4'] },
    { case: 'between records', since: 11, expected: ['a-3', 'a-4'] },
    { case: 'after every record', since: 31, expected: [] },
  ])('lists records at or after a time $case, oldest first', async ({ since, expected }) => {
    const records = await audits.listSince('timeline', minute(since));

    expect(records.map((r) => r.auditId)).toEqual(expected);
  });

  it('does not list another tenant’s records', async () => {
    await audits.append('tenant-a', violation('a-1', 1));

    expect(await audits.listSince('tenant-b', minute(0))).toEqual([]);
  });

  it('refuses an audit id that could break the sort key', async () => {
    await expect(audits.append('bad', violation('a#1', 1))).rejects.toMatchObject({
      name: 'ValidationError',
      field: 'auditId',
    });
  });
});
