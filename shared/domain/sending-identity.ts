import { ValidationError } from '../errors.js';
import {
  ratesUnderThresholds,
  warmUpStatus,
  type DeliverabilityStats,
  type WarmUpState,
} from './deliverability.js';
import { WARM_UP_LADDER, type SendingSettings } from './sending-settings.js';
import { localDateKey, startOfNextLocalDay } from './zoned-time.js';

/**
 * Sending-identity limits (DESIGN.md section 5, step 6): the From domain is what mailbox
 * providers build a reputation for, so its warm-up ladder and daily count are shared by every
 * tenant that sends from it. N tenants on one domain never exceed that domain's ladder.
 *
 * Mixed settings, decided here once:
 * - Every send from an identity counts on the identity's day counter, whatever the sending
 *   tenant's warm-up setting (so a ladder started mid-day sees the sends already made that day).
 * - The first send from a tenant with `sending.warmUp.enabled` starts the identity's ladder.
 *   Once an identity has ladder state, every send from it is held to the ladder's daily cap,
 *   including sends of tenants whose own warm-up is off.
 * - The ladder's schedule (`phaseDays`) is fixed when it starts (the starting tenant's setting),
 *   so tenants with different settings cannot move one ladder at different speeds.
 * - The ladder holds on a phase while the identity's bounce or complaint rate is over the
 *   thresholds, as the tenant ladder does ({@link warmUpStatus}).
 * - An identity that has completed the last phase (held it `phaseDays` with healthy rates) is
 *   warmed up for good: no ladder cap, the tenants' own caps apply.
 *
 * The identity's day is the **UTC** calendar day: tenants on one identity live in different time
 * zones, and a day boundary per tenant would give one identity several overlapping "days".
 */

/** The time zone of an identity's day counter. */
export const IDENTITY_TIME_ZONE = 'UTC';

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const IDENTITY_PATTERN = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);

/** True when `identity` is a lower-case ASCII domain name (labels of letters, digits, `-`). */
export function isSendingIdentity(identity: unknown): identity is string {
  return typeof identity === 'string' && identity.length <= 253 && IDENTITY_PATTERN.test(identity);
}

/**
 * Throws a {@link ValidationError} naming `field` unless `identity` is a lower-case ASCII domain
 * name of at most 253 characters.
 */
export function assertSendingIdentity(identity: unknown, field = 'sendingIdentity'): void {
  if (!isSendingIdentity(identity)) {
    throw new ValidationError(
      field,
      `expected a lower-case domain name (letters, digits, '-' and '.'), got ${JSON.stringify(identity)}`,
    );
  }
}

/**
 * The sending identity of a send: the From address's domain, lower-cased (a trailing dot
 * dropped). Throws a {@link ValidationError} on `fromAddress` when it has no valid domain.
 *
 * @example sendingIdentityOf('Agent@Mail.Northwind.Example') // 'mail.northwind.example'
 */
export function sendingIdentityOf(fromAddress: string): string {
  const at = typeof fromAddress === 'string' ? fromAddress.lastIndexOf('@') : -1;
  const domain =
    at > 0
      ? fromAddress
          .slice(at + 1)
          .trim()
          .toLowerCase()
          .replace(/\.$/, '')
      : '';
  if (!isSendingIdentity(domain)) {
    throw new ValidationError(
      'fromAddress',
      `expected an email address with an ASCII domain, got ${JSON.stringify(fromAddress)}`,
    );
  }
  return domain;
}

/** An identity's place on the warm-up ladder, as stored. */
export interface IdentityWarmUpState extends WarmUpState {
  /** Days per phase, fixed when the ladder started (older state: the sending tenant's setting). */
  readonly phaseDays?: number;
  /** Set once the last phase is done; the identity then has no ladder cap. */
  readonly warmedUpAt?: string;
}

/** Where an identity stands: not on a ladder, on it (with a cap), or warmed up. */
export type IdentityWarmUpStage = 'none' | 'ladder' | 'warmed_up';

/** The identity's ladder cap now, and the state to store when the ladder starts, advances or ends. */
export interface IdentityWarmUpStatus {
  readonly stage: IdentityWarmUpStage;
  /** The ladder's daily cap for the identity; present exactly when `stage` is `ladder`. */
  readonly cap?: number;
  readonly phase?: number;
  /**
   * Present when the stored state must change. Store it with the repository's conditional
   * `setWarmUp(identity, update, state)`; a lost race means another sender moved it first.
   */
  readonly update?: IdentityWarmUpState;
}

/** What {@link identityWarmUpStatus} decides on. */
export interface IdentityWarmUpInput {
  /** The identity's stored ladder state, or undefined when it has none. */
  readonly state: IdentityWarmUpState | undefined;
  /** The sending tenant's `sending.warmUp` setting. */
  readonly tenantWarmUp: SendingSettings['warmUp'];
  /** The identity's deliverability over the window (all tenants on it); undefined counts as healthy. */
  readonly deliverability: DeliverabilityStats | undefined;
  readonly now: Date;
}

/**
 * The identity's warm-up status for one send at `now` (the rules are in the module comment):
 * starts the ladder for a warm-up tenant, advances it one phase after `phaseDays` while rates are
 * under the thresholds, holds it otherwise, and ends it after the last phase.
 */
export function identityWarmUpStatus(input: IdentityWarmUpInput): IdentityWarmUpStatus {
  const { state, tenantWarmUp, deliverability, now } = input;
  if (state?.warmedUpAt !== undefined) return { stage: 'warmed_up' };
  if (!state && !tenantWarmUp.enabled) return { stage: 'none' };

  const phaseDays = state?.phaseDays ?? tenantWarmUp.phaseDays;
  const ladder = warmUpStatus({ enabled: true, phaseDays }, state, deliverability, now);
  if (ladder.update) {
    return {
      stage: 'ladder',
      cap: ladder.cap ?? WARM_UP_LADDER[0],
      phase: ladder.update.phase,
      update: { ...ladder.update, phaseDays },
    };
  }
  const last = WARM_UP_LADDER.length - 1;
  if (
    state &&
    ladder.phase === last &&
    now.getTime() - new Date(state.phaseStartedAt).getTime() >= phaseDays * 86_400_000 &&
    ratesUnderThresholds(deliverability)
  ) {
    return {
      stage: 'warmed_up',
      update: {
        phase: last,
        phaseStartedAt: state.phaseStartedAt,
        phaseDays,
        warmedUpAt: now.toISOString(),
      },
    };
  }
  return {
    stage: 'ladder',
    cap: ladder.cap ?? WARM_UP_LADDER[0],
    ...(ladder.phase !== undefined ? { phase: ladder.phase } : {}),
  };
}

/** Why an identity cap deferred a send. */
export type IdentityDeferReason = 'identity_warm_up_cap' | 'identity_daily_cap';

/** The daily cap an identity's sends are held to, and which limit set it. */
export interface IdentityCap {
  readonly perDay: number;
  readonly reason: IdentityDeferReason;
}

/**
 * The identity's daily cap: the ladder's while it is on one, lowered by `dailyCap` (a fixed
 * per-identity cap, e.g. the provider's quota for the domain) when that is smaller. Undefined
 * when neither applies: the send still counts on the identity's day, uncapped.
 */
export function identityCap(
  status: IdentityWarmUpStatus,
  dailyCap?: number,
): IdentityCap | undefined {
  if (status.cap !== undefined && (dailyCap === undefined || status.cap <= dailyCap)) {
    return { perDay: status.cap, reason: 'identity_warm_up_cap' };
  }
  return dailyCap !== undefined ? { perDay: dailyCap, reason: 'identity_daily_cap' } : undefined;
}

/** Sends counted on an identity's (UTC) day. */
export interface IdentityCounters {
  readonly day: number;
}

/** The identity's day of an instant, `yyyy-MM-dd` in UTC (the day counter's key). */
export function identityDateKey(now: Date): string {
  return localDateKey(now, IDENTITY_TIME_ZONE);
}

/** Midnight UTC after `now`: when an identity's day counter starts again. */
export function startOfNextIdentityDay(now: Date): Date {
  return startOfNextLocalDay(now, IDENTITY_TIME_ZONE);
}

/**
 * The identity cap the day's count has reached, with when it frees (the next UTC midnight), or
 * undefined when one more send fits (always, without a cap). This is the condition the
 * repository's conditional `reserve` enforces.
 */
export function identityCapExceeded(
  counters: IdentityCounters,
  cap: IdentityCap | undefined,
  now: Date,
):
  | { readonly reason: IdentityDeferReason; readonly freesAt: Date; readonly detail: string }
  | undefined {
  if (!cap || counters.day < cap.perDay) return undefined;
  return {
    reason: cap.reason,
    freesAt: startOfNextIdentityDay(now),
    detail: `${counters.day}/${cap.perDay} from this sending domain today (UTC)`,
  };
}
