/**
 * Margin a tenant lock's lease keeps over the longest phase: the lock is renewed at the boundary
 * before a phase (the acquisition or the previous phase's end), so it must outlive the transition,
 * that phase's whole timeout and the time to record its end.
 */
export const LOCK_LEASE_MARGIN_SECONDS = 60;

/**
 * Why a lock lease cannot hold for phases of up to `longestPhaseSeconds`, or `undefined` when it
 * can: a lease shorter than the longest phase timeout plus {@link LOCK_LEASE_MARGIN_SECONDS}
 * would let an overlapping cycle take the tenant's lock while a phase is still running.
 */
export function lockLeaseProblem(
  lockTtlSeconds: number,
  longestPhaseSeconds: number,
): string | undefined {
  const needed = longestPhaseSeconds + LOCK_LEASE_MARGIN_SECONDS;
  if (lockTtlSeconds >= needed) return undefined;
  return (
    `a lock lease of ${lockTtlSeconds} s cannot hold through a ${longestPhaseSeconds} s phase; ` +
    `it must be at least ${needed} s (the longest phase timeout + ${LOCK_LEASE_MARGIN_SECONDS} s)`
  );
}
