import { computeClock, type EngagementClock, type Touch } from './engagement-clock.js';

/**
 * Weights of the follow-up priority score (see `selectNextContactsToTouch`).
 *
 * Days overdue dominate by construction: the other terms are capped, and their maxima add up to
 * less than one day's weight (`accountValue × accountValueLogCap + openItem × openItemsCap +
 * recentInbound` = 5 × 9 + 4 × 5 + 20 = 85 < 100), so a contact one day more overdue always
 * ranks first; the other terms only order contacts overdue by the same number of days.
 */
export const PRIORITY_WEIGHTS = {
  /** Points per whole day overdue. */
  daysOverdue: 100,
  /** Points per order of magnitude of the account's annual value: 5 × log10(1 + value). */
  accountValue: 5,
  /** log10(1 + value) is capped here (a value of about 1e9). */
  accountValueLogCap: 9,
  /** Points per open deal or order. */
  openItem: 4,
  /** At most this many open deals and orders count. */
  openItemsCap: 5,
  /** Bonus when the contact wrote to us within `recentInboundDays`. */
  recentInbound: 20,
} as const;

/** A contact considered for a follow-up; counts and values come from the caller's read models. */
export interface TouchCandidate {
  readonly contactId: string;
  readonly accountId?: string;
  /** ISO-8601 creation instant; the clock baseline when the contact was never touched. */
  readonly createdAt: string;
  readonly lastTouch?: Touch;
  /** ISO-8601 instant the contact last wrote to us, when known apart from `lastTouch`. */
  readonly lastInboundAt?: string;
  /** The account's annual value in currency units; missing, negative or not finite counts as 0. */
  readonly accountValue?: number;
  readonly openDeals?: number;
  readonly openOrders?: number;
  /** Bounced, complained or unsubscribed: never selected. */
  readonly suppressed?: boolean;
  /** On a do-not-contact list: never selected. */
  readonly doNotContact?: boolean;
}

/** Options for the selection. */
export interface SelectionOptions {
  readonly now: Date;
  /** At most this many contacts are returned; a negative or non-finite limit selects none. */
  readonly limit: number;
  /** Defaults to 21. */
  readonly windowDays?: number;
  /** A contact who wrote within this many days gets the inbound bonus; defaults to 7. */
  readonly recentInboundDays?: number;
}

/** One selected contact with its score and the parts the score is made of. */
export interface RankedContact<C extends TouchCandidate = TouchCandidate> {
  readonly contact: C;
  readonly score: number;
  readonly daysOverdue: number;
  readonly clock: EngagementClock;
  readonly factors: {
    readonly overdue: number;
    readonly accountValue: number;
    readonly openItems: number;
    readonly recentInbound: number;
  };
}

const DAY_MS = 86_400_000;
const DEFAULT_RECENT_INBOUND_DAYS = 7;

/**
 * Picks the overdue contacts to follow up next, best first, at most `limit`. Each candidate's
 * clock is recomputed for `now` (stored statuses may be stale); compliant, suppressed and
 * do-not-contact candidates are left out; a contact listed twice counts once (its best score).
 *
 * score = 100 × daysOverdue
 *       + 5 × min(log10(1 + accountValue), 9)
 *       + 4 × min(openDeals + openOrders, 5)
 *       + 20 if the contact wrote to us within `recentInboundDays` (lastInboundAt, or a last touch
 *         by the contact)
 *
 * Ties break by `contactId` (code-unit order), so the result is stable. Weights: `PRIORITY_WEIGHTS`.
 */
export function selectNextContactsToTouch<C extends TouchCandidate>(
  candidates: readonly C[],
  options: SelectionOptions,
): RankedContact<C>[] {
  const limit = Number.isFinite(options.limit) && options.limit > 0 ? Math.floor(options.limit) : 0;
  if (limit === 0) return [];

  const best = new Map<string, RankedContact<C>>();
  for (const candidate of candidates) {
    if (candidate.suppressed === true || candidate.doNotContact === true) continue;
    const ranked = rankCandidate(candidate, options);
    if (ranked.clock.status !== 'overdue') continue;
    const seen = best.get(candidate.contactId);
    if (!seen || ranked.score > seen.score) best.set(candidate.contactId, ranked);
  }
  return [...best.values()].sort(byPriority).slice(0, limit);
}

/** Scores one candidate for `now`, whether or not it is overdue (a compliant one scores its other terms only). */
export function rankCandidate<C extends TouchCandidate>(
  candidate: C,
  options: Pick<SelectionOptions, 'now' | 'windowDays' | 'recentInboundDays'>,
): RankedContact<C> {
  const clock = computeClock(candidate.lastTouch, {
    now: options.now,
    createdAt: candidate.createdAt,
    ...(options.windowDays !== undefined ? { windowDays: options.windowDays } : {}),
  });
  const w = PRIORITY_WEIGHTS;
  const value = nonNegative(candidate.accountValue);
  const openItems = Math.min(
    nonNegative(candidate.openDeals) + nonNegative(candidate.openOrders),
    w.openItemsCap,
  );
  const factors = {
    overdue: w.daysOverdue * clock.daysOverdue,
    accountValue: w.accountValue * Math.min(Math.log10(1 + value), w.accountValueLogCap),
    openItems: w.openItem * openItems,
    recentInbound: wroteRecently(candidate, options) ? w.recentInbound : 0,
  };
  const score = factors.overdue + factors.accountValue + factors.openItems + factors.recentInbound;
  return { contact: candidate, score, daysOverdue: clock.daysOverdue, clock, factors };
}

function byPriority(a: RankedContact, b: RankedContact): number {
  if (a.score !== b.score) return b.score - a.score;
  if (a.contact.contactId === b.contact.contactId) return 0;
  return a.contact.contactId < b.contact.contactId ? -1 : 1;
}

function wroteRecently(
  candidate: TouchCandidate,
  options: Pick<SelectionOptions, 'now' | 'recentInboundDays'>,
): boolean {
  const days = options.recentInboundDays ?? DEFAULT_RECENT_INBOUND_DAYS;
  const inbound = [
    candidate.lastInboundAt,
    candidate.lastTouch?.by === 'contact' ? candidate.lastTouch.at : undefined,
  ].flatMap((at) => (at === undefined || Number.isNaN(Date.parse(at)) ? [] : [Date.parse(at)]));
  const since = options.now.getTime() - days * DAY_MS;
  return inbound.some((ms) => ms >= since && ms <= options.now.getTime());
}

function nonNegative(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : 0;
}
