/**
 * When a tenant's next cycle is due (DESIGN §9 "Cost grows with work"). Pure: no clock, no I/O.
 */

/** The longest a tenant goes without a cycle: every enabled tenant runs at least once a day. */
export const MAX_IDLE_MS = 24 * 3_600_000;

const HOUR_MS = 3_600_000;

/**
 * Deferral reasons only a settings change can clear (research needs a provider configured). A
 * settings write marks the tenant dirty, so such a card does not wake the tenant every hour.
 */
export const SETTINGS_BOUND_DEFERRALS: readonly string[] = ['no_research_provider'];

/**
 * Whether this cycle's card means work next hour. Every card does except one deferred for a
 * {@link SETTINGS_BOUND_DEFERRALS} reason (it waits for the settings change, or the daily run) and
 * one held for an approval still awaiting a decision (a decision marks the tenant dirty; its
 * deadline is among the {@link approvalWakeTimes}).
 */
export function cardKeepsTenantBusy(card: {
  readonly status: string;
  readonly result?: Readonly<Record<string, unknown>> | undefined;
}): boolean {
  if (card.status === 'deferred')
    return !SETTINGS_BOUND_DEFERRALS.includes(String(card.result?.['reason']));
  if (card.status === 'awaiting_approval') return card.result?.['approval'] !== 'awaiting';
  return true;
}

/**
 * The deadlines of approvals this cycle left awaiting: those of its held cards
 * (`result.expiresAt`) and the earliest one Act saw among older approvals. The tenant wakes at
 * the earliest to expire and re-plan it.
 */
export function approvalWakeTimes(
  cards: readonly {
    readonly status: string;
    readonly result?: Readonly<Record<string, unknown>> | undefined;
  }[],
  earliestOpenDeadline: string | undefined,
): string[] {
  const held = cards.flatMap((card) =>
    card.status === 'awaiting_approval' && typeof card.result?.['expiresAt'] === 'string'
      ? [card.result['expiresAt']]
      : [],
  );
  return earliestOpenDeadline ? [...held, earliestOpenDeadline] : held;
}

/** Outcome kinds React applies in full itself (touches, suppressions): nothing is left for Plan. */
const SELF_CONTAINED_OUTCOMES: readonly string[] = ['send_result', 'inbound_message', 'bounce'];

/** Send results that close their touch: nothing to retry or re-plan (the touch is folded). */
const SETTLED_SEND_STATUSES: readonly string[] = ['sent', 'dry_run', 'suppressed', 'superseded'];

/**
 * Whether what React folded this hour means work for the next hour's Plan. Explicit requests do
 * (they are carried to it; see `pendingRequests`), and so does any kind React only records (order
 * updates) and any send that did not settle (blocked, deferred, failed, in doubt). Touches and
 * bounces do not: React applied them, and the engagement Reflect reads after React already dates
 * each contact's next touch (its `upcomingDueAt`), so such a fold no longer costs an hour.
 */
export function foldKeepsTenantBusy(
  react:
    | {
        readonly folded: number;
        readonly byKind?: Readonly<Record<string, number>>;
        readonly sendsByStatus?: Readonly<Record<string, number>>;
        readonly requests?: readonly unknown[];
      }
    | undefined,
): boolean {
  if (!react || react.folded <= 0) return false;
  if ((react.requests?.length ?? 0) > 0) return true;
  // A fold recorded without its breakdown (an older run record) keeps the old rule.
  if (!react.byKind) return true;
  const byKind = Object.entries(react.byKind).filter(([, count]) => count > 0);
  if (byKind.some(([kind]) => !SELF_CONTAINED_OUTCOMES.includes(kind))) return true;
  return Object.entries(react.sendsByStatus ?? {}).some(
    ([status, count]) => count > 0 && !SETTLED_SEND_STATUSES.includes(status),
  );
}

/** What a finished cycle knows about its tenant's next hours. */
export interface WakeSituation {
  /** The start of the cycle's hour (its hour key as an instant). */
  readonly hourStart: Date;
  /** The instant the cycle decided at. */
  readonly now: Date;
  /**
   * True when the cycle had work or left work behind: cards planned, outcomes folded that need
   * Plan ({@link foldKeepsTenantBusy}), requests carried to the next Plan, touches still queued. Such a tenant runs again next hour.
   */
  readonly busy: boolean;
  /** Instants at which the planner's picture changes without new input (contact due dates, hint expiries). */
  readonly upcoming: readonly (string | undefined)[];
}

/**
 * The tenant's next wake time: the next hour when the cycle was busy; otherwise the earliest
 * upcoming instant after `now`, and never later than one day after the cycle's hour started.
 * The fan-out at scheduled time T starts the tenants whose wake time is at or before T.
 */
export function nextWakeAt(situation: WakeSituation): Date {
  if (situation.busy) return new Date(situation.hourStart.getTime() + HOUR_MS);
  let wake = situation.hourStart.getTime() + MAX_IDLE_MS;
  for (const instant of situation.upcoming) {
    if (instant === undefined) continue;
    const at = new Date(instant).getTime();
    if (Number.isNaN(at) || at <= situation.now.getTime()) continue;
    wake = Math.min(wake, at);
  }
  return new Date(Math.max(wake, situation.hourStart.getTime() + HOUR_MS));
}

/** The part of a run record {@link idleHours} reads. */
export interface RunWake {
  readonly hourKey: string;
  readonly status: string;
  /** The wake time the run's cycle set; absent when it left the tenant due (new input, failure). */
  readonly nextWakeAt?: string;
}

/**
 * The hours (`yyyyMMddHH`, oldest first) up to and including `lastHourKey` that were skipped as
 * idle: after a run that set a wake time, every hour before the next run whose start is before that
 * wake time. Those hours the fan-out did not list the tenant, so no execution started. An hour at
 * or after the wake time with no run is not idle (the tenant was due) and is not returned; nor
 * are hours after a run that did not succeed (a failure leaves the tenant due).
 */
export function idleHours(runs: readonly RunWake[], lastHourKey: string): string[] {
  const sorted = [...runs].sort((a, b) => a.hourKey.localeCompare(b.hourKey));
  const last = hourKeyStart(lastHourKey);
  const idle: string[] = [];
  for (const [index, run] of sorted.entries()) {
    if (!run.nextWakeAt || run.status !== 'SUCCEEDED') continue;
    const wake = new Date(run.nextWakeAt).getTime();
    const next = sorted[index + 1];
    const stop = Math.min(last + HOUR_MS, next ? hourKeyStart(next.hourKey) : Infinity, wake);
    for (let at = hourKeyStart(run.hourKey) + HOUR_MS; at < stop; at += HOUR_MS) {
      idle.push(hourKeyOf(at));
    }
  }
  return idle;
}

/** The instant (ms) an hour key `yyyyMMddHH` (UTC) starts. */
export function hourKeyStart(hourKey: string): number {
  return Date.UTC(
    Number(hourKey.slice(0, 4)),
    Number(hourKey.slice(4, 6)) - 1,
    Number(hourKey.slice(6, 8)),
    Number(hourKey.slice(8, 10)),
  );
}

function hourKeyOf(ms: number): string {
  return new Date(ms).toISOString().replace(/[-T:]/g, '').slice(0, 10);
}
