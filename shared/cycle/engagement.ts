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
import type { CycleRuntime } from './runtime.js';

/** A contact handed to the send queue is not planned again for this long, sent or not. */
export const FOLLOW_UP_COOL_DOWN_MS = 24 * 3_600_000;

/** A tenant's engagement picture at one instant. */
export interface EngagementSnapshot {
  readonly stats: EngagementStats;
  /** Overdue contacts worth a follow-up now, best first, at most the tenant's per-cycle budget. */
  readonly dueContacts: DueContact[];
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
 * Reads every contact of the tenant and computes engagement stats and the ranked due list
 * (21-day rule with the tenant's window, suppressed and recently planned contacts left out).
 */
export async function loadEngagement(
  runtime: CycleRuntime,
  tenantId: string,
  settings: TenantSettings,
  now: Date,
): Promise<EngagementSnapshot> {
  const { repos } = runtime;
  const contacts: Contact[] = [];
  for await (const contact of repos.contacts.all(tenantId)) contacts.push(contact);
  const clocks = contacts.map((contact) => contactClock(contact, settings, now));
  const stats = engagementStats(clocks, now);

  const overdue = contacts.filter((contact, i) => clocks[i]?.status === 'overdue');
  const coolingDown = (contact: Contact) =>
    contact.lastPlannedAt !== undefined &&
    now.getTime() - new Date(contact.lastPlannedAt).getTime() < FOLLOW_UP_COOL_DOWN_MS;
  const candidates = overdue.filter((contact) => !coolingDown(contact));
  const suppressed = await repos.suppressions.suppressedAmong(
    tenantId,
    candidates.map((contact) => contact.email),
  );
  const accountValues = new Map<string, number>();
  for (const accountId of new Set(
    candidates.flatMap((contact) => (contact.accountId ? [contact.accountId] : [])),
  )) {
    const account = await repos.accounts.get(tenantId, accountId);
    if (account?.annualValue !== undefined) accountValues.set(accountId, account.annualValue);
  }

  type Candidate = TouchCandidate & { readonly email: string };
  const ranked = selectNextContactsToTouch<Candidate>(
    candidates.map((contact) => ({
      contactId: contact.contactId,
      email: contact.email,
      createdAt: contact.createdAt ?? contact.lastTouchAt ?? now.toISOString(),
      ...(contact.accountId ? { accountId: contact.accountId } : {}),
      ...(contact.lastTouchAt
        ? { lastTouch: { type: 'other' as const, at: contact.lastTouchAt, by: 'agent' as const } }
        : {}),
      ...(contact.lastInboundAt ? { lastInboundAt: contact.lastInboundAt } : {}),
      ...(contact.accountId && accountValues.has(contact.accountId)
        ? { accountValue: accountValues.get(contact.accountId) }
        : {}),
      suppressed: suppressed.has(contact.email.toLowerCase()),
    })),
    { now, limit: settings.followUpsPerCycle, windowDays: settings.engagementWindowDays },
  );
  return {
    stats,
    dueContacts: ranked.map((entry) => ({
      contactId: entry.contact.contactId,
      email: entry.contact.email,
      ...(entry.contact.accountId ? { accountId: entry.contact.accountId } : {}),
      daysOverdue: entry.daysOverdue,
      priority: entry.score,
    })),
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
