import type { EngagementClock } from './engagement-clock.js';

/** Tenant-level engagement figures, as in the run report's `engagement` block. */
export interface EngagementStats {
  readonly contacts: number;
  readonly compliant: number;
  readonly overdue: number;
  /** compliant / contacts in [0, 1]; 1 when there are no contacts (nobody is overdue). */
  readonly complianceRate: number;
}

/**
 * Counts compliant and overdue clocks at `now`, judging each by its `nextDueAt` (stored statuses
 * may be stale): overdue iff now is strictly after it. A clock whose `nextDueAt` cannot be read
 * counts as overdue, so broken data lowers the rate instead of hiding. With no contacts the rate
 * is 1: there is nobody to be late with.
 */
export function engagementStats(
  clocks: readonly Pick<EngagementClock, 'nextDueAt'>[],
  now: Date,
): EngagementStats {
  const nowMs = now.getTime();
  let overdue = 0;
  for (const clock of clocks) {
    const dueMs = Date.parse(clock.nextDueAt);
    if (Number.isNaN(dueMs) || nowMs > dueMs) overdue += 1;
  }
  const contacts = clocks.length;
  const compliant = contacts - overdue;
  return {
    contacts,
    compliant,
    overdue,
    complianceRate: contacts === 0 ? 1 : compliant / contacts,
  };
}
