import { BatchWriteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SK_PREFIX, keys } from './keys.js';
import { queryTenantPrefix, ttlAfter, type TableContext } from './table-client.js';
import { isConditionalCheckFailed, oldItemOf, withoutStorageAttributes } from './items.js';

/** Dedupe records outlive any re-listing: a full sync reaches back days, not months. */
export const GMAIL_MESSAGE_RETENTION_MS = 90 * 86_400_000;

/** The outcome of claiming a Gmail message id for processing. */
export type GmailClaim =
  | { readonly status: 'claimed'; readonly attempt: number }
  | { readonly status: 'duplicate'; readonly processedAt?: string }
  | { readonly status: 'in_progress'; readonly leaseExpiresAt?: string };

/** The outcome of claiming an RFC 822 Message-ID for a Gmail id. */
export type RfcMessageClaim =
  { readonly status: 'claimed' } | { readonly status: 'held'; readonly gmailMessageId: string };

/** Attachment metadata as recorded; the content never reaches the table. */
export interface StoredAttachment {
  readonly gmailMessageId: string;
  readonly index: number;
  readonly name?: string;
  readonly type: string;
  readonly size: number;
  readonly inline: boolean;
  readonly recordedAt: string;
}

/** What ingest records about a processed message (links and classification, no body). */
export interface ProcessedMessage {
  readonly messageId: string;
  readonly status: 'processing' | 'done' | 'failed' | 'gone';
  readonly attempts?: number;
  readonly duplicates?: number;
  readonly firstSeenAt?: string;
  readonly processedAt?: string;
  readonly lastError?: string;
  readonly threadId?: string;
  readonly receivedAt?: string;
  readonly rfcMessageId?: string;
  readonly from?: string;
  readonly classification?: string;
  readonly signals?: readonly string[];
  readonly contactId?: string;
  readonly accountId?: string;
  readonly links?: {
    readonly orderIds?: readonly string[];
    readonly dealIds?: readonly string[];
    readonly bidIds?: readonly string[];
  };
  readonly [field: string]: unknown;
}

/**
 * Gmail messages seen by ingest (`GMAIL#<gmailMessageId>`): the dedupe claim, then the processing
 * record. One item per message id, changed only by conditional updates (no transactions).
 *
 * Timeline for one message id (lease 2 min, SQS visibility 3 min):
 *   10:00:00 worker A claims (item absent)             → processing, attempt 1, lease until 10:02
 *   10:00:01 worker B claims the same id (redelivery)  → in_progress: B fails its record, SQS retries later
 *   10:00:04 A completes                               → done
 *   10:05:00 the poller lists the id again; C claims   → duplicate: counted (duplicates + 1), no-op
 *   failure: A releases at 10:00:03                    → failed with the reason, lease = now;
 *            the redelivery claims at once             → processing, attempt 2
 *   crash:   A dies holding the claim                  → the redelivery (after 3 min) finds the lease
 *            expired and claims                        → processing, attempt 2
 */
export class GmailMessageRepository {
  constructor(private readonly ctx: TableContext) {}

  /** Claims a message id for processing, or reports it as already done (a counted duplicate) or held. */
  async claim(
    tenantId: string,
    gmailMessageId: string,
    options: { leaseMs: number; source?: string },
  ): Promise<GmailClaim> {
    const now = this.ctx.clock.now();
    try {
      const result = await this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: keys.gmailMessage(tenantId, gmailMessageId),
          // neverSeen OR (notDone AND leaseOver)
          ConditionExpression:
            'attribute_not_exists(pk) OR (#status <> :done AND (attribute_not_exists(leaseExpiresAt) OR leaseExpiresAt <= :now))',
          UpdateExpression:
            'SET #status = :processing, leaseExpiresAt = :lease, firstSeenAt = if_not_exists(firstSeenAt, :now), ' +
            'entity = :entity, tenantId = :tenantId, messageId = :messageId, #ttl = :ttl' +
            (options.source ? ', #source = if_not_exists(#source, :source)' : '') +
            ' ADD attempts :one',
          ExpressionAttributeNames: {
            '#status': 'status',
            '#ttl': 'ttl',
            ...(options.source ? { '#source': 'source' } : {}),
          },
          ExpressionAttributeValues: {
            ':done': 'done',
            ':processing': 'processing',
            ':now': now.toISOString(),
            ':lease': new Date(now.getTime() + options.leaseMs).toISOString(),
            ':entity': 'gmail_message',
            ':tenantId': tenantId,
            ':messageId': gmailMessageId,
            ':ttl': ttlAfter(now, GMAIL_MESSAGE_RETENTION_MS),
            ':one': 1,
            ...(options.source ? { ':source': options.source } : {}),
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { status: 'claimed', attempt: Number(result.Attributes?.['attempts'] ?? 1) };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const held = oldItemOf(error) ?? (await this.rawItem(tenantId, gmailMessageId));
      if (held?.['status'] === 'done' || held?.['status'] === 'gone') {
        await this.countDuplicate(tenantId, gmailMessageId);
        return {
          status: 'duplicate',
          ...(typeof held['processedAt'] === 'string' ? { processedAt: held['processedAt'] } : {}),
        };
      }
      return {
        status: 'in_progress',
        ...(typeof held?.['leaseExpiresAt'] === 'string'
          ? { leaseExpiresAt: held['leaseExpiresAt'] }
          : {}),
      };
    }
  }

  /**
   * Records the processed message (status `done`, or `gone` when Gmail no longer has it) if the
   * claim of `attempt` is still ours; returns false when another worker took it over meanwhile.
   */
  async complete(
    tenantId: string,
    gmailMessageId: string,
    attempt: number,
    record: Omit<ProcessedMessage, 'messageId' | 'status' | 'attempts'> & {
      status?: 'done' | 'gone';
    },
  ): Promise<boolean> {
    const { status = 'done', ...fields } = record;
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = {
      ':status': status,
      ':processing': 'processing',
      ':attempt': attempt,
      ':processedAt': this.ctx.clock.now().toISOString(),
    };
    const sets = ['#status = :status', 'processedAt = :processedAt'];
    Object.entries(fields).forEach(([name, value], index) => {
      if (value === undefined || name === 'processedAt') return;
      names[`#f${index}`] = name;
      values[`:f${index}`] = value;
      sets.push(`#f${index} = :f${index}`);
    });
    try {
      await this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: keys.gmailMessage(tenantId, gmailMessageId),
          // stillOurClaim
          ConditionExpression: '#status = :processing AND attempts = :attempt',
          UpdateExpression: `SET ${sets.join(', ')} REMOVE leaseExpiresAt, lastError`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /** Gives a claim back after a failure, keeping the reason; the next delivery may claim at once. */
  async release(
    tenantId: string,
    gmailMessageId: string,
    attempt: number,
    reason: string,
  ): Promise<void> {
    const now = this.ctx.clock.now().toISOString();
    try {
      await this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: keys.gmailMessage(tenantId, gmailMessageId),
          // stillOurClaim
          ConditionExpression: '#status = :processing AND attempts = :attempt',
          UpdateExpression:
            'SET #status = :failed, lastError = :reason, lastErrorAt = :now, leaseExpiresAt = :now',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':processing': 'processing',
            ':failed': 'failed',
            ':attempt': attempt,
            ':reason': reason.slice(0, 500),
            ':now': now,
          },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  /**
   * Claims an RFC 822 Message-ID for `gmailMessageId` with one conditional write
   * (`RFCMSG#<digest>`): `claimed` when the id is new or already this Gmail id's (a retry), else
   * `held` by the Gmail id that claimed it first (the same message under another Gmail id).
   */
  async claimRfcMessageId(
    tenantId: string,
    rfcMessageId: string,
    gmailMessageId: string,
  ): Promise<RfcMessageClaim> {
    const now = this.ctx.clock.now();
    try {
      await this.ctx.doc.send(
        new PutCommand({
          TableName: this.ctx.tableName,
          Item: {
            ...keys.rfcMessage(tenantId, rfcMessageId),
            entity: 'rfc_message',
            tenantId,
            gmailMessageId,
            claimedAt: now.toISOString(),
            ttl: ttlAfter(now, GMAIL_MESSAGE_RETENTION_MS),
          },
          // newId OR ourRetry
          ConditionExpression: 'attribute_not_exists(pk) OR gmailMessageId = :gmailMessageId',
          ExpressionAttributeValues: { ':gmailMessageId': gmailMessageId },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { status: 'claimed' };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const held =
        oldItemOf(error) ??
        (
          await this.ctx.doc.send(
            new GetCommand({
              TableName: this.ctx.tableName,
              Key: keys.rfcMessage(tenantId, rfcMessageId),
              ConsistentRead: true,
            }),
          )
        ).Item;
      return { status: 'held', gmailMessageId: String(held?.['gmailMessageId'] ?? '') };
    }
  }

  /** Reads one message record. */
  async get(tenantId: string, gmailMessageId: string): Promise<ProcessedMessage | undefined> {
    const item = await this.rawItem(tenantId, gmailMessageId);
    return item ? this.fromItem(item) : undefined;
  }

  /** Every message record of a tenant (for reports and operators), in message-id order. */
  async list(tenantId: string): Promise<ProcessedMessage[]> {
    const items = await queryTenantPrefix(this.ctx, tenantId, SK_PREFIX.gmailMessage);
    return items.map((item) => this.fromItem(item));
  }

  /**
   * Records attachment metadata (name, type, size) of a message, one item each, in batches of 25.
   * Idempotent: a retry writes the same items again.
   */
  async putAttachments(
    tenantId: string,
    gmailMessageId: string,
    attachments: readonly Omit<StoredAttachment, 'gmailMessageId' | 'index' | 'recordedAt'>[],
  ): Promise<void> {
    const now = this.ctx.clock.now();
    const items = attachments.slice(0, 1_000).map((attachment, index) => ({
      PutRequest: {
        Item: {
          ...keys.attachment(tenantId, gmailMessageId, index),
          entity: 'attachment',
          tenantId,
          gmailMessageId,
          index,
          ...(attachment.name ? { name: attachment.name.slice(0, 255) } : {}),
          type: attachment.type.slice(0, 127),
          size: attachment.size,
          inline: attachment.inline,
          recordedAt: now.toISOString(),
          ttl: ttlAfter(now, GMAIL_MESSAGE_RETENTION_MS),
        },
      },
    }));
    for (let offset = 0; offset < items.length; offset += 25) {
      let request: Record<string, typeof items> | undefined = {
        [this.ctx.tableName]: items.slice(offset, offset + 25),
      };
      for (let round = 0; request && Object.keys(request).length > 0; round += 1) {
        if (round === 5)
          throw new Error('DynamoDB left attachment writes unprocessed after 5 rounds');
        const result = await this.ctx.doc.send(new BatchWriteCommand({ RequestItems: request }));
        request = result.UnprocessedItems as typeof request;
      }
    }
  }

  /** Attachment metadata of a tenant, optionally of one message. */
  async listAttachments(tenantId: string, gmailMessageId?: string): Promise<StoredAttachment[]> {
    const prefix = `${SK_PREFIX.attachment}${gmailMessageId ? `${gmailMessageId}#` : ''}`;
    return (await queryTenantPrefix(this.ctx, tenantId, prefix)).map((item) => {
      const { tenantId: _tenantId, ...rest } =
        withoutStorageAttributes<Record<string, unknown>>(item);
      return rest as unknown as StoredAttachment;
    });
  }

  private async countDuplicate(tenantId: string, gmailMessageId: string): Promise<void> {
    await this.ctx.doc.send(
      new UpdateCommand({
        TableName: this.ctx.tableName,
        Key: keys.gmailMessage(tenantId, gmailMessageId),
        ConditionExpression: 'attribute_exists(pk)',
        UpdateExpression: 'SET lastDuplicateAt = :now ADD duplicates :one',
        ExpressionAttributeValues: { ':now': this.ctx.clock.now().toISOString(), ':one': 1 },
      }),
    );
  }

  private async rawItem(
    tenantId: string,
    gmailMessageId: string,
  ): Promise<Record<string, unknown> | undefined> {
    const result = await this.ctx.doc.send(
      new GetCommand({
        TableName: this.ctx.tableName,
        Key: keys.gmailMessage(tenantId, gmailMessageId),
        ConsistentRead: true,
      }),
    );
    return result.Item;
  }

  private fromItem(item: Record<string, unknown>): ProcessedMessage {
    const { tenantId: _tenantId, ...rest } =
      withoutStorageAttributes<Record<string, unknown>>(item);
    return rest as ProcessedMessage;
  }
}
