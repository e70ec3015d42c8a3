import * as z from '../../zod.js';
import { ValidationError } from '../../errors.js';

/**
 * The 21-day engagement clock (seeds P0.4): every contact, and every account through its
 * contacts, must be touched at least once per window. A clock is derived data: it is a pure
 * function of the latest touch (or, with no touch yet, of when the contact was created), the
 * window and `now`, so recomputing it never drifts and applying touches is order-independent.
 */

/** The engagement window the seeds prescribe. */
export const DEFAULT_ENGAGEMENT_WINDOW_DAYS = 21;

const DAY_MS = 86_400_000;

/** Ordered weakest → strongest; the order only breaks ties between touches at the same instant. */
export const TOUCH_TYPES = ['other', 'email_out', 'email_in', 'call', 'meeting'] as const;
export type TouchType = (typeof TOUCH_TYPES)[number];

/** Ordered weakest → strongest, for the same tie-break. */
export const TOUCH_ACTORS = ['agent', 'human', 'contact'] as const;
export type TouchActor = (typeof TOUCH_ACTORS)[number];

/** One interaction with a contact; `at` is an ISO-8601 instant. */
export const touchSchema = z.object({
  type: z.enum(TOUCH_TYPES),
  at: z.pipe(
    z.iso.datetime({ offset: true }),
    z.transform((value) => new Date(value).toISOString()),
  ),
  by: z.enum(TOUCH_ACTORS),
});
export type Touch = z.output<typeof touchSchema>;

export type EngagementStatus = 'compliant' | 'overdue';

/** Where a contact or account stands against its engagement window at one instant. */
export interface EngagementClock {
  readonly lastTouch?: Touch;
  /** ISO-8601 instant: last touch (or creation) + window. */
  readonly nextDueAt: string;
  /** `overdue` iff now is strictly after `nextDueAt`. */
  readonly status: EngagementStatus;
  /** Whole days past `nextDueAt`, rounded up (so any overdue clock has ≥ 1); 0 when compliant. */
  readonly daysOverdue: number;
}

/** Options for computing a clock. */
export interface ClockOptions {
  readonly now: Date;
  /** Defaults to 21. */
  readonly windowDays?: number;
  /** ISO-8601 creation instant; the baseline when there is no touch. */
  readonly createdAt: string;
}

/**
 * Computes a clock from a touch history (any order) or a single last touch. `nextDueAt` is the
 * latest touch + window; a contact never touched is due `createdAt + window`, so a new contact
 * gets a full window before it counts as overdue. Throws `ValidationError` for an unparseable
 * instant or a window that is not a positive number of days.
 *
 * @example
 * computeClock([{ type: 'email_out', at: '2026-01-01T09:00:00Z', by: 'agent' }], { now, createdAt });
 */
export function computeClock(
  touches: readonly Touch[] | Touch | undefined,
  options: ClockOptions,
): EngagementClock {
  const list = touches === undefined ? [] : Array.isArray(touches) ? touches : [touches as Touch];
  let latest: Touch | undefined;
  for (const touch of list) latest = laterTouch(latest, normalizeTouch(touch));
  const createdAt = toIso(options.createdAt, 'createdAt');
  return clockFrom(latest, createdAt, options.now, windowMs(options.windowDays));
}

/**
 * Applies one touch to a clock. A touch older than the clock's last touch (out-of-order or
 * repeated delivery) does not move it; either way the status is recomputed for `now`. Applying
 * the same set of touches in any order, any number of times, gives the same clock.
 */
export function recordTouch(
  clock: EngagementClock,
  touch: Touch,
  options: { readonly now: Date; readonly windowDays?: number },
): EngagementClock {
  const current = clock.lastTouch ? normalizeTouch(clock.lastTouch) : undefined;
  // With no previous touch the clock ran from creation; any real touch replaces that baseline.
  const latest = laterTouch(current, normalizeTouch(touch));
  return clockFrom(latest, latest.at, options.now, windowMs(options.windowDays));
}

/** Recomputes `status` and `daysOverdue` of a clock for another instant; `nextDueAt` is kept. */
export function refreshClock(clock: EngagementClock, now: Date): EngagementClock {
  const dueMs = toMs(clock.nextDueAt, 'nextDueAt');
  return { ...clock, ...statusAt(dueMs, now) };
}

/**
 * An account's clock: the most recent touch across its contacts' clocks. An account with no
 * touched contact runs from its own `createdAt`, like a contact.
 */
export function computeAccountClock(
  contactClocks: readonly Pick<EngagementClock, 'lastTouch'>[],
  options: ClockOptions,
): EngagementClock {
  const touches = contactClocks.flatMap((clock) => (clock.lastTouch ? [clock.lastTouch] : []));
  return computeClock(touches, options);
}

/**
 * Orders touches: the later `at` wins; at the same instant the stronger type, then the stronger
 * actor (see `TOUCH_TYPES`, `TOUCH_ACTORS`). A total order, which is what makes applying touches
 * order-independent. Returns a negative number when `a` comes before `b`.
 */
export function compareTouches(a: Touch, b: Touch): number {
  return (
    toMs(a.at, 'touch.at') - toMs(b.at, 'touch.at') ||
    TOUCH_TYPES.indexOf(a.type) - TOUCH_TYPES.indexOf(b.type) ||
    TOUCH_ACTORS.indexOf(a.by) - TOUCH_ACTORS.indexOf(b.by)
  );
}

function laterTouch(current: Touch | undefined, incoming: Touch): Touch {
  if (!current) return incoming;
  return compareTouches(incoming, current) > 0 ? incoming : current;
}

function normalizeTouch(touch: Touch): Touch {
  if (!TOUCH_TYPES.includes(touch.type))
    throw new ValidationError('touch.type', `unknown touch type "${String(touch.type)}"`);
  if (!TOUCH_ACTORS.includes(touch.by))
    throw new ValidationError('touch.by', `unknown actor "${String(touch.by)}"`);
  return { type: touch.type, at: toIso(touch.at, 'touch.at'), by: touch.by };
}

function clockFrom(
  lastTouch: Touch | undefined,
  createdAtIso: string,
  now: Date,
  window: number,
): EngagementClock {
  const dueMs =
    toMs(lastTouch ? lastTouch.at : createdAtIso, lastTouch ? 'touch.at' : 'createdAt') + window;
  return {
    ...(lastTouch ? { lastTouch } : {}),
    nextDueAt: new Date(dueMs).toISOString(),
    ...statusAt(dueMs, now),
  };
}

function statusAt(dueMs: number, now: Date): Pick<EngagementClock, 'status' | 'daysOverdue'> {
  const nowMs = now.getTime();
  if (Number.isNaN(nowMs)) throw new ValidationError('now', 'not a valid instant');
  if (nowMs <= dueMs) return { status: 'compliant', daysOverdue: 0 };
  return { status: 'overdue', daysOverdue: Math.ceil((nowMs - dueMs) / DAY_MS) };
}

function windowMs(windowDays: number | undefined): number {
  const days = windowDays ?? DEFAULT_ENGAGEMENT_WINDOW_DAYS;
  if (!Number.isFinite(days) || days <= 0) {
    throw new ValidationError(
      'windowDays',
      `must be a positive number of days, got ${String(days)}`,
    );
  }
  return days * DAY_MS;
}

function toMs(value: string, field: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new ValidationError(field, `not a valid instant: ${String(value)}`);
  return ms;
}

function toIso(value: string, field: string): string {
  return new Date(toMs(value, field)).toISOString();
}
