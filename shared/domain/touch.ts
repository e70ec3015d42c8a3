import { createHash } from 'node:crypto';

/**
 * Touches (DESIGN.md section 5): the unit of exactly-once on the send path. A touch is "contact C
 * is due for a follow-up whose clock fell due at D"; its key is derived from that content, never
 * from a position in a plan, so a retried Plan, an Act retry, an SQS redelivery, a deferral, a DLQ
 * redrive and a re-plan days later all land on the same send claim.
 */

/** Longest touch key kept readable; longer subjects are replaced by a digest (SES tag limits). */
export const MAX_TOUCH_KEY_LENGTH = 180;

/** Longest card id (the table's entity-id limit). */
const MAX_CARD_ID_LENGTH = 128;

/** A queued send the planner must not propose again while it is in flight. */
export interface PendingSend {
  readonly touchKey: string;
  readonly enqueuedAt: string;
  /** The instant the touch fell due. */
  readonly dueAt?: string;
}

/** The last touch whose send reached a final status, so the same touch is never proposed again. */
export interface ResolvedTouch {
  readonly touchKey: string;
  readonly status: string;
  readonly at: string;
}

/**
 * A pending send older than this is surfaced (metric, `agentctl health`, RUNBOOK) and never
 * silently re-planned: a weekend plus a day of deferrals stays under it.
 */
export const PENDING_SEND_STALE_MS = 3 * 86_400_000;

function digest(text: string, length: number): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, length);
}

/** Shortens `id` to `max` characters with a digest of the whole when it is longer. */
function bounded(id: string, max: number): string {
  return id.length <= max ? id : `${id.slice(0, max - 25)}.${digest(id, 24)}`;
}

/**
 * The touch key of the follow-up to `contactId` whose engagement clock fell due at `dueAt`.
 *
 * @example
 * followUpTouchKey('acme', 'c-7', '2026-02-06T17:00:00.000Z') // 'acme:follow_up:c-7:2026-02-06T17:00:00.000Z'
 */
export function followUpTouchKey(tenantId: string, contactId: string, dueAt: string): string {
  return bounded(`${tenantId}:follow_up:${contactId}:${dueAt}`, MAX_TOUCH_KEY_LENGTH);
}

/** The touch key of any other email an action sends (a one-off `send_email` card, a broadcast). */
export function actionTouchKey(tenantId: string, actionType: string, subject: string): string {
  return bounded(`${tenantId}:${actionType}:${subject}`, MAX_TOUCH_KEY_LENGTH);
}

/** True when a pending send was enqueued longer than {@link PENDING_SEND_STALE_MS} before `now`. */
export function isPendingSendStale(pending: PendingSend, now: Date): boolean {
  return now.getTime() - new Date(pending.enqueuedAt).getTime() > PENDING_SEND_STALE_MS;
}

/** The parts of a proposal a card id is derived from. */
export interface CardIdentity {
  readonly type: string;
  readonly target: {
    readonly contactId?: string;
    readonly orderId?: string;
    readonly dealId?: string;
    readonly bidId?: string;
    readonly email?: string;
  };
  readonly payload: Readonly<Record<string, unknown>>;
  readonly evidence?: { readonly messageId?: string };
}

/**
 * A card id derived from what the card is about, so the same proposal made twice (a Plan retried
 * after its inputs shifted) is the same card: `follow_up:<contactId>:<due>`,
 * `validate_order:<orderId>`, `create_task:<messageId>`, `<type>:<day>` for research.
 */
export function cardIdOf(action: CardIdentity, now: Date): string {
  const { target, payload } = action;
  const due = typeof payload['dueAt'] === 'string' ? payload['dueAt'] : undefined;
  const subject =
    action.type === 'follow_up' && target.contactId
      ? `${target.contactId}:${due ?? 'due'}`
      : action.type === 'validate_order' && target.orderId
        ? target.orderId
        : action.type === 'create_task' && action.evidence?.messageId
          ? action.evidence.messageId
          : (target.contactId ??
            target.orderId ??
            target.dealId ??
            target.bidId ??
            target.email ??
            now.toISOString().slice(0, 10));
  const id = `${action.type}:${subject}`.replace(/[^A-Za-z0-9._:@-]/g, '_');
  return bounded(/^[A-Za-z0-9]/.test(id) ? id : `x${id}`, MAX_CARD_ID_LENGTH);
}
