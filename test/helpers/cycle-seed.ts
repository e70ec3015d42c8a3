import type { AccountInput } from '../../shared/domain/entities.js';
import type { CycleRepositories } from '../../shared/cycle/runtime.js';

const DAY_MS = 86_400_000;

/** The active lending account most cycle tests give their contacts. */
export const ACME_ACCOUNT: AccountInput = {
  accountId: 'acc-1',
  name: 'Acme Lending',
  status: 'active',
  creditLimit: 10_000,
  outstandingBalance: 0,
};

/** A contact as `[contactId, email, days since its last touch, accountId]`. */
export type SeedContact = readonly [string, string, number, string];

/**
 * Stores `accounts` and `contacts` for `tenantId`, each contact last touched (and created) the
 * given number of days before `start`, so it is overdue by the tenant's engagement window.
 */
export async function seedAccountsAndContacts(
  repos: Pick<CycleRepositories, 'accounts' | 'contacts'>,
  tenantId: string,
  start: string,
  accounts: readonly AccountInput[],
  contacts: readonly SeedContact[],
): Promise<void> {
  for (const account of accounts) await repos.accounts.put(tenantId, account);
  for (const [contactId, email, days, accountId] of contacts) {
    const lastTouchAt = new Date(new Date(start).getTime() - days * DAY_MS).toISOString();
    await repos.contacts.put(tenantId, {
      contactId,
      email,
      accountId,
      lastTouchAt,
      createdAt: lastTouchAt,
    });
  }
}

/** Stores a one-product catalog and a complete new card order `o-1` on ACME_ACCOUNT, created at `start`. */
export async function seedNewOrder(
  repos: Pick<CycleRepositories, 'orders'>,
  tenantId: string,
  start: string,
): Promise<void> {
  await repos.orders.putCatalog(tenantId, [{ productCode: 'P1', fee: 100 }]);
  await repos.orders.put(tenantId, {
    orderId: 'o-1',
    accountId: ACME_ACCOUNT.accountId,
    paymentMethod: 'card',
    productCode: 'P1',
    fee: 100,
    techFee: 10,
    total: 110,
    propertyAddress: '1 Main St',
    borrower: { name: 'Bo Borrower', phone: '+1 312 555 0100' },
    propertyContact: { name: 'Pat Owner', phone: '+1 312 555 0101' },
    createdAt: start,
  });
}
