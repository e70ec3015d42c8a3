import * as z from '../../zod.js';
import { MAX_AMOUNT, hasAtMostTwoDecimals } from './money.js';

/** How an order is paid; only `bill` and `invoice` draw on the client's credit line. */
export const PAYMENT_METHODS = ['card', 'bill', 'invoice', 'prepaid'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/** Payment methods that need a credit approval (seeds P0.5: "Credit Approval (for bill orders)"). */
export const CREDIT_PAYMENT_METHODS: readonly PaymentMethod[] = ['bill', 'invoice'];

/** An order's lifecycle status as stored; validation reports `ready`/`exception` separately. */
export const ORDER_STATUSES = [
  'new',
  'pending',
  'ready',
  'exception',
  'in_progress',
  'completed',
  'cancelled',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** An amount in currency units with at most two decimals (see `money.ts`). */
export const moneySchema = z
  .number()
  .check(
    z.minimum(-MAX_AMOUNT),
    z.maximum(MAX_AMOUNT),
    z.refine(hasAtMostTwoDecimals, { message: 'expected an amount with at most 2 decimal places' }),
  );

const isoInstant = z.pipe(
  z.iso.datetime({ offset: true, message: 'expected an ISO-8601 date-time' }),
  z.transform((value) => new Date(value).toISOString()),
);

/**
 * A new order as received. Pricing fields are deliberately lenient: a missing or non-positive
 * `fee`, a negative `techFee` or a missing `total` is business data to report as an order
 * exception, not a malformed record. A missing `techFee` means no tech fee (0).
 */
export const orderSchema = z.object({
  orderId: z.string().check(z.minLength(1)),
  accountId: z.string().check(z.minLength(1)),
  paymentMethod: z.enum(PAYMENT_METHODS),
  fee: z.optional(moneySchema),
  techFee: z.optional(moneySchema),
  extras: z.optional(
    z.array(
      z.object({
        code: z.string().check(z.minLength(1)),
        amount: moneySchema.check(z.refine((v) => v >= 0, 'extras cannot be negative')),
      }),
    ),
  ),
  total: z.optional(moneySchema),
  productCode: z.string().check(z.minLength(1)),
  propertyAddress: z.optional(z.string()),
  borrower: z.optional(
    z.object({ name: z.string(), email: z.optional(z.string()), phone: z.optional(z.string()) }),
  ),
  propertyContact: z.optional(
    z.object({ name: z.string(), phone: z.optional(z.string()), email: z.optional(z.string()) }),
  ),
  status: z._default(z.enum(ORDER_STATUSES), 'new'),
  createdAt: isoInstant,
});
export type Order = z.output<typeof orderSchema>;
export type OrderInput = z.input<typeof orderSchema>;

/**
 * A product's list price and what its orders must carry. The `requires…` flags default to true
 * when absent (an unknown product requires everything).
 */
export const catalogEntrySchema = z.object({
  productCode: z.string().check(z.minLength(1)),
  fee: moneySchema.check(z.refine((v) => v > 0, 'a catalog fee must be positive')),
  name: z.optional(z.string()),
  requiresPropertyAddress: z.optional(z.boolean()),
  requiresBorrowerContact: z.optional(z.boolean()),
  /** A property contact is needed to arrange inspections. */
  requiresPropertyContact: z.optional(z.boolean()),
});
export type CatalogEntry = z.output<typeof catalogEntrySchema>;

/** A catalog: entries with unique product codes (compared trimmed and case-insensitively). */
export const catalogSchema = z.array(catalogEntrySchema).check(
  z.superRefine((entries, ctx) => {
    const seen = new Set<string>();
    entries.forEach((entry, index) => {
      const key = productKey(entry.productCode);
      if (seen.has(key)) {
        ctx.addIssue({
          code: 'custom',
          path: [index, 'productCode'],
          message: `duplicate product code ${entry.productCode}`,
        });
      }
      seen.add(key);
    });
  }),
);

/** The key product codes are matched by: trimmed and upper-cased. */
export function productKey(productCode: string): string {
  return productCode.trim().toUpperCase();
}
