import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SK_PREFIX, keys } from './keys.js';
import { queryTenantPrefix, ttlAfter, type TableContext } from './table-client.js';
import { isConditionalCheckFailed, oldItemOf, withoutStorageAttributes } from './items.js';

/**
 * States of a send record (the lifecycle is drawn in shared/sending/send-lifecycle.ts).
 * `deferred` and `released` are open (the next delivery may decide or claim again); `claimed` is
 * in flight; `in_doubt` waits for the event stream; the rest are final: never sent (again).
 */
export const SEND_RECORD_STATUSES = [
  'deferred',
  'released',
  'claimed',
  'in_doubt',
  'sent',
  'dry_run',
  'blocked',
  'suppressed',
  'superseded',
  'failed',
  'not_sent',
  'unknown',
] as const;
/** One of {@link SEND_RECORD_STATUSES}. */
export type SendRecordStatus = (typeof SEND_RECORD_STATUSES)[number];

/** Final statuses a gate decision records without a claim. */
export type DecidedStatus = 'dry_run' | 'blocked' | 'suppressed' | 'superseded';

const OPEN_STATUSES: readonly SendRecordStatus[] = ['deferred', 'released'];

/** True for a status after which the key is never sent again. */
export function isFinalSendStatus(status: SendRecordStatus): boolean {
  return !OPEN_STATUSES.includes(status) && status !== 'claimed' && status !== 'in_doubt';
}

/** The send record of one idempotency key (`SEND#<key>`). */
export interface SendRecord {
  readonly tenantId: string;
  readonly idempotencyKey: string;
  readonly status: SendRecordStatus;
  readonly to: string;
  readonly cardId?: string;
  readonly runId?: string;
  readonly contactId?: string;
  /** Why the record is in its status (gate reason, cap, provider error). */
  readonly reason?: string;
  readonly detail?: string;
  /** When the current status was decided; outcomes of this status carry this instant. */
  readonly decidedAt: string;
  readonly dueAt?: string;
  /** How often the gate deferred this key. */
  readonly deferrals?: number;
  readonly claimToken?: string;
  readonly claimedAt?: string;
  readonly claimExpiresAt?: string;
  readonly messageId?: string;
  readonly sentAt?: string;
  /** While `in_doubt`: when an unreconciled send becomes `unknown`. */
  readonly reconcileBy?: string;
  /** The SES event that settled an in-doubt send. */
  readonly reconciledBy?: string;
}

/** What a record is created from: the request's identity. */
export interface SendRecordSubject {
  readonly idempotencyKey: string;
  readonly to: string;
  readonly cardId?: string;
  readonly runId?: string;
  readonly contactId?: string;
}

/** The answer of a conditional transition: applied, or the record that stood in the way. */
export type SendRecordWrite =
  | { readonly applied: true; readonly record: SendRecord }
  | { readonly applied: false; readonly existing: SendRecord | undefined };

/**
 * Send records are kept 30 days: longer than the send queue's retention (4 days) plus its DLQ's
 * (14 days), so a redriven message still finds its key.
 */
const SEND_RECORD_RETENTION_MS = 30 * 86_400_000;

/**
 * The idempotency claim and send record of each email, one item per key (`SEND#<idempotencyKey>`),
 * changed only by conditional updates. Timeline of one key (claim ttl 5 min):
 *
 * ```
 * 09:00:00 gate defers (hourly cap)      → deferred (dueAt 10:00)         open
 * 10:00:02 gate allows; claim            → claimed (token A, expires 10:05)
 * 10:00:02 a duplicate delivery claims   → refused: claimed by A → rechecked at 10:05
 * 10:00:03 SES accepts; mark sent (A)    → sent (messageId)                final
 * --- or, if SES's answer is lost (timeout, reset, 5xx):
 * 10:00:33 mark in doubt (A)             → in_doubt (reconcileBy 10:30)
 * 10:00:34 SES "Send" event (tag)        → sent                            final
 * --- or, if sender A dies between claim and "mark sent":
 * 10:05:01 next delivery sees the expired claim → in_doubt (reconcileBy 10:35)
 * 10:35:01 no event settled it           → unknown (final, alarmed; never re-sent)
 * ```
 *
 * Nothing in doubt is re-sent: the holder may have died after SES accepted the message, and SES
 * has no idempotency token, so re-sending could mail the recipient twice. An `unknown` send counts
 * as a touch; if sender A was merely slow, its "mark sent" still lands.
 */
export class SendRecordRepository {
  constructor(private readonly ctx: TableContext) {}

  /** Reads a record (strongly consistent), or undefined. */
  async get(tenantId: string, idempotencyKey: string): Promise<SendRecord | undefined> {
    const result = await this.ctx.doc.send(
      new GetCommand({
        TableName: this.ctx.tableName,
        Key: keys.sendRecord(tenantId, idempotencyKey),
        ConsistentRead: true,
      }),
    );
    return result.Item ? toSendRecord(result.Item) : undefined;
  }

  /** Every send record of a tenant (reports, health); a month of sends is a few pages. */
  async list(tenantId: string): Promise<SendRecord[]> {
    const items = await queryTenantPrefix(this.ctx, tenantId, SK_PREFIX.send);
    return items.map(toSendRecord);
  }

  /** Records a final gate decision (dry_run, blocked, suppressed) if the key is still open. */
  async recordDecision(
    tenantId: string,
    subject: SendRecordSubject,
    decision: { status: DecidedStatus; reason: string; detail?: string; at: Date },
  ): Promise<SendRecordWrite> {
    return this.transition(tenantId, subject.idempotencyKey, {
      // keyIsOpen
      condition: 'attribute_not_exists(pk) OR #status IN (:deferred, :released)',
      set: {
        ...subjectAttributes(tenantId, subject),
        status: decision.status,
        reason: decision.reason,
        ...(decision.detail ? { detail: decision.detail } : {}),
        decidedAt: decision.at.toISOString(),
      },
      at: decision.at,
    });
  }

  /** Records a deferral (the key stays open) and counts it. */
  async recordDeferral(
    tenantId: string,
    subject: SendRecordSubject,
    deferral: { reason: string; detail?: string; dueAt: Date; at: Date },
  ): Promise<SendRecordWrite> {
    return this.transition(tenantId, subject.idempotencyKey, {
      // keyIsOpen
      condition: 'attribute_not_exists(pk) OR #status IN (:deferred, :released)',
      set: {
        ...subjectAttributes(tenantId, subject),
        status: 'deferred',
        reason: deferral.reason,
        ...(deferral.detail ? { detail: deferral.detail } : {}),
        dueAt: deferral.dueAt.toISOString(),
        decidedAt: deferral.at.toISOString(),
      },
      add: { deferrals: 1 },
      at: deferral.at,
    });
  }

  /** Claims the key for one send attempt identified by `token`; refused unless the key is open. */
  async claim(
    tenantId: string,
    subject: SendRecordSubject,
    claim: { token: string; at: Date; ttlMs: number },
  ): Promise<SendRecordWrite> {
    return this.transition(tenantId, subject.idempotencyKey, {
      // keyIsOpen
      condition: 'attribute_not_exists(pk) OR #status IN (:deferred, :released)',
      set: {
        ...subjectAttributes(tenantId, subject),
        status: 'claimed',
        claimToken: claim.token,
        claimedAt: claim.at.toISOString(),
        claimExpiresAt: new Date(claim.at.getTime() + claim.ttlMs).toISOString(),
        decidedAt: claim.at.toISOString(),
      },
      at: claim.at,
    });
  }

  /**
   * Marks the key sent by the claim holder. Also accepted after the claim expired and went
   * `in_doubt` or `unknown` (the holder was slow, not dead): the send did happen, so the record
   * says so.
   */
  async markSent(
    tenantId: string,
    idempotencyKey: string,
    token: string,
    sent: { messageId: string; at: Date },
  ): Promise<SendRecordWrite> {
    return this.transition(tenantId, idempotencyKey, {
      // heldByToken AND (stillClaimed OR inDoubt OR resolvedUnknown)
      condition: 'claimToken = :token AND #status IN (:claimed, :inDoubt, :unknown)',
      values: { ':token': token },
      set: {
        status: 'sent',
        messageId: sent.messageId,
        sentAt: sent.at.toISOString(),
        decidedAt: sent.at.toISOString(),
      },
      remove: ['reason', 'detail'],
      at: sent.at,
    });
  }

  /** Gives the key back after a retryable provider failure: open again for a later delivery. */
  async release(
    tenantId: string,
    idempotencyKey: string,
    token: string,
    release: { reason: string; at: Date },
  ): Promise<SendRecordWrite> {
    return this.transition(tenantId, idempotencyKey, {
      // heldByToken AND stillClaimed
      condition: 'claimToken = :token AND #status = :claimed',
      values: { ':token': token },
      set: { status: 'released', reason: release.reason, decidedAt: release.at.toISOString() },
      at: release.at,
    });
  }

  /** Marks the key failed for good (the provider refused it: auth, configuration, rejected content). */
  async markFailed(
    tenantId: string,
    idempotencyKey: string,
    token: string,
    failure: { reason: string; detail?: string; at: Date },
  ): Promise<SendRecordWrite> {
    return this.transition(tenantId, idempotencyKey, {
      // heldByToken AND stillClaimed
      condition: 'claimToken = :token AND #status = :claimed',
      values: { ':token': token },
      set: {
        status: 'failed',
        reason: failure.reason,
        ...(failure.detail ? { detail: failure.detail } : {}),
        decidedAt: failure.at.toISOString(),
      },
      at: failure.at,
    });
  }

  /**
   * Records a stop (kill switch, tenant disabled, sending paused): the key stays open, so the same
   * touch can be claimed when a later cycle re-plans it.
   */
  async recordStop(
    tenantId: string,
    subject: SendRecordSubject,
    stop: { reason: string; detail?: string; at: Date },
  ): Promise<SendRecordWrite> {
    return this.transition(tenantId, subject.idempotencyKey, {
      // keyIsOpen
      condition: 'attribute_not_exists(pk) OR #status IN (:deferred, :released)',
      set: {
        ...subjectAttributes(tenantId, subject),
        status: 'released',
        reason: stop.reason,
        ...(stop.detail ? { detail: stop.detail } : {}),
        decidedAt: stop.at.toISOString(),
      },
      at: stop.at,
    });
  }

  /**
   * The claim holder's SES call ended without an answer that proves either outcome (timeout,
   * reset, 5xx): the claim becomes `in_doubt` (counters kept) until the event stream settles it
   * or `reconcileBy` passes.
   */
  async markInDoubt(
    tenantId: string,
    idempotencyKey: string,
    token: string,
    doubt: { reason: string; at: Date; reconcileBy: Date },
  ): Promise<SendRecordWrite> {
    return this.transition(tenantId, idempotencyKey, {
      // heldByToken AND stillClaimed
      condition: 'claimToken = :token AND #status = :claimed',
      values: { ':token': token },
      set: {
        status: 'in_doubt',
        reason: doubt.reason,
        reconcileBy: doubt.reconcileBy.toISOString(),
        decidedAt: doubt.at.toISOString(),
      },
      at: doubt.at,
    });
  }

  /**
   * A claim whose holder outlived its expiry: the holder may have died after SES accepted the
   * message, so it goes `in_doubt` (never re-sent) and waits for the event stream like a lost
   * response does.
   */
  async doubtExpiredClaim(
    tenantId: string,
    idempotencyKey: string,
    token: string,
    now: Date,
    reconcileBy: Date,
  ): Promise<SendRecordWrite> {
    return this.transition(tenantId, idempotencyKey, {
      // sameClaim AND stillClaimed AND claimExpired
      condition: 'claimToken = :token AND #status = :claimed AND claimExpiresAt <= :now',
      values: { ':token': token, ':now': now.toISOString() },
      set: {
        status: 'in_doubt',
        reason: 'claim_expired',
        detail: 'the sender holding the claim stopped before recording the result',
        reconcileBy: reconcileBy.toISOString(),
        decidedAt: now.toISOString(),
      },
      at: now,
    });
  }

  /**
   * An in-doubt send the event stream did not settle by `reconcileBy` becomes `unknown`: final,
   * counted as a touch, never re-sent automatically.
   */
  async markUnknown(tenantId: string, idempotencyKey: string, now: Date): Promise<SendRecordWrite> {
    return this.transition(tenantId, idempotencyKey, {
      // inDoubt AND gracePassed
      condition: '#status = :inDoubt AND reconcileBy <= :now',
      values: { ':now': now.toISOString() },
      set: {
        status: 'unknown',
        detail: 'SES did not answer and no event settled the send within the grace period',
        decidedAt: now.toISOString(),
      },
      at: now,
    });
  }

  /**
   * Settles a send from the configuration set's event stream: `sent` (SES accepted it: SEND,
   * DELIVERY, BOUNCE, COMPLAINT, DELIVERY_DELAY) or `not_sent` (REJECT, RENDERING_FAILURE).
   * Applies while the send is claimed, in doubt or unknown; a decided send is left alone.
   */
  async reconcile(
    tenantId: string,
    idempotencyKey: string,
    result: { status: 'sent' | 'not_sent'; event: string; messageId?: string; at: Date },
  ): Promise<SendRecordWrite> {
    return this.transition(tenantId, idempotencyKey, {
      // notDecidedYet (claimed, in doubt or unknown)
      condition: '#status IN (:claimed, :inDoubt, :unknown)',
      set: {
        status: result.status,
        reconciledBy: result.event,
        ...(result.messageId ? { messageId: result.messageId } : {}),
        ...(result.status === 'sent' ? { sentAt: result.at.toISOString() } : {}),
        ...(result.status === 'not_sent' ? { reason: `ses_${result.event.toLowerCase()}` } : {}),
        decidedAt: result.at.toISOString(),
      },
      at: result.at,
    });
  }

  private async transition(
    tenantId: string,
    idempotencyKey: string,
    change: {
      condition: string;
      set: Record<string, unknown>;
      add?: Record<string, number>;
      remove?: string[];
      values?: Record<string, unknown>;
      at: Date;
    },
  ): Promise<SendRecordWrite> {
    const names: Record<string, string> = { '#status': 'status', '#ttl': 'ttl' };
    const values: Record<string, unknown> = {
      ':deferred': 'deferred',
      ':released': 'released',
      ':claimed': 'claimed',
      ':inDoubt': 'in_doubt',
      ':unknown': 'unknown',
      ...change.values,
    };
    const setParts: string[] = [];
    let index = 0;
    for (const [name, value] of Object.entries({
      ...change.set,
      entity: 'send_record',
      ttl: ttlAfter(change.at, SEND_RECORD_RETENTION_MS),
    })) {
      const placeholder = name === 'status' ? '#status' : name === 'ttl' ? '#ttl' : `#a${index}`;
      if (!names[placeholder]) names[placeholder] = name;
      values[`:v${index}`] = value;
      setParts.push(`${placeholder} = :v${index}`);
      index += 1;
    }
    const addParts = Object.entries(change.add ?? {}).map(([name, value]) => {
      names[`#a${index}`] = name;
      values[`:v${index}`] = value;
      const part = `#a${index} :v${index}`;
      index += 1;
      return part;
    });
    const removeParts = (change.remove ?? []).map((name) => {
      names[`#a${index}`] = name;
      const part = `#a${index}`;
      index += 1;
      return part;
    });
    const usedValues = Object.fromEntries(
      Object.entries(values).filter(
        ([placeholder]) => placeholder.startsWith(':v') || change.condition.includes(placeholder),
      ),
    );
    try {
      const result = await this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: keys.sendRecord(tenantId, idempotencyKey),
          ConditionExpression: change.condition,
          UpdateExpression: [
            `SET ${setParts.join(', ')}`,
            addParts.length > 0 ? `ADD ${addParts.join(', ')}` : '',
            removeParts.length > 0 ? `REMOVE ${removeParts.join(', ')}` : '',
          ]
            .filter(Boolean)
            .join(' '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: usedValues,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { applied: true, record: toSendRecord(result.Attributes ?? {}) };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const old = oldItemOf(error);
      return {
        applied: false,
        existing: old ? toSendRecord(old) : await this.get(tenantId, idempotencyKey),
      };
    }
  }
}

function subjectAttributes(tenantId: string, subject: SendRecordSubject): Record<string, unknown> {
  return {
    tenantId,
    idempotencyKey: subject.idempotencyKey,
    to: subject.to,
    ...(subject.cardId ? { cardId: subject.cardId } : {}),
    ...(subject.runId ? { runId: subject.runId } : {}),
    ...(subject.contactId ? { contactId: subject.contactId } : {}),
  };
}

/** Reads a stored item as a {@link SendRecord}. */
export function toSendRecord(item: Record<string, unknown>): SendRecord {
  return withoutStorageAttributes<SendRecord>(item);
}
