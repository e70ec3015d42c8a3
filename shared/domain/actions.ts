import * as z from '../zod.js';

/**
 * Action types the planner may propose. The policy engine decides on each; a type missing from its
 * registry is denied, so adding a value here does not by itself let anything through.
 */
export const ACTION_TYPES = [
  'send_email',
  'follow_up',
  'create_task',
  'research',
  'contact_discovery',
  'validate_order',
] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

/** What an action is about; every reference is an id inside the same tenant. */
export const actionTargetSchema = z.object({
  contactId: z.optional(z.string()),
  accountId: z.optional(z.string()),
  orderId: z.optional(z.string()),
  dealId: z.optional(z.string()),
  bidId: z.optional(z.string()),
  email: z.optional(z.string()),
});
export type ActionTarget = z.infer<typeof actionTargetSchema>;

/**
 * A typed proposal from the planner (rules or, later, an LLM). `type` is a plain string on purpose:
 * proposals are untrusted input and an unknown type must reach the policy engine to be denied.
 */
export const proposedActionSchema = z.object({
  type: z.string().check(z.minLength(1)),
  target: z._default(actionTargetSchema, {}),
  /** Why the planner proposes it, in one sentence; shown on the card and in audits. */
  reason: z.string().check(z.minLength(1)),
  /** Small, type-specific parameters (template id, subject); never whole data sets. */
  payload: z._default(z.record(z.string(), z.unknown()), {}),
  /** Evidence for actions that need it, e.g. the inbound message that asked for a call. */
  evidence: z.optional(
    z.object({
      messageId: z.optional(z.string()),
      text: z.optional(z.string()),
      kind: z.optional(z.enum(['client_request', 'compliance_deadline', 'safety_escalation'])),
      /** The ingest class of the inbound message the evidence comes from (`inbound_message.classification`). */
      sourceClass: z.optional(z.string()),
      /** Header facts marking that message as machine-sent (`inbound_message.automated`), e.g. `auto_submitted`. */
      automated: z.optional(z.array(z.string())),
    }),
  ),
});
export type ProposedAction = z.infer<typeof proposedActionSchema>;

/**
 * Lifecycle of an action card: planned → executing → done | blocked | deferred | failed, or, when
 * the rollout phase keeps an allowed action from executing (shared/domain/rollout/phase.ts),
 * `recorded` (shadow/parallel: would-execute) or `awaiting_approval` (assisted).
 */
export const CARD_STATUSES = [
  'planned',
  'executing',
  'done',
  'blocked',
  'deferred',
  'failed',
  'recorded',
  'awaiting_approval',
] as const;
export type CardStatus = (typeof CARD_STATUSES)[number];

/** The transitions a card may make; every other transition is refused by a conditional write. */
export const CARD_TRANSITIONS: Readonly<Record<CardStatus, readonly CardStatus[]>> = {
  planned: ['executing', 'blocked'],
  executing: ['done', 'blocked', 'deferred', 'failed', 'recorded', 'awaiting_approval'],
  done: [],
  blocked: [],
  deferred: [],
  failed: [],
  recorded: [],
  awaiting_approval: [],
};

/** True when a card may move from `from` to `to`. */
export function canTransition(from: CardStatus, to: CardStatus): boolean {
  return CARD_TRANSITIONS[from].includes(to);
}

/** The policy engine's verdict as recorded on a card. */
export interface CardDecision {
  readonly allowed: boolean;
  readonly rule: string;
  readonly violationType?: string;
  readonly reason?: string;
}

/** A persisted action: the proposal plus its lifecycle. */
export interface ActionCard extends ProposedAction {
  readonly tenantId: string;
  readonly cardId: string;
  readonly hourKey: string;
  readonly sequence: number;
  readonly runId: string;
  readonly status: CardStatus;
  readonly claimedBy?: string;
  readonly decision?: CardDecision;
  readonly result?: Readonly<Record<string, unknown>>;
  readonly history: readonly { readonly status: CardStatus; readonly at: string }[];
  readonly createdAt: string;
  readonly updatedAt: string;
}
