import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/errors.js';
import { createTestTable, type TestTable } from '../helpers/local-table.js';

describe('Storage: tenant isolation', () => {
  let table: TestTable;

  beforeAll(async () => {
    table = await createTestTable();
    const { tenants, contacts, accounts, runs } = table.repos;
    for (const tenantId of ['tenant-a', 'tenant-b']) {
      await tenants.put(tenantId, { name: tenantId.toUpperCase(), agentEnabled: true });
      await accounts.put(tenantId, { accountId: 'shared-id', name: `${tenantId} account` });
      for (let i = 0; i < 5; i += 1) {
        await contacts.put(tenantId, {
          contactId: `c${i}`,
          email: `person${i}@${tenantId}.example`,
          nextDueAt: '2026-01-01T00:00:00Z',
        });
      }
      await runs.start(tenantId, { hourKey: '2026010509', runId: `run-${tenantId}` });
    }
  });

  afterAll(async () => {
    await table.dispose();
  });

  it('returns only tenant A contacts when listing tenant A, across every page', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await table.repos.contacts.list('tenant-a', { limit: 2, cursor });
      seen.push(...page.items.map((c) => c.email));
      cursor = page.nextCursor;
    } while (cursor);

    expect(seen).toHaveLength(5);
    expect(seen.every((email) => email.endsWith('@tenant-a.example'))).toBe(true);
  });

  it('reads the same entity id as a different item per tenant', async () => {
    const a = await table.repos.accounts.get('tenant-a', 'shared-id');
    const b = await table.repos.accounts.get('tenant-b', 'shared-id');

    expect(a?.name).toBe('tenant-a account');
    expect(b?.name).toBe('tenant-b account');
  });

  it('returns only tenant A contacts from the due-date index', async () => {
    const due = await table.repos.contacts.listDue('tenant-a', table.clock.now());

    expect(due.items).toHaveLength(5);
    expect(due.items.every((c) => c.email.endsWith('@tenant-a.example'))).toBe(true);
  });

  it('returns only tenant A runs', async () => {
    const page = await table.repos.runs.list('tenant-a');

    expect(page.items.map((r) => r.runId)).toEqual(['run-tenant-a']);
  });

  it('refuses a cursor from tenant B when listing tenant A', async () => {
    const pageOfB = await table.repos.contacts.list('tenant-b', { limit: 2 });

    const attempt = table.repos.contacts.list('tenant-a', { limit: 2, cursor: pageOfB.nextCursor });

    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toMatchObject({ field: 'cursor' });
  });

  it('refuses a tenant id that could escape its partition', async () => {
    await expect(table.repos.contacts.list('tenant-a#CONTACT')).rejects.toMatchObject({
      field: 'tenantId',
    });
    await expect(table.repos.contacts.get('tenant-a', 'x#y')).rejects.toMatchObject({
      field: 'contactId',
    });
  });
});
