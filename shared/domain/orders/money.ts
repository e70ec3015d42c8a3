/**
 * Money arithmetic in integer cents. Amounts arrive as currency units with at most two decimals
 * (`12.34`); every comparison and sum is done on `toCents` values, so float drift never decides a
 * check: 0.1 + 0.2 and 0.3 are both 30 cents. Only results shown to people or stored on an order
 * go back to units, through `fromCents`.
 */

/** The largest amount accepted, in currency units; keeps cents far inside safe integers. */
export const MAX_AMOUNT = 1_000_000_000;

/** Integer cents of an amount in currency units, rounded to the nearest cent (half away from zero). */
export function toCents(amount: number): number {
  if (!Number.isFinite(amount)) throw new RangeError(`not a finite amount: ${String(amount)}`);
  const cents = Math.round(Math.abs(amount) * 100);
  return amount < 0 ? -cents : cents;
}

/** Currency units of integer cents; `fromCents(toCents(x)) === x` for any amount with two decimals. */
export function fromCents(cents: number): number {
  return cents / 100;
}

/** Two-decimal text for messages: `formatCents(-1250)` → `"-12.50"`. */
export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** True when `amount` has at most two decimal places (within float representation error). */
export function hasAtMostTwoDecimals(amount: number): boolean {
  const scaled = amount * 100;
  return Number.isFinite(scaled) && Math.abs(scaled - Math.round(scaled)) < 1e-4;
}
