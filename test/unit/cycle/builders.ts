import type { ActionCard, CardStatus } from '../../../shared/domain/actions.js';
import type { DueContact, PlanningSituation } from '../../../shared/domain/planner.js';
import type { CycleMetrics, PlanningHint } from '../../../shared/domain/reflection.js';

/** The instant every cycle test plans at, unless a test moves it. */
export const NOW = new Date('2026-01-05T09:00:00.000Z');

const HOUR = 3_600_000;

/** An ISO instant `hours` after (or, negative, before) {@link NOW}. */
export function hoursFromNow(hours: number): string {
  return new Date(NOW.getTime() + hours * HOUR).toISOString();
}

/** A due contact; `id` doubles as the email's local part. */
export function dueContact(
  id: string,
  priority: number,
  overrides: Partial<DueContact> = {},
): DueContact {
  return {
    contactId: id,
    email: `${id}@client.example`,
    dueAt: '2026-01-01T09:00:00.000Z',
    daysOverdue: 1,
    priority,
    ...overrides,
  };
}

/** A situation with nothing to do, to be overridden field by field. */
export function situation(overrides: Partial<PlanningSituation> = {}): PlanningSituation {
  return {
    now: NOW,
    dueContacts: [],
    overdueContacts: 0,
    newOrderIds: [],
    openDeals: 0,
    openBids: 0,
    goals: { behindPace: false, pipelineThin: false },
    hints: [],
    pendingRequests: [],
    ...overrides,
  };
}

export function avoidTypeHint(actionType: string, until: string): PlanningHint {
  return {
    code: 'avoid_action_type',
    detail: `${actionType} avoided`,
    actionType,
    violationType: 'research_before_followups_exhausted',
    until,
  };
}

export function avoidContactHint(contactId: string, until: string): PlanningHint {
  return {
    code: 'avoid_contact',
    detail: `${contactId} avoided`,
    contactId,
    violationType: 'do_not_contact',
    until,
  };
}

let sequence = 0;

/** An action card in `status`, numbered in creation order. */
export function card(
  status: CardStatus,
  overrides: Partial<Omit<ActionCard, 'status'>> = {},
): ActionCard {
  sequence += 1;
  const at = NOW.toISOString();
  return {
    tenantId: 'acme',
    cardId: `2026010509-${String(sequence).padStart(4, '0')}`,
    hourKey: '2026010509',
    sequence,
    runId: 'run-1',
    type: 'follow_up',
    target: {},
    reason: 'test card',
    payload: {},
    status,
    history: [{ status, at }],
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

/** A blocked card with the policy decision that blocked it. */
export function blockedCard(
  type: string,
  violationType: string | undefined,
  target: ActionCard['target'] = {},
): ActionCard {
  return card('blocked', {
    type,
    target,
    decision: {
      allowed: false,
      rule: 'some_rule',
      ...(violationType ? { violationType } : {}),
    },
  });
}

/** Metrics of a quiet cycle, to be overridden field by field. */
export function metrics(overrides: Partial<CycleMetrics> = {}): CycleMetrics {
  return {
    contacts: 0,
    overdueContacts: 0,
    complianceRate: 1,
    actionsPlanned: 0,
    actionsExecuted: 0,
    actionsBlocked: 0,
    actionsDeferred: 0,
    actionsFailed: 0,
    outcomesFolded: 0,
    ...overrides,
  };
}
