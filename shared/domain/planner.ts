import type { ProposedAction } from './actions.js';
import type { PendingRequest, PlanningHint } from './reflection.js';

/** A contact the engagement index reports as due, with what the planner ranks it by. */
export interface DueContact {
  readonly contactId: string;
  readonly email: string;
  readonly accountId?: string;
  /** The instant the contact's engagement clock fell due: part of the touch's identity. */
  readonly dueAt: string;
  readonly daysOverdue: number;
  readonly priority: number;
}

/** Everything Plan gathered about a tenant; small by construction (ids and counts). */
export interface PlanningSituation {
  readonly now: Date;
  readonly dueContacts: readonly DueContact[];
  readonly overdueContacts: number;
  readonly newOrderIds: readonly string[];
  readonly openDeals: number;
  readonly openBids: number;
  readonly goals: { readonly behindPace: boolean; readonly pipelineThin: boolean };
  readonly hints: readonly PlanningHint[];
  readonly pendingRequests: readonly PendingRequest[];
}

/** Limits on one cycle's plan. */
export interface PlanningLimits {
  /** Follow-ups proposed per cycle; sending caps still apply downstream. */
  readonly followUpsPerCycle: number;
  /** Hard ceiling on cards per cycle, so a run's payloads and Act's work stay bounded. */
  readonly maxActions: number;
}

export const DEFAULT_PLANNING_LIMITS: PlanningLimits = { followUpsPerCycle: 10, maxActions: 50 };

/**
 * The rule-based planner: proposes typed actions from the situation. It only proposes; the policy
 * engine decides. Order of proposals (and so of cards): order validations, tasks the client asked
 * for, follow-ups to due contacts by priority (skipping contacts whose outreach was recently
 * blocked), then research when nobody is overdue and goals are behind pace or the pipeline thin.
 * A hint to avoid an action type drops proposals of that type until the hint expires.
 */
export function planActions(
  situation: PlanningSituation,
  limits: PlanningLimits = DEFAULT_PLANNING_LIMITS,
): ProposedAction[] {
  const active = situation.hints.filter(
    (hint) => !('until' in hint) || new Date(hint.until) > situation.now,
  );
  const avoided = new Set(
    active.flatMap((hint) => (hint.code === 'avoid_action_type' ? [hint.actionType] : [])),
  );
  const avoidedContacts = new Set(
    active.flatMap((hint) => (hint.code === 'avoid_contact' ? [hint.contactId] : [])),
  );
  const proposals: ProposedAction[] = [];

  for (const orderId of situation.newOrderIds) {
    proposals.push({
      type: 'validate_order',
      target: { orderId },
      reason: 'new order awaiting validation',
      payload: {},
    });
  }

  for (const request of situation.pendingRequests) {
    proposals.push({
      type: 'create_task',
      target: request.contactId ? { contactId: request.contactId } : {},
      reason: 'client asked for follow-up by a person',
      payload: { title: `Follow up on request in message ${request.messageId}` },
      evidence: {
        messageId: request.messageId,
        text: request.text,
        kind: 'client_request',
        ...(request.sourceClass ? { sourceClass: request.sourceClass } : {}),
        ...(request.automated ? { automated: [...request.automated] } : {}),
      },
    });
  }

  const ranked = situation.dueContacts
    .filter((contact) => !avoidedContacts.has(contact.contactId))
    .sort((a, b) => b.priority - a.priority || a.contactId.localeCompare(b.contactId));
  for (const contact of ranked.slice(0, limits.followUpsPerCycle)) {
    proposals.push({
      type: 'follow_up',
      target: {
        contactId: contact.contactId,
        email: contact.email,
        ...(contact.accountId ? { accountId: contact.accountId } : {}),
      },
      reason: `engagement window passed ${contact.daysOverdue} day(s) ago`,
      payload: { template: 'check_in', dueAt: contact.dueAt },
    });
  }

  // Research waits until the follow-up list is exhausted (the policy enforces the same rule).
  if (
    situation.overdueContacts === 0 &&
    (situation.goals.behindPace || situation.goals.pipelineThin)
  ) {
    proposals.push({
      type: 'research',
      target: {},
      reason: situation.goals.behindPace ? 'goals are behind pace' : 'pipeline is thin',
      payload: { topic: 'new prospects in served segments' },
    });
  }

  return proposals.filter((proposal) => !avoided.has(proposal.type)).slice(0, limits.maxActions);
}
