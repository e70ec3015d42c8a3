/**
 * Statuses of a send result. `unknown` is an in-doubt send the event stream never settled: it
 * counts as a touch (it may have been delivered) and is never re-sent.
 */
export type SendResultStatus =
  'sent' | 'dry_run' | 'blocked' | 'deferred' | 'suppressed' | 'superseded' | 'failed' | 'unknown';

/** Send results that count as a touch of the contact. */
export const TOUCH_SEND_STATUSES: readonly SendResultStatus[] = ['sent', 'unknown'];

/**
 * Things that happened outside the cycle (sends, inbound mail, order changes) and that React folds
 * into the tenant's state at the next cycle.
 */
export type Outcome =
  | {
      readonly kind: 'send_result';
      readonly email: string;
      readonly contactId?: string;
      readonly cardId?: string;
      readonly status: SendResultStatus;
      readonly reason?: string;
      /** The touch this result belongs to (its idempotency key). */
      readonly touchKey?: string;
    }
  | {
      readonly kind: 'inbound_message';
      readonly messageId: string;
      readonly from: string;
      readonly contactId?: string;
      readonly classification: string;
      /** Set when the message contains an explicit request for a person to act. */
      readonly request?: { readonly text: string };
      /** Header facts marking the message as machine-sent (e.g. `auto_submitted`). */
      readonly automated?: readonly string[];
    }
  | {
      readonly kind: 'bounce';
      readonly email: string;
      readonly bounceType: 'hard' | 'soft' | 'complaint';
    }
  | { readonly kind: 'order_update'; readonly orderId: string; readonly status: string };

/**
 * An outcome as stored in the inbox: its id, `at` (when it happened, e.g. SES's event time) and
 * `writtenAt` (when the inbox learned of it, which orders React's folding).
 */
export type StoredOutcome = Outcome & {
  readonly outcomeId: string;
  readonly at: string;
  readonly writtenAt: string;
};

/** An explicit request found in an inbound message, with what the classifier said of that message. */
export interface PendingRequestSource {
  readonly contactId?: string;
  readonly messageId: string;
  readonly text: string;
  readonly sourceClass?: string;
  readonly automated?: readonly string[];
}

/** What React learned from a batch of outcomes. */
export interface OutcomeSummary {
  readonly folded: number;
  readonly byKind: Readonly<Record<string, number>>;
  readonly sendsByStatus: Readonly<Record<string, number>>;
  /** Contacts touched, with the latest touch per contact and direction. */
  readonly touches: readonly {
    readonly contactId: string;
    readonly at: string;
    readonly direction: 'outbound' | 'inbound';
  }[];
  readonly requests: readonly PendingRequestSource[];
  readonly bouncedEmails: readonly string[];
}

/**
 * Folds outcomes (in any order) into a summary: counts by kind and send status, the latest touch
 * per contact (a `sent` result is an outbound touch, an inbound message an inbound one), explicit
 * requests to carry to the next plan, and hard-bounced or complaining addresses.
 */
export function summariseOutcomes(outcomes: readonly StoredOutcome[]): OutcomeSummary {
  const byKind: Record<string, number> = {};
  const sendsByStatus: Record<string, number> = {};
  const latestTouch = new Map<
    string,
    { contactId: string; at: string; direction: 'outbound' | 'inbound' }
  >();
  const requests: PendingRequestSource[] = [];
  const bounced = new Set<string>();

  const touch = (contactId: string | undefined, at: string, direction: 'outbound' | 'inbound') => {
    if (!contactId) return;
    const key = `${contactId}|${direction}`;
    const previous = latestTouch.get(key);
    if (!previous || previous.at < at) latestTouch.set(key, { contactId, at, direction });
  };

  for (const outcome of outcomes) {
    byKind[outcome.kind] = (byKind[outcome.kind] ?? 0) + 1;
    switch (outcome.kind) {
      case 'send_result':
        sendsByStatus[outcome.status] = (sendsByStatus[outcome.status] ?? 0) + 1;
        if (TOUCH_SEND_STATUSES.includes(outcome.status))
          touch(outcome.contactId, outcome.at, 'outbound');
        break;
      case 'inbound_message':
        touch(outcome.contactId, outcome.at, 'inbound');
        if (outcome.request) {
          requests.push({
            messageId: outcome.messageId,
            text: outcome.request.text,
            sourceClass: outcome.classification,
            ...(outcome.automated && outcome.automated.length > 0
              ? { automated: [...outcome.automated] }
              : {}),
            ...(outcome.contactId ? { contactId: outcome.contactId } : {}),
          });
        }
        break;
      case 'bounce':
        if (outcome.bounceType !== 'soft') bounced.add(outcome.email.toLowerCase());
        break;
      case 'order_update':
        break;
    }
  }

  return {
    folded: outcomes.length,
    byKind,
    sendsByStatus,
    touches: [...latestTouch.values()].sort(
      (a, b) =>
        a.contactId.localeCompare(b.contactId) ||
        a.at.localeCompare(b.at) ||
        a.direction.localeCompare(b.direction),
    ),
    requests: requests.sort((a, b) => a.messageId.localeCompare(b.messageId)),
    bouncedEmails: [...bounced].sort(),
  };
}
