import type { KillSwitchState } from './gates.js';
import { doNotContactReason, emailDomain, inDomainList } from './engagement/contactability.js';
import { SEND_MODES, type SendMode } from './send-mode.js';
import {
  LIMITED_LIVE_CAPS,
  TIER_CAPS,
  type SendCaps,
  type SendingSettings,
  type SendingWindow,
} from './sending-settings.js';
import {
  isCircuitOpen,
  type CircuitState,
  type DeliverabilityStats,
  type WarmUpState,
} from './deliverability.js';
import {
  localDateKey,
  localHourLabel,
  localMonthKey,
  startOfNextLocalDay,
  startOfNextLocalHour,
  startOfNextLocalMonth,
  zonedInstant,
  zonedParts,
} from './zoned-time.js';

/**
 * The send gate (DESIGN.md section 5): a pure decision over everything the sender read, in this
 * order, stopping at the first step that says no and saying why:
 *
 * 1. global kill switch or `EMAIL_SEND_DISABLED` → stopped (the touch is dropped and re-planned)
 * 2. tenant disabled → stopped; its sending paused by the deliverability rules → stopped
 * 3. do-not-contact, suppression → suppressed; a discovered-only contact → blocked
 *    (`discovered_contact`)
 * 4. superseded: the contact was touched (or wrote) after the send was enqueued, or the touch
 *    is no longer due
 * 5. send mode: dry_run → recorded; internal_only → allow-list or blocked
 *    (`email_blocked_internal_only`); limited_live → strict caps; production → tenant caps
 * 6. sending window, provider circuit, then caps (month, day or warm-up, hour, domain-hour,
 *    minimum delay) → deferred with the due time
 * 7–9. (the caller) sending-identity reservation, idempotency claim on the touch key, SES send
 *
 * The counters are a snapshot; the caller's one conditional update re-checks the same caps
 * atomically ({@link reserveCounters} is that check in pure form).
 */

/** What the sender knows about the recipient. */
export interface GateRecipient {
  /** Lower-cased address. */
  readonly email: string;
  readonly contactId?: string;
  /** The contact's account, for the customer-account do-not-contact list. */
  readonly accountId?: string;
  /** Last inbound message from the contact; a reply after enqueueing cancels the follow-up. */
  readonly lastInboundAt?: string;
  /** Last touch of the contact (either direction); one after enqueueing supersedes the send. */
  readonly lastTouchAt?: string;
  /** When the contact's engagement clock falls due now (after every touch folded so far). */
  readonly currentDueAt?: string;
  /** Set when the contact was only discovered in someone else's mail. */
  readonly discovered?: boolean;
}

/** The tenant fields the gate reads. */
export interface GateTenant {
  readonly agentEnabled: boolean;
  readonly sendMode?: SendMode;
  readonly tier: keyof typeof TIER_CAPS;
  readonly timeZone: string;
  readonly internalDomains: readonly string[];
  readonly doNotContact: {
    readonly competitorDomains: readonly string[];
    readonly customerEmails: readonly string[];
    readonly customerAccountIds: readonly string[];
    readonly customerDomains: readonly string[];
  };
  readonly sending: SendingSettings;
}

/** Sending state kept per tenant (paused, warm-up position, provider circuit, recent rates). */
export interface SendingState {
  readonly paused?: { readonly reason: string; readonly detail?: string; readonly at: string };
  readonly warmUp?: WarmUpState;
  readonly circuit?: CircuitState;
  readonly deliverability?: DeliverabilityStats;
}

/** Counter values for the windows a send falls in, read before deciding. */
export interface RateCounters {
  /** Sends this (local) month, including today. */
  readonly month: number;
  readonly day: number;
  /** Sends this local hour. */
  readonly hour: number;
  /** Sends this local hour to the recipient's domain. */
  readonly domainHour: number;
  /** Last send of the tenant (ISO), for the minimum delay. */
  readonly lastSentAt?: string;
}

/** The counter windows of one send: which item and attributes its counts go to. */
export interface CounterWindow {
  /** Tenant-local date `yyyy-MM-dd` (the counter item). */
  readonly dateKey: string;
  /** Tenant-local month `yyyy-MM`. */
  readonly monthKey: string;
  /** Tenant-local hour `HH`. */
  readonly hourLabel: string;
  /** Recipient domain, lower-cased. */
  readonly domain: string;
}

/** Caps in force for one send; `dayCap` names the deferral reason of the daily cap. */
export interface SendLimits extends SendCaps {
  readonly dayCap: 'daily_cap';
}

/** Everything the gate decides on. */
export interface SendGateInput {
  readonly now: Date;
  /** A number in [0, 1) for jitter; injected so decisions are reproducible. */
  readonly random: number;
  readonly recipient: GateRecipient;
  /** When the request was enqueued (ISO); replies after it cancel the send. */
  readonly enqueuedAt: string;
  /** When the touch this send makes fell due (ISO); absent for sends that are not follow-ups. */
  readonly touchDueAt?: string;
  readonly killSwitch: KillSwitchState;
  readonly emailSendDisabled: boolean;
  /** The deployment's mode (`SEND_MODE`): a ceiling no tenant setting can raise. */
  readonly deploymentMode: SendMode;
  readonly tenant: GateTenant;
  /** The recipient's suppression record, when there is one. */
  readonly suppression?: { readonly reason: string };
  /** Deployment-wide internal allow-list (`EMAIL_INTERNAL_DOMAINS`, `EMAIL_INTERNAL_ADDRESSES`). */
  readonly internalAllowList: {
    readonly domains: readonly string[];
    readonly addresses: readonly string[];
  };
  readonly state: SendingState;
  readonly counters: RateCounters;
  /**
   * The From address this send would use and the SES identities the deployment may send from
   * (`SES_SENDING_IDENTITIES`). Checked only when present with a non-empty list.
   */
  readonly fromIdentity?: {
    readonly fromAddress: string;
    readonly configured: readonly string[];
  };
}

/**
 * Why a send was stopped: the whole agent (or the tenant's sending) is off. A stopped touch is
 * dropped from the queue and re-planned by a later cycle once the stop is lifted; it is never
 * sent late from the queue, and never recorded as done.
 */
export type StopReason =
  | 'kill_switch'
  | 'email_send_disabled'
  | 'tenant_disabled'
  | 'sending_paused'
  | 'sender_identity_not_configured';

/** Why a send was blocked for good. */
export type BlockReason = 'email_blocked_internal_only' | 'discovered_contact';

/** Why a queued send no longer applies. */
export type SupersedeReason = 'touched_since_enqueue' | 'contact_replied' | 'no_longer_due';

/** Which cap (or window) deferred a send. */
export type DeferReason =
  | 'outside_sending_window'
  | 'circuit_open'
  | 'monthly_cap'
  | 'daily_cap'
  | 'hourly_cap'
  | 'domain_hourly_cap'
  | 'min_delay';

/** The gate's answer. */
export type SendDecision =
  | {
      readonly kind: 'stopped';
      readonly step: 1 | 2;
      readonly reason: StopReason;
      readonly detail: string;
    }
  | {
      readonly kind: 'blocked';
      readonly step: 3 | 5;
      readonly reason: BlockReason;
      readonly detail: string;
    }
  | {
      readonly kind: 'superseded';
      readonly step: 4;
      readonly reason: SupersedeReason;
      readonly detail: string;
    }
  | {
      readonly kind: 'suppressed';
      readonly step: 3;
      readonly reason: string;
      readonly detail: string;
    }
  | {
      readonly kind: 'dry_run';
      readonly step: 5;
      readonly reason: 'dry_run';
      readonly detail: string;
    }
  | {
      readonly kind: 'deferred';
      readonly step: 6;
      readonly reason: DeferReason;
      readonly dueAt: Date;
      readonly detail: string;
      readonly mode: SendMode;
    }
  | {
      readonly kind: 'send';
      readonly step: 7;
      readonly mode: SendMode;
      readonly limits: SendLimits;
      readonly window: CounterWindow;
    };

/**
 * The mode that applies to a tenant: its own `sendMode` when set, but never further up the
 * ladder than the deployment's mode (a `dry_run` deployment sends nothing, whatever a tenant says).
 */
export function effectiveSendMode(deployment: SendMode, tenant: SendMode | undefined): SendMode {
  if (!tenant) return deployment;
  return SEND_MODES.indexOf(tenant) < SEND_MODES.indexOf(deployment) ? tenant : deployment;
}

/**
 * The caps for a tenant in a mode: tier defaults with the tenant's overrides; `limited_live` and
 * `internal_only` cap them further at 20/hour and 100/day. (The warm-up ladder is the sending
 * identity's, shared by every tenant on one From domain: shared/domain/sending-identity.ts.)
 */
export function resolveLimits(
  tier: GateTenant['tier'],
  overrides: SendingSettings['caps'],
  mode: SendMode,
): SendLimits {
  const defined = Object.fromEntries(
    Object.entries(overrides).filter(([, value]) => value !== undefined),
  ) as Partial<SendCaps>;
  const base: SendCaps = { ...TIER_CAPS[tier], ...defined };
  const strict = mode === 'limited_live' || mode === 'internal_only';
  const perHour = strict ? Math.min(base.perHour, LIMITED_LIVE_CAPS.perHour) : base.perHour;
  const perDay = strict ? Math.min(base.perDay, LIMITED_LIVE_CAPS.perDay) : base.perDay;
  return { ...base, perHour, perDay, dayCap: 'daily_cap' };
}

export { emailDomain };

/** The counter windows a send at `now` to `email` falls in, in the tenant's time zone. */
export function counterWindow(now: Date, timeZone: string, email: string): CounterWindow {
  return {
    dateKey: localDateKey(now, timeZone),
    monthKey: localMonthKey(now, timeZone),
    hourLabel: localHourLabel(now, timeZone),
    domain: emailDomain(email),
  };
}

/**
 * The first instant at or after `instant` inside the sending window (the instant itself when it
 * is inside, or the window is off).
 */
export function nextWindowOpening(instant: Date, timeZone: string, window: SendingWindow): Date {
  if (!window.enabled) return instant;
  const p = zonedParts(instant, timeZone);
  for (let offset = 0; offset <= 7; offset += 1) {
    const opens = zonedInstant(
      { year: p.year, month: p.month, day: p.day + offset, hour: window.startHour },
      timeZone,
    );
    if (!window.weekdays.includes(zonedParts(opens, timeZone).weekday)) continue;
    if (offset > 0 || instant.getTime() < opens.getTime()) return opens;
    const closes = zonedInstant(
      { year: p.year, month: p.month, day: p.day, hour: window.endHour },
      timeZone,
    );
    if (instant.getTime() < closes.getTime()) return instant;
  }
  // Unreachable with at least one weekday; fail towards later rather than sending now.
  return new Date(instant.getTime() + 7 * 86_400_000);
}

/** The first cap the counters have reached, with when it frees up; undefined when a send fits. */
export function exceededCap(
  counters: RateCounters,
  limits: SendLimits,
  now: Date,
  timeZone: string,
):
  | {
      readonly reason: Exclude<DeferReason, 'outside_sending_window' | 'circuit_open'>;
      readonly freesAt: Date;
      readonly detail: string;
    }
  | undefined {
  if (counters.month >= limits.perMonth) {
    return {
      reason: 'monthly_cap',
      freesAt: startOfNextLocalMonth(now, timeZone),
      detail: `${counters.month}/${limits.perMonth} this month`,
    };
  }
  if (counters.day >= limits.perDay) {
    return {
      reason: limits.dayCap,
      freesAt: startOfNextLocalDay(now, timeZone),
      detail: `${counters.day}/${limits.perDay} today`,
    };
  }
  if (counters.hour >= limits.perHour) {
    return {
      reason: 'hourly_cap',
      freesAt: startOfNextLocalHour(now, timeZone),
      detail: `${counters.hour}/${limits.perHour} this hour`,
    };
  }
  if (counters.domainHour >= limits.perDomainPerHour) {
    return {
      reason: 'domain_hourly_cap',
      freesAt: startOfNextLocalHour(now, timeZone),
      detail: `${counters.domainHour}/${limits.perDomainPerHour} to this domain this hour`,
    };
  }
  if (counters.lastSentAt !== undefined && limits.minDelaySeconds > 0) {
    const earliest = new Date(counters.lastSentAt).getTime() + limits.minDelaySeconds * 1_000;
    if (now.getTime() < earliest) {
      return {
        reason: 'min_delay',
        freesAt: new Date(earliest),
        detail: `last send ${counters.lastSentAt}, minimum delay ${limits.minDelaySeconds}s`,
      };
    }
  }
  return undefined;
}

/**
 * The counters after one more send at `now`, or the cap that forbids it. This is exactly the
 * condition the storage layer's single conditional update enforces.
 */
export function reserveCounters(
  counters: RateCounters,
  limits: SendLimits,
  now: Date,
  timeZone: string,
):
  | { readonly ok: true; readonly counters: RateCounters }
  | { readonly ok: false; readonly reason: DeferReason } {
  const exceeded = exceededCap(counters, limits, now, timeZone);
  if (exceeded) return { ok: false, reason: exceeded.reason };
  return {
    ok: true,
    counters: {
      month: counters.month + 1,
      day: counters.day + 1,
      hour: counters.hour + 1,
      domainHour: counters.domainHour + 1,
      lastSentAt: now.toISOString(),
    },
  };
}

/**
 * When a deferred send is due again: the first instant in the tenant's sending window at or after
 * `freesAt`, plus up to `jitterSeconds` of random delay so deferred sends spread out.
 */
export function deferralDueAt(
  input: Pick<SendGateInput, 'random' | 'tenant'>,
  freesAt: Date,
): Date {
  return new Date(
    nextWindowOpening(freesAt, input.tenant.timeZone, input.tenant.sending.window).getTime() +
      jitterMs(input),
  );
}

function jitterMs(input: Pick<SendGateInput, 'random' | 'tenant'>): number {
  const random = Math.min(Math.max(input.random, 0), 0.999_999);
  return Math.floor(random * input.tenant.sending.jitterSeconds * 1_000);
}

/** Decides what happens to one send request. See the module comment for the order. */
export function decideSend(input: SendGateInput): SendDecision {
  const { tenant, recipient, now } = input;

  // 1. Global stops.
  if (input.killSwitch.on) {
    return {
      kind: 'stopped',
      step: 1,
      reason: 'kill_switch',
      detail: input.killSwitch.reason ?? 'kill switch is on',
    };
  }
  if (input.emailSendDisabled) {
    return {
      kind: 'stopped',
      step: 1,
      reason: 'email_send_disabled',
      detail: 'EMAIL_SEND_DISABLED is true',
    };
  }

  // 2. The tenant.
  if (!tenant.agentEnabled) {
    return { kind: 'stopped', step: 2, reason: 'tenant_disabled', detail: 'agentEnabled is false' };
  }
  if (input.state.paused) {
    return {
      kind: 'stopped',
      step: 2,
      reason: 'sending_paused',
      detail: `paused (${input.state.paused.reason}) at ${input.state.paused.at}${input.state.paused.detail ? `: ${input.state.paused.detail}` : ''}`,
    };
  }

  if (input.fromIdentity && input.fromIdentity.configured.length > 0) {
    const refused = unconfiguredIdentity(
      input.fromIdentity.fromAddress,
      input.fromIdentity.configured,
    );
    if (refused) {
      return {
        kind: 'stopped',
        step: 2,
        reason: 'sender_identity_not_configured',
        detail: refused,
      };
    }
  }

  // 3. Do-not-contact, suppression, discovered-only contacts.
  const email = recipient.email.trim().toLowerCase();
  const domain = emailDomain(email);
  const dnc = doNotContactReason(email, recipient.accountId, tenant.doNotContact);
  if (dnc) return { kind: 'suppressed', step: 3, ...dnc };
  if (input.suppression)
    return {
      kind: 'suppressed',
      step: 3,
      reason: `suppressed:${input.suppression.reason}`,
      detail: `recipient is suppressed (${input.suppression.reason})`,
    };
  if (recipient.discovered)
    return {
      kind: 'blocked',
      step: 3,
      reason: 'discovered_contact',
      detail: 'the address was only seen in another person’s mail; it is not an outreach target',
    };

  // 4. Superseded.
  const superseded = supersededBy(input);
  if (superseded) return { kind: 'superseded', step: 4, ...superseded };

  // 5. Send mode.
  const mode = effectiveSendMode(input.deploymentMode, tenant.sendMode);
  if (mode === 'dry_run') {
    return { kind: 'dry_run', step: 5, reason: 'dry_run', detail: 'recorded, not sent' };
  }
  if (mode === 'internal_only') {
    const domains = [...tenant.internalDomains, ...input.internalAllowList.domains];
    const addresses = [
      ...tenant.sending.internalAddresses,
      ...input.internalAllowList.addresses,
    ].map((address) => address.trim().toLowerCase());
    if (!addresses.includes(email) && !inDomainList(domain, domains)) {
      return {
        kind: 'blocked',
        step: 5,
        reason: 'email_blocked_internal_only',
        detail: `${domain} is not on the internal allow-list`,
      };
    }
  }

  // 6. Window, circuit, caps. (The warm-up ladder belongs to the sending identity, which every
  // tenant on one From domain shares: the caller reserves it; see shared/domain/sending-identity.ts.)
  const window = tenant.sending.window;
  const defer = (reason: DeferReason, freesAt: Date, detail: string): SendDecision => ({
    kind: 'deferred' as const,
    step: 6 as const,
    reason,
    dueAt: deferralDueAt(input, freesAt),
    detail,
    mode,
  });

  if (nextWindowOpening(now, tenant.timeZone, window).getTime() !== now.getTime()) {
    return defer(
      'outside_sending_window',
      now,
      `outside ${window.startHour}:00-${window.endHour}:00 on weekdays ${window.weekdays.join(',')} (${tenant.timeZone})`,
    );
  }
  if (isCircuitOpen(input.state.circuit, now)) {
    return defer(
      'circuit_open',
      new Date(input.state.circuit?.openUntil ?? now),
      `provider circuit open until ${input.state.circuit?.openUntil}`,
    );
  }
  const limits = resolveLimits(tenant.tier, tenant.sending.caps, mode);
  const exceeded = exceededCap(input.counters, limits, now, tenant.timeZone);
  if (exceeded) return defer(exceeded.reason, exceeded.freesAt, exceeded.detail);

  return {
    kind: 'send' as const,
    step: 7 as const,
    mode,
    limits,
    window: counterWindow(now, tenant.timeZone, email),
  };
}

/**
 * Why a queued send no longer applies, or undefined: the contact was touched or wrote after the
 * send was enqueued, or its clock has moved past the due instant the touch was made for.
 */
export function supersededBy(
  input: Pick<SendGateInput, 'recipient' | 'enqueuedAt' | 'touchDueAt'>,
): { readonly reason: SupersedeReason; readonly detail: string } | undefined {
  const { recipient } = input;
  const enqueuedMs = new Date(input.enqueuedAt).getTime();
  if (
    recipient.lastInboundAt !== undefined &&
    new Date(recipient.lastInboundAt).getTime() >= enqueuedMs
  ) {
    return {
      reason: 'contact_replied',
      detail: `the contact wrote at ${recipient.lastInboundAt}, after this send was queued`,
    };
  }
  if (
    recipient.lastTouchAt !== undefined &&
    new Date(recipient.lastTouchAt).getTime() > enqueuedMs
  ) {
    return {
      reason: 'touched_since_enqueue',
      detail: `the contact was touched at ${recipient.lastTouchAt}, after this send was queued`,
    };
  }
  if (
    input.touchDueAt !== undefined &&
    recipient.currentDueAt !== undefined &&
    new Date(recipient.currentDueAt).getTime() > new Date(input.touchDueAt).getTime()
  ) {
    return {
      reason: 'no_longer_due',
      detail: `the touch fell due at ${input.touchDueAt}; the contact is now due at ${recipient.currentDueAt}`,
    };
  }
  return undefined;
}

/**
 * Why `fromAddress` cannot be sent from, or undefined when it can: its domain, or the address
 * itself, must be one of the `configured` SES identities (the ones the sender's IAM policy names).
 * A subdomain of a configured domain does not count: it is a separate identity to SES and IAM.
 */
export function unconfiguredIdentity(
  fromAddress: string,
  configured: readonly string[],
): string | undefined {
  const address = fromAddress.trim().toLowerCase();
  const at = address.lastIndexOf('@');
  const domain = at > 0 ? address.slice(at + 1).replace(/\.$/, '') : '';
  const wanted = configured.map((identity) => identity.trim().toLowerCase());
  if (domain !== '' && (wanted.includes(domain) || wanted.includes(address))) return undefined;
  return (
    `fromAddress ${JSON.stringify(fromAddress)}: domain ${JSON.stringify(domain)} is not a configured ` +
    `sending identity (${wanted.join(', ')}); add it to the sendingIdentities context and verify it in SES`
  );
}
