import { fromCents } from './money.js';
import type { Order } from './order-schema.js';
import {
  findCatalogEntry,
  orderAmounts,
  pricingExceptions,
  toleranceCents,
  validateOrder,
  type OrderValidation,
  type OrderValidationOptions,
} from './order-validation.js';

/** One change `autoFixOrder` made; `from` is `null` when the field was missing. */
export interface OrderFix {
  readonly field: 'total';
  readonly from: number | null;
  readonly to: number;
  readonly rule: 'total_equals_fee_plus_tech_fee_plus_extras';
}

/**
 * Applies the only safe correction the data determines: `total := fee + techFee + extras`, when
 * the fee is positive, the tech fee is not negative, no extra is negative, and a wrong or missing
 * total is the order's only pricing problem (so a fee off the catalog or an unknown product
 * blocks it). It never invents money: a missing fee, a negative tech fee or any other problem
 * stays for validation to report. Returns the input order unchanged when nothing applies.
 */
export function autoFixOrder(
  order: Order,
  options: Pick<OrderValidationOptions, 'catalog' | 'tolerance'>,
): { order: Order; fixes: OrderFix[] } {
  const entry = findCatalogEntry(options.catalog, order.productCode);
  const pricing = pricingExceptions(order, entry, toleranceCents(options.tolerance));
  const onlyTotalIsWrong = pricing.length === 1 && pricing[0]?.code === 'PRICE_TOTAL_MISMATCH';
  const { fee, techFee, expected } = orderAmounts(order);
  const partsAreSound =
    fee !== undefined &&
    fee > 0 &&
    techFee >= 0 &&
    (order.extras ?? []).every((extra) => extra.amount >= 0);
  if (!onlyTotalIsWrong || !partsAreSound || expected === undefined) return { order, fixes: [] };

  const to = fromCents(expected);
  return {
    order: { ...order, total: to },
    fixes: [
      {
        field: 'total',
        from: order.total ?? null,
        to,
        rule: 'total_equals_fee_plus_tech_fee_plus_extras',
      },
    ],
  };
}

/** An order after `processOrder`: the fixed order, the fixes made and its validation. */
export interface ProcessedOrder extends OrderValidation {
  readonly order: Order;
  readonly fixes: readonly OrderFix[];
}

/**
 * Auto-fixes then validates an order. Idempotent: processing the returned order again makes no
 * fix and gives the same status and exceptions.
 *
 * @example
 * const { status, exceptions, fixes } = processOrder(order, { catalog, account, tolerance: 0 });
 */
export function processOrder(order: Order, options: OrderValidationOptions): ProcessedOrder {
  const fixed = autoFixOrder(order, options);
  return { order: fixed.order, fixes: fixed.fixes, ...validateOrder(fixed.order, options) };
}
