import type { ActionCard } from './actions.js';
import type { ReflectedCard } from './reflected-card.js';

/** A steer for the next hour's planner, derived from what happened this hour. */
export type PlanningHint =
  | {
      readonly code: 'prioritise_overdue';
      readonly detail: string;
      readonly overdueContacts: number;
    }
  | {
      readonly code: 'avoid_action_type';
      readonly detail: string;
      readonly actionType: string;
      readonly violationType: string;
      readonly until: string;
    }
  | {
      readonly code: 'avoid_contact';
      readonly detail: string;
      readonly contactId: string;
      readonly violationType: string;
      readonly until: string;
    }
  | { readonly code: 'retry_failed'; readonly detail: string; readonly failed: number };

/** An inbound request React found, carried to the next Plan as task evidence. */
export interface PendingRequest {
  readonly contactId?: string;
  readonly messageId: string;
  readonly text: string;
  /** The classifier's class of the message the request came from. */
  readonly sourceClass?: string;
  /** Header facts marking that message as machine-sent. */
  readonly automated?: readonly string[];
}

/** Headline numbers of a tenant-hour, compared between reflections. */
export interface CycleMetrics {
  readonly contacts: number;
  readonly overdueContacts: number;
  readonly complianceRate: number;
  readonly actionsPlanned: number;
  readonly actionsExecuted: number;
  readonly actionsBlocked: number;
  readonly actionsDeferred: number;
  readonly actionsFailed: number;
  readonly outcomesFolded: number;
}

/** What a cycle learned: written by Reflect, read by the next Plan. */
export interface ReflectionBody {
  readonly metrics: CycleMetrics;
  /** How each headline metric moved since the previous reflection. */
  readonly deltas: Readonly<Partial<Record<keyof CycleMetrics, number>>>;
  readonly blockedBy: Readonly<Record<string, number>>;
  readonly changes: readonly string[];
  readonly hints: readonly PlanningHint[];
  readonly pendingRequests: readonly PendingRequest[];
}

/** A blocked action type is avoided once it was blocked this many times for one reason in a cycle. */
export const AVOID_AFTER_BLOCKS = 2;
/** How long an avoided action type stays avoided. */
export const AVOID_TYPE_MS = 6 * 3_600_000;
/** How long a contact whose outreach was blocked is left out of plans (do-not-contact rarely changes within a day). */
export const AVOID_CONTACT_MS = 24 * 3_600_000;

/**
 * Summarises a cycle into a reflection: counts by card status, blocks by violation type, metric
 * deltas against the previous reflection, and hints for the next hour.
 */
export function reflectOnCycle(input: {
  readonly cards: readonly ReflectedCard[];
  readonly engagement: {
    readonly contacts: number;
    readonly overdue: number;
    readonly complianceRate: number;
  };
  readonly outcomesFolded: number;
  readonly pendingRequests: readonly PendingRequest[];
  readonly previous?: Pick<ReflectionBody, 'metrics' | 'hints'>;
  readonly now: Date;
}): ReflectionBody {
  const count = (status: ActionCard['status']) =>
    input.cards.filter((card) => card.status === status).length;
  const metrics: CycleMetrics = {
    contacts: input.engagement.contacts,
    overdueContacts: input.engagement.overdue,
    complianceRate: round(input.engagement.complianceRate),
    actionsPlanned: input.cards.length,
    actionsExecuted: count('done'),
    actionsBlocked: count('blocked'),
    actionsDeferred: count('deferred'),
    actionsFailed: count('failed'),
    outcomesFolded: input.outcomesFolded,
  };

  const blockedBy: Record<string, number> = {};
  const blockedPairs = new Map<
    string,
    { actionType: string; violationType: string; count: number }
  >();
  const blockedContacts = new Map<string, string>();
  for (const card of input.cards) {
    if (card.status !== 'blocked') continue;
    const violationType = card.decision?.violationType ?? 'unknown';
    blockedBy[violationType] = (blockedBy[violationType] ?? 0) + 1;
    if (card.target.contactId) {
      blockedContacts.set(card.target.contactId, violationType);
      continue;
    }
    const pairKey = `${card.type}|${violationType}`;
    const pair = blockedPairs.get(pairKey) ?? { actionType: card.type, violationType, count: 0 };
    pair.count += 1;
    blockedPairs.set(pairKey, pair);
  }

  const deltas: Partial<Record<keyof CycleMetrics, number>> = {};
  const changes: string[] = [];
  if (input.previous) {
    for (const name of Object.keys(metrics) as (keyof CycleMetrics)[]) {
      const delta = round(metrics[name] - input.previous.metrics[name]);
      if (delta !== 0) {
        deltas[name] = delta;
        changes.push(
          `${name} ${delta > 0 ? 'rose' : 'fell'} by ${Math.abs(delta)} to ${metrics[name]}`,
        );
      }
    }
  } else {
    changes.push('first reflection for this tenant');
  }
  for (const [type, n] of Object.entries(blockedBy))
    changes.push(`${n} action(s) blocked by ${type}`);

  const nowMs = input.now.getTime();
  const hints: PlanningHint[] = [];
  if (metrics.overdueContacts > 0) {
    hints.push({
      code: 'prioritise_overdue',
      detail: `${metrics.overdueContacts} contact(s) past the engagement window`,
      overdueContacts: metrics.overdueContacts,
    });
  }
  for (const pair of blockedPairs.values()) {
    if (pair.count >= AVOID_AFTER_BLOCKS) {
      hints.push({
        code: 'avoid_action_type',
        detail: `${pair.actionType} was blocked ${pair.count} times by ${pair.violationType}`,
        actionType: pair.actionType,
        violationType: pair.violationType,
        until: new Date(nowMs + AVOID_TYPE_MS).toISOString(),
      });
    }
  }
  for (const [contactId, violationType] of blockedContacts) {
    hints.push({
      code: 'avoid_contact',
      detail: `outreach to ${contactId} was blocked by ${violationType}`,
      contactId,
      violationType,
      until: new Date(nowMs + AVOID_CONTACT_MS).toISOString(),
    });
  }
  // Avoidance hints outlive one hour: carry the unexpired ones forward unless renewed above.
  for (const hint of input.previous?.hints ?? []) {
    if (hint.code !== 'avoid_action_type' && hint.code !== 'avoid_contact') continue;
    if (new Date(hint.until).getTime() <= nowMs) continue;
    const renewed = hints.some(
      (h) =>
        (h.code === 'avoid_contact' &&
          hint.code === 'avoid_contact' &&
          h.contactId === hint.contactId) ||
        (h.code === 'avoid_action_type' &&
          hint.code === 'avoid_action_type' &&
          h.actionType === hint.actionType),
    );
    if (!renewed) hints.push(hint);
  }
  if (metrics.actionsFailed > 0) {
    hints.push({
      code: 'retry_failed',
      detail: `${metrics.actionsFailed} action(s) failed`,
      failed: metrics.actionsFailed,
    });
  }

  return { metrics, deltas, blockedBy, changes, hints, pendingRequests: input.pendingRequests };
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
