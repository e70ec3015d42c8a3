import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SuppressionRepository } from '../../../shared/storage/suppression-repository.js';
import { createTestTable, type TestTable } from '../../helpers/local-table.js';

describe('Storage: SuppressionRepository', () => {
  let table: TestTable;
  let suppressions: SuppressionRepository;

  beforeAll(async () => {
    table = await createTestTable();
    suppressions = new SuppressionRepository({
      doc: table.doc,
      tableName: table.tableName,
      clock: table.clock,
    });
  });

  afterAll(async () => {
    await table.dispose();
  });

  it('keeps the first reason recorded for an address', async () => {
    // Prepare
    const firstAt = table.clock.now().toISOString();

    // Act
    const first = await suppressions.add(
      'first-wins',
      'Ann@Client.Example',
      'hard_bounce',
      'react',
    );
    table.clock.advance({ hours: 1 });
    const second = await suppressions.add('first-wins', ' ann@client.example ', 'unsubscribe');

    // Assess
    expect(first).toBe(true);
    expect(second).toBe(false);
    expect(await suppressions.list('first-wins')).toEqual([
      { email: 'ann@client.example', reason: 'hard_bounce', at: firstAt, source: 'react' },
    ]);
  });

  it('finds suppressed addresses whatever their case, returning them lower-cased', async () => {
    await suppressions.add('among', 'bob@client.example', 'complaint');
    await suppressions.add('among', 'CAROL@client.example', 'manual');

    const found = await suppressions.suppressedAmong('among', [
      'BOB@Client.Example',
      'carol@CLIENT.example',
      'dave@client.example',
      'bob@client.example',
    ]);

    expect(found).toEqual(new Set(['bob@client.example', 'carol@client.example']));
  });

  it('answers with an empty set for no addresses', async () => {
    expect(await suppressions.suppressedAmong('among', [])).toEqual(new Set());
  });

  it('checks more than 100 addresses by batching the lookups', async () => {
    // Prepare
    const emails = Array.from({ length: 250 }, (_, i) => `user${i}@client.example`);
    const suppressed = [0, 99, 100, 101, 199, 200, 249].map((i) => `user${i}@client.example`);
    for (const email of suppressed) await suppressions.add('batching', email, 'hard_bounce');
    const batchGetsBefore = table.requestCounts.get('BatchGetItemCommand') ?? 0;

    // Act
    const found = await suppressions.suppressedAmong(
      'batching',
      emails.map((email) => email.toUpperCase()),
    );

    // Assess
    expect(found).toEqual(new Set(suppressed));
    expect((table.requestCounts.get('BatchGetItemCommand') ?? 0) - batchGetsBefore).toBe(3);
  });

  it('does not see another tenant’s suppressions', async () => {
    await suppressions.add('tenant-a', 'shared@client.example', 'manual');

    expect(await suppressions.suppressedAmong('tenant-b', ['shared@client.example'])).toEqual(
      new Set(),
    );
    expect(await suppressions.list('tenant-b')).toEqual([]);
  });

  it('lists every suppression of the tenant, in address order, without a missing source', async () => {
    await suppressions.add('listing', 'zed@client.example', 'unsubscribe', 'ingest');
    await suppressions.add('listing', 'amy@client.example', 'manual');

    const listed = await suppressions.list('listing');

    expect(listed.map((s) => [s.email, s.reason])).toEqual([
      ['amy@client.example', 'manual'],
      ['zed@client.example', 'unsubscribe'],
    ]);
    expect(listed[0]).not.toHaveProperty('source');
    expect(listed[1]?.source).toBe('ingest');
  });

  it('refuses something that is not an email address', async () => {
    await expect(suppressions.add('invalid', 'not-an-address', 'manual')).rejects.toMatchObject({
      name: 'ValidationError',
      field: 'email',
    });
  });
});
