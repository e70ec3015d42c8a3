import type { CatalogEntry, Order } from '../../shared/domain/orders/order-schema.js';
import type { CreditAccount } from '../../shared/domain/orders/order-validation.js';

/** Two products: an appraisal that needs a property contact and a desk review that does not. */
export const CATALOG: CatalogEntry[] = [
  { productCode: 'APPR-1004', fee: 450 },
  { productCode: 'DESK-REVIEW', fee: 150, requiresPropertyContact: false },
];

/** An active account with 4,000 of credit left. */
export const ACCOUNT: CreditAccount = {
  accountId: 'acct-1',
  status: 'active',
  creditLimit: 5_000,
  outstandingBalance: 1_000,
};

/** A complete, valid bill order: 450 + 25 tech fee + 10 rush = 485; `overrides` replace fields. */
export function order(overrides: Partial<Order> = {}): Order {
  return {
    orderId: 'o-1',
    accountId: 'acct-1',
    paymentMethod: 'bill',
    fee: 450,
    techFee: 25,
    extras: [{ code: 'RUSH', amount: 10 }],
    total: 485,
    productCode: 'APPR-1004',
    propertyAddress: '12 Elm St, Springfield',
    borrower: { name: 'Pat Lee', email: 'pat@example.com' },
    propertyContact: { name: 'Sam Agent', phone: '+1 (555) 010-2000' },
    status: 'new',
    createdAt: '2026-03-01T09:00:00.000Z',
    ...overrides,
  };
}
