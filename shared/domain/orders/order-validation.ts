import type { Account } from '../entities.js';
import { formatCents, toCents } from './money.js';
import {
  CREDIT_PAYMENT_METHODS,
  productKey,
  type CatalogEntry,
  type Order,
} from './order-schema.js';

/**
 * Stable exception codes, in the order they are reported (pricing, credit, requirements).
 * Reports, metrics and the simulator's `orders[].exceptions[].code` use these strings.
 */
export const ORDER_EXCEPTION_CODES = [
  'PRICE_FEE_NOT_POSITIVE',
  'PRICE_TECH_FEE_NEGATIVE',
  'PRICE_TOTAL_LT_FEE',
  'PRICE_TOTAL_MISMATCH',
  'PRICE_FEE_OFF_CATALOG',
  'PRICE_UNKNOWN_PRODUCT',
  'CREDIT_NO_ACCOUNT',
  'CREDIT_CLIENT_INACTIVE',
  'CREDIT_LIMIT_EXCEEDED',
  'MISSING_PROPERTY_ADDRESS',
  'MISSING_BORROWER_CONTACT',
  'MISSING_PROPERTY_CONTACT',
] as const;
export type OrderExceptionCode = (typeof ORDER_EXCEPTION_CODES)[number];

/** One problem with an order: a stable code, the field it is about, and a sentence for people. */
export interface OrderException {
  readonly code: OrderExceptionCode;
  readonly field: string;
  readonly message: string;
}

/** The outcome of validating one order. */
export interface OrderValidation {
  readonly status: 'ready' | 'exception';
  readonly exceptions: readonly OrderException[];
}

/** The client's credit standing, as held on the Account. */
export type CreditAccount = Pick<
  Account,
  'accountId' | 'status' | 'creditLimit' | 'outstandingBalance'
>;

/** What validation compares an order against. */
export interface OrderValidationOptions {
  readonly catalog: readonly CatalogEntry[];
  /** The order's account; required for credit (bill/invoice) orders. */
  readonly account?: CreditAccount;
  /** Largest accepted difference for totals and catalog fees, in currency units; default 0 (exact to the cent). */
  readonly tolerance?: number;
}

/**
 * The order's amounts in integer cents. `expected` is fee + techFee + extras, known only when the
 * fee is; a missing tech fee counts as 0.
 */
export interface OrderAmounts {
  readonly fee?: number;
  readonly techFee: number;
  readonly extras: number;
  readonly total?: number;
  readonly expected?: number;
}

/** Reads an order's amounts as integer cents (see `money.ts`). */
export function orderAmounts(order: Order): OrderAmounts {
  const fee = order.fee === undefined ? undefined : toCents(order.fee);
  const techFee = toCents(order.techFee ?? 0);
  const extras = (order.extras ?? []).reduce((sum, extra) => sum + toCents(extra.amount), 0);
  const total = order.total === undefined ? undefined : toCents(order.total);
  return {
    fee,
    techFee,
    extras,
    total,
    ...(fee === undefined ? {} : { expected: fee + techFee + extras }),
  };
}

/**
 * Validates an order's pricing, credit and required fields (seeds P0.5) and reports every problem
 * found, in `ORDER_EXCEPTION_CODES` order; `ready` only when there is none.
 * - Pricing: fee > 0; tech fee ≥ 0; total ≥ fee; total = fee + tech fee + extras (± tolerance);
 *   product known to the catalog and fee = catalog fee (± tolerance).
 * - Credit, for `bill` and `invoice` only: the order's account is given, active, and
 *   creditLimit − outstandingBalance ≥ total (a missing limit is no credit line; a missing balance is 0).
 * - Requirements, unless the catalog entry waives them: a property address; a borrower with a
 *   name and a usable email or phone; a property contact (for inspections) with a name and a
 *   usable phone or email.
 * All money is compared in integer cents. Pure: the order is not changed.
 */
export function validateOrder(order: Order, options: OrderValidationOptions): OrderValidation {
  const tolerance = toleranceCents(options.tolerance);
  const entry = findCatalogEntry(options.catalog, order.productCode);
  const exceptions = [
    ...pricingExceptions(order, entry, tolerance),
    ...creditExceptions(order, options.account),
    ...requirementExceptions(order, entry),
  ].sort((a, b) => ORDER_EXCEPTION_CODES.indexOf(a.code) - ORDER_EXCEPTION_CODES.indexOf(b.code));
  return { status: exceptions.length === 0 ? 'ready' : 'exception', exceptions };
}

/** The catalog entry for a product code (trimmed, case-insensitive), or undefined. */
export function findCatalogEntry(
  catalog: readonly CatalogEntry[],
  productCode: string,
): CatalogEntry | undefined {
  const key = productKey(productCode);
  return catalog.find((entry) => productKey(entry.productCode) === key);
}

/** A tolerance in currency units as cents; negative or unreadable becomes 0 (strictest). */
export function toleranceCents(tolerance: number | undefined): number {
  return tolerance !== undefined && Number.isFinite(tolerance) && tolerance > 0
    ? toCents(tolerance)
    : 0;
}

/** The pricing checks alone; `autoFixOrder` uses them to see whether the total is the only problem. */
export function pricingExceptions(
  order: Order,
  entry: CatalogEntry | undefined,
  tolerance: number,
): OrderException[] {
  const amounts = orderAmounts(order);
  const { fee, techFee, total, expected } = amounts;
  const found: OrderException[] = [];

  if (fee === undefined) {
    found.push({ code: 'PRICE_FEE_NOT_POSITIVE', field: 'fee', message: 'fee is missing' });
  } else if (fee <= 0) {
    found.push({
      code: 'PRICE_FEE_NOT_POSITIVE',
      field: 'fee',
      message: `fee ${formatCents(fee)} must be greater than 0`,
    });
  }
  if (techFee < 0) {
    found.push({
      code: 'PRICE_TECH_FEE_NEGATIVE',
      field: 'techFee',
      message: `tech fee ${formatCents(techFee)} must not be negative`,
    });
  }
  if (fee !== undefined && total !== undefined && total < fee) {
    found.push({
      code: 'PRICE_TOTAL_LT_FEE',
      field: 'total',
      message: `total ${formatCents(total)} is less than the fee ${formatCents(fee)}`,
    });
  }
  if (expected !== undefined && (total === undefined || Math.abs(total - expected) > tolerance)) {
    found.push({
      code: 'PRICE_TOTAL_MISMATCH',
      field: 'total',
      message:
        total === undefined
          ? `total is missing; fee + tech fee + extras = ${formatCents(expected)}`
          : `total ${formatCents(total)} differs from fee + tech fee + extras = ${formatCents(expected)}`,
    });
  }
  if (!entry) {
    found.push({
      code: 'PRICE_UNKNOWN_PRODUCT',
      field: 'productCode',
      message: `product ${order.productCode} is not in the catalog`,
    });
  } else if (fee !== undefined && Math.abs(fee - toCents(entry.fee)) > tolerance) {
    found.push({
      code: 'PRICE_FEE_OFF_CATALOG',
      field: 'fee',
      message: `fee ${formatCents(fee)} differs from the catalog fee ${formatCents(toCents(entry.fee))} for ${entry.productCode}`,
    });
  }
  return found;
}

function creditExceptions(order: Order, account: CreditAccount | undefined): OrderException[] {
  if (!CREDIT_PAYMENT_METHODS.includes(order.paymentMethod)) return [];
  if (!account || account.accountId !== order.accountId) {
    return [
      {
        code: 'CREDIT_NO_ACCOUNT',
        field: 'accountId',
        message: `no account ${order.accountId} to approve credit against`,
      },
    ];
  }
  const found: OrderException[] = [];
  if (account.status !== 'active') {
    found.push({
      code: 'CREDIT_CLIENT_INACTIVE',
      field: 'accountId',
      message: `account ${account.accountId} is ${account.status}, not active`,
    });
  }
  const { total, expected } = orderAmounts(order);
  const amount = total ?? expected;
  if (amount !== undefined) {
    const available = toCents(account.creditLimit ?? 0) - toCents(account.outstandingBalance ?? 0);
    if (available < amount) {
      found.push({
        code: 'CREDIT_LIMIT_EXCEEDED',
        field: 'total',
        message: `available credit ${formatCents(available)} (limit ${formatCents(toCents(account.creditLimit ?? 0))} − outstanding ${formatCents(toCents(account.outstandingBalance ?? 0))}) is less than ${formatCents(amount)}`,
      });
    }
  }
  return found;
}

function requirementExceptions(order: Order, entry: CatalogEntry | undefined): OrderException[] {
  const found: OrderException[] = [];
  if ((entry?.requiresPropertyAddress ?? true) && isBlank(order.propertyAddress)) {
    found.push({
      code: 'MISSING_PROPERTY_ADDRESS',
      field: 'propertyAddress',
      message: 'property address is missing',
    });
  }
  const borrower = order.borrower;
  if (
    (entry?.requiresBorrowerContact ?? true) &&
    !(borrower && !isBlank(borrower.name) && (isEmail(borrower.email) || isPhone(borrower.phone)))
  ) {
    found.push({
      code: 'MISSING_BORROWER_CONTACT',
      field: 'borrower',
      message: borrower
        ? 'borrower needs a name and a usable email or phone'
        : 'borrower is missing',
    });
  }
  const contact = order.propertyContact;
  if (
    (entry?.requiresPropertyContact ?? true) &&
    !(contact && !isBlank(contact.name) && (isPhone(contact.phone) || isEmail(contact.email)))
  ) {
    found.push({
      code: 'MISSING_PROPERTY_CONTACT',
      field: 'propertyContact',
      message: contact
        ? 'property contact needs a name and a usable phone or email'
        : 'property contact for inspections is missing',
    });
  }
  return found;
}

function isBlank(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}

function isEmail(value: string | undefined): boolean {
  return value !== undefined && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.trim());
}

/** A phone number has at least seven digits, whatever its punctuation. */
function isPhone(value: string | undefined): boolean {
  return value !== undefined && (value.match(/\d/g) ?? []).length >= 7;
}
