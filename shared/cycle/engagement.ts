import {
  computeClock,
  recordTouch,
  type EngagementClock,
  type Touch,
} from '../domain/engagement/engagement-clock.js';
import {
  selectNextContactsToTouch,
  type TouchCandidate,
} from '../domain/engagement/contact-selection.js';
import { engagementStats, type EngagementStats } from '../domain/engagement/engagement-stats.js';
import type { Contact } from '../domain/entities.js';
import type { DueContact } from '../domain/planner.js';
import type { TenantSettings } from '../domain/tenant.js';
import {
  contactabilityOf,
  summariseNotContactable,
  type NotContactableSummary,
} from '../domain/engagement/contactability.js';
import { followUpTouchKey, isPendingSendStale, type PendingSend } from '../domain/touch.js';
import type { CycleRuntime } from './runtime.js';

/** A tenant's engagement picture at one instant. */
export interface EngagementSnapshot {
  /** Compliance over contactable contacts only. */
  readonly stats: EngagementStats;
  /** Overdue contacts worth a follow-up now, best first, at most the tenant's per-cycle budget. */
  readonly dueContacts: DueContact[];
  /** Contacts the agent may not reach out to, counted by reason. */
  readonly notContactable: NotContactableSummary;
  /** Overdue not-contactable contacts whose current touch has not been reported yet. */
  readonly newlyNotContactable: readonly {
    readonly contactId: string;
    readonly email: string;
    readonly touchKey: string;
    readonly dueAt: string;
    readonly reason: string;
    readonly detail: string;
  }[];
  /** Contacts whose queued touch has waited longer than the pending-send bound. */
  readonly stalePendingSends: readonly {
    readonly contactId: string;
    readonly pending: PendingSend;
  }[];
  /** The earliest due date after now of any contact (the next time the due list can grow). */
  readonly upcomingDueAt: string | undefined;
  /** Contacts with a touch still queued (its send result will arrive as an outcome). */
  readonly pendingSends: number;
}

/** The clock of a stored contact: its last touch, or its creation when never touched. */
export function contactClock(
  contact: Contact,
  settings: Pick<TenantSettings, 'engagementWindowDays'>,
  now: Date,
): EngagementClock {
  const lastTouch: Touch | undefined = contact.lastTouchAt
    ? { type: 'other', at: contact.lastTouchAt, by: 'agent' }
    : undefined;
  return computeClock(lastTouch, {
    now,
    windowDays: settings.engagementWindowDays,
    createdAt: contact.createdAt ?? contact.lastTouchAt ?? now.toISOString(),
  });
}

/**
 * Reads every contact of the tenant and computes engagement stats over the contactable ones and
 * the ranked due list (21-day rule with the tenant's window). A contact is left out of the due
 * list while a touch to it is queued (`pendingSend`) and when its current touch already reached
 * a final status (`resolvedTouch`): a touch is proposed once, however long it waits. With
 * `rank: false` the due list is left empty and no account is read (for callers that only need
 * the figures); `contacts` are the tenant's contacts when the caller has already read them all.
 */
export async function loadEngagement(
  runtime: CycleRuntime,
  tenantId: string,
  settings: TenantSettings,
  now: Date,
  options: { rank?: boolean; contacts?: readonly Contact[] } = {},
): Promise<EngagementSnapshot> {
  const { repos } = runtime;
  const contacts: Contact[] = [...(options.contacts ?? [])];
  if (!options.contacts)
    for await (const contact of repos.contacts.all(tenantId)) contacts.push(contact);
  const suppressions = new Map(
    (await repos.suppressions.list(tenantId)).map((entry) => [entry.email, entry.reason]),
  );

  const judged = contacts.map((contact) => {
    const clock = contactClock(contact, settings, now);
    const suppressionReason = suppressions.get(contact.email.toLowerCase());
    const verdict = contactabilityOf(
      {
        email: contact.email,
        ...(contact.accountId ? { accountId: contact.accountId } : {}),
        ...(contact.discovered ? { discovered: contact.discovered } : {}),
        ...(suppressionReason ? { suppressionReason } : {}),
      },
      settings.doNotContact,
    );
    const touchKey = followUpTouchKey(tenantId, contact.contactId, clock.nextDueAt);
    return { contact, clock, verdict, touchKey };
  });
  const contactable = judged.filter((entry) => entry.verdict.contactable);
  const stats = engagementStats(
    contactable.map((entry) => entry.clock),
    now,
  );
  const newlyNotContactable = judged.flatMap((entry) =>
    !entry.verdict.contactable &&
    entry.clock.status === 'overdue' &&
    entry.contact.resolvedTouch?.touchKey !== entry.touchKey
      ? [
          {
            contactId: entry.contact.contactId,
            email: entry.contact.email,
            touchKey: entry.touchKey,
            dueAt: entry.clock.nextDueAt,
            reason: entry.verdict.reason,
            detail: entry.verdict.detail,
          },
        ]
      : [],
  );
  const stalePendingSends = judged.flatMap((entry) =>
    entry.contact.pendingSend && isPendingSendStale(entry.contact.pendingSend, now)
      ? [{ contactId: entry.contact.contactId, pending: entry.contact.pendingSend }]
      : [],
  );

  const candidates = contactable.filter(
    (entry) =>
      options.rank !== false &&
      entry.clock.status === 'overdue' &&
      !entry.contact.pendingSend &&
      entry.contact.resolvedTouch?.touchKey !== entry.touchKey,
  );
  const accounts = await repos.workingSet.accounts(
    tenantId,
    candidates.flatMap((entry) => (entry.contact.accountId ? [entry.contact.accountId] : [])),
  );
  const accountValues = new Map<string, number>();
  for (const [accountId, account] of accounts)
    if (account.annualValue !== undefined) accountValues.set(accountId, account.annualValue);

  type Candidate = TouchCandidate & { readonly email: string; readonly dueAt: string };
  const ranked = selectNextContactsToTouch<Candidate>(
    candidates.map(({ contact, clock }) => ({
      contactId: contact.contactId,
      email: contact.email,
      dueAt: clock.nextDueAt,
      createdAt: contact.createdAt ?? contact.lastTouchAt ?? now.toISOString(),
      ...(contact.accountId ? { accountId: contact.accountId } : {}),
      ...(contact.lastTouchAt
        ? { lastTouch: { type: 'other' as const, at: contact.lastTouchAt, by: 'agent' as const } }
        : {}),
      ...(contact.lastInboundAt ? { lastInboundAt: contact.lastInboundAt } : {}),
      ...(contact.accountId && accountValues.has(contact.accountId)
        ? { accountValue: accountValues.get(contact.accountId) }
        : {}),
      suppressed: false,
    })),
    { now, limit: settings.followUpsPerCycle, windowDays: settings.engagementWindowDays },
  );
  return {
    stats,
    dueContacts: ranked.map((entry) => ({
      contactId: entry.contact.contactId,
      email: entry.contact.email,
      dueAt: entry.contact.dueAt,
      ...(entry.contact.accountId ? { accountId: entry.contact.accountId } : {}),
      daysOverdue: entry.daysOverdue,
      priority: entry.score,
    })),
    notContactable: summariseNotContactable(judged.map((entry) => entry.verdict)),
    newlyNotContactable,
    stalePendingSends,
    upcomingDueAt: judged
      .map((entry) => entry.clock.nextDueAt)
      .filter((dueAt) => new Date(dueAt).getTime() > now.getTime())
      .sort()[0],
    pendingSends: judged.filter((entry) => entry.contact.pendingSend).length,
  };
}

/**
 * Applies touches React found to the contacts' engagement clocks: each moves `lastTouchAt` forward
 * only (one conditional update), and an inbound touch also sets `lastInboundAt`.
 */
export async function applyTouches(
  runtime: CycleRuntime,
  tenantId: string,
  settings: TenantSettings,
  touches: readonly { contactId: string; at: string; direction: 'outbound' | 'inbound' }[],
): Promise<number> {
  let applied = 0;
  const now = runtime.clock.now();
  for (const touch of touches) {
    const contact = await runtime.repos.contacts.get(tenantId, touch.contactId);
    if (!contact) continue;
    const clock = recordTouch(
      contactClock(contact, settings, now),
      {
        type: touch.direction === 'inbound' ? 'email_in' : 'email_out',
        at: touch.at,
        by: touch.direction === 'inbound' ? 'contact' : 'agent',
      },
      { now, windowDays: settings.engagementWindowDays },
    );
    const moved = await runtime.repos.contacts.recordEngagement(tenantId, touch.contactId, {
      lastTouchAt: clock.lastTouch?.at ?? touch.at,
      nextDueAt: clock.nextDueAt,
      ...(touch.direction === 'inbound' ? { lastInboundAt: touch.at } : {}),
    });
    if (moved) applied += 1;
  }
  return applied;
}
