import type { CycleRuntime } from '../../shared/cycle/runtime.js';
import type { Fixture, TenantFixture } from './fixture.js';

/**
 * Writes a fixture's tenants into the table through the same repositories the functions use:
 * settings (with do-not-contact lists), accounts, contacts, catalog, orders, deals, bids and
 * suppressions, and the messaging pack when the fixture has one. Contacts get their due-date index from their last touch and the tenant's window.
 */
export async function seedFixture(runtime: CycleRuntime, fixture: Fixture): Promise<void> {
  for (const tenant of fixture.tenants) await seedTenant(runtime, tenant);
}

async function seedTenant(runtime: CycleRuntime, tenant: TenantFixture): Promise<void> {
  const { repos } = runtime;
  const settings = await repos.tenants.put(tenant.id, {
    ...tenant.settings,
    doNotContact: tenant.doNotContact,
  });
  for (const account of tenant.accounts) await repos.accounts.put(tenant.id, account);
  const windowMs = settings.engagementWindowDays * 86_400_000;
  for (const contact of tenant.contacts) {
    const baseline = contact.lastTouchAt ?? contact.createdAt;
    const nextDueAt =
      contact.nextDueAt ??
      (baseline ? new Date(new Date(baseline).getTime() + windowMs).toISOString() : undefined);
    await repos.contacts.put(tenant.id, { ...contact, ...(nextDueAt ? { nextDueAt } : {}) });
  }
  await repos.orders.putCatalog(tenant.id, tenant.catalog);
  for (const order of tenant.orders) await repos.orders.put(tenant.id, order);
  for (const deal of tenant.deals) await repos.deals.put(tenant.id, deal);
  for (const bid of tenant.bids) await repos.bids.put(tenant.id, bid);
  for (const suppression of tenant.suppressions) {
    await repos.suppressions.add(tenant.id, suppression.email, suppression.reason, 'fixture');
  }
  if (tenant.messagingPack)
    await repos.messagingPacks.put(tenant.id, tenant.messagingPack, 'fixture');
}
