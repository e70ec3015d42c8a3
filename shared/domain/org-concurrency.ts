import { ConfigError } from '../errors.js';

/**
 * Bounded cycle concurrency per organisation (the ERP seed): tenants of one organisation share at
 * most N concurrent cycles. A tenant without an organisation is its own, and its cycle lock
 * already bounds it to one, so it takes no organisation slot.
 */

/** Concurrent cycles one organisation may run when the stage sets no `ORG_CYCLE_CONCURRENCY`. */
export const DEFAULT_ORG_CYCLE_CONCURRENCY = 1;

/**
 * How long an organisation slot is held without release: the cycle state machine's execution
 * timeout, so a cycle that dies without RecordFailure frees its slot when it could no longer run.
 */
export const ORG_SLOT_LEASE_MS = 50 * 60_000;

/** The organisation whose slots a tenant's cycle takes, or `undefined` when it needs none. */
export function organisationSlotOf(tenant: {
  readonly tenantId: string;
  readonly organisation?: string | undefined;
}): string | undefined {
  const organisation = tenant.organisation?.trim();
  return organisation && organisation !== tenant.tenantId ? organisation : undefined;
}

/** Runs holding a slot of one organisation: run id → lease expiry (ISO-8601). */
export type OrgSlotHolders = Readonly<Record<string, string>>;

/** The slot decision: take it (with the holders to write back) or refuse naming the live holders. */
export type OrgSlotDecision =
  | { readonly take: true; readonly holders: OrgSlotHolders }
  | { readonly take: false; readonly busy: readonly string[] };

/**
 * Decides whether `runId` may take a slot of an organisation whose slots are held by `holders`:
 * expired leases are dropped; a run that already holds one (a retried step) keeps it with a fresh
 * lease; otherwise a slot is free while fewer than `limit` live leases remain.
 */
export function decideOrgSlot(input: {
  readonly holders: OrgSlotHolders;
  readonly limit: number;
  readonly runId: string;
  readonly now: Date;
  readonly leaseMs: number;
}): OrgSlotDecision {
  const now = input.now.getTime();
  const live = Object.entries(input.holders).filter(
    ([runId, expiresAt]) => runId !== input.runId && Date.parse(expiresAt) > now,
  );
  if (live.length >= input.limit) return { take: false, busy: live.map(([runId]) => runId).sort() };
  return {
    take: true,
    holders: {
      ...Object.fromEntries(live),
      [input.runId]: new Date(now + input.leaseMs).toISOString(),
    },
  };
}

/**
 * Reads `ORG_CYCLE_CONCURRENCY` (a whole number from 1 to 100); absent or blank gives
 * {@link DEFAULT_ORG_CYCLE_CONCURRENCY}, anything else is a {@link ConfigError} naming it.
 */
export function parseOrgCycleConcurrency(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_ORG_CYCLE_CONCURRENCY;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    throw new ConfigError(
      ORG_CYCLE_CONCURRENCY_VARIABLE,
      `expected a whole number from 1 to 100, got ${JSON.stringify(value)}`,
    );
  return limit;
}

/** The environment variable BeginCycle reads the per-organisation limit from. */
export const ORG_CYCLE_CONCURRENCY_VARIABLE = 'ORG_CYCLE_CONCURRENCY';
