import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenantNotFoundError, ValidationError } from '../../shared/errors.js';
import { createTestTable, type TestTable } from '../helpers/local-table.js';

describe('Storage: TenantRepository', () => {
  let table: TestTable;

  beforeAll(async () => {
    table = await createTestTable();
  });

  afterAll(async () => {
    await table.dispose();
  });

  it('stores settings with the seed defaults filled in', async () => {
    const stored = await table.repos.tenants.put('defaults', { name: 'Defaults Inc' });

    expect(stored).toMatchObject({
      tenantId: 'defaults',
      agentEnabled: false,
      tier: 'pro',
      timeZone: 'UTC',
      engagementWindowDays: 21,
    });
    expect(await table.repos.tenants.get('defaults')).toEqual(stored);
  });

  it('keeps createdAt when settings are replaced', async () => {
    const first = await table.repos.tenants.put('replaced', { name: 'Before' });
    table.clock.advance({ hours: 1 });

    const second = await table.repos.tenants.put('replaced', { name: 'After' });

    expect(second.createdAt).toBe(first.createdAt);
    expect(second.updatedAt > first.updatedAt).toBe(true);
  });

  it('names the field of an invalid setting', async () => {
    await expect(
      table.repos.tenants.put('bad-zone', { name: 'X', timeZone: 'Mars/Olympus' }),
    ).rejects.toMatchObject({
      field: 'settings.timeZone',
    });
    await expect(table.repos.tenants.put('Bad Id', { name: 'X' })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('lists every enabled tenant and no disabled one, page by page', async () => {
    // Prepare
    const enabled = Array.from({ length: 23 }, (_, i) => `listed-${String(i).padStart(2, '0')}`);
    for (const id of enabled) await table.repos.tenants.put(id, { name: id, agentEnabled: true });
    await table.repos.tenants.put('listed-off', { name: 'off', agentEnabled: false });

    // Act
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await table.repos.tenants.listEnabled({ limit: 5, cursor });
      pages.push(page.items);
      cursor = page.nextCursor;
    } while (cursor);

    // Assess
    const listed = pages.flat().filter((id) => id.startsWith('listed-'));
    expect(listed).toEqual(enabled);
    expect(pages.length).toBeGreaterThanOrEqual(5);
    expect(pages.every((page) => page.length <= 5)).toBe(true);
  });

  it('moves a tenant in and out of the enabled listing with setEnabled', async () => {
    await table.repos.tenants.put('toggled', { name: 'Toggled' });

    const on = await table.repos.tenants.setEnabled('toggled', true);
    const listedWhileOn = await collectEnabled(table);
    const off = await table.repos.tenants.setEnabled('toggled', false);
    const listedWhileOff = await collectEnabled(table);

    expect(on.agentEnabled).toBe(true);
    expect(off.agentEnabled).toBe(false);
    expect(listedWhileOn).toContain('toggled');
    expect(listedWhileOff).not.toContain('toggled');
  });

  it('refuses to enable a tenant that does not exist, creating nothing', async () => {
    await expect(table.repos.tenants.setEnabled('ghost', true)).rejects.toBeInstanceOf(
      TenantNotFoundError,
    );
    expect(await table.repos.tenants.get('ghost')).toBeUndefined();
    expect(await collectEnabled(table)).not.toContain('ghost');
  });
});

async function collectEnabled(table: TestTable): Promise<string[]> {
  const ids: string[] = [];
  for await (const id of table.repos.tenants.allEnabled(7)) ids.push(id);
  return ids;
}
