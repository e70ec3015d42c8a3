import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys.js';
import { ttlAfter, type TableContext } from './table-client.js';
import { withoutStorageAttributes } from './items.js';

const REPLY_MARKER_RETENTION_MS = 365 * 86_400_000;

/** That a message of ours was replied to, and by which inbound messages. */
export interface ReplyMarker {
  /** Our Message-ID that was replied to (normalised). */
  readonly messageId: string;
  readonly firstReplyAt: string;
  readonly lastReplyAt: string;
  /** Gmail ids of the replies (a set: retries add nothing). */
  readonly replyGmailMessageIds: readonly string[];
  readonly lastFrom?: string;
  readonly lastContactId?: string;
  readonly lastClassification?: string;
  readonly threadId?: string;
}

/**
 * Reply markers (`REPLY#<Message-ID>`): ingest marks each of our sends a reply references, so the
 * sender (or anyone holding the SES MessageId) can mark the originating send as replied. The
 * marker is keyed by the id we sent, not by the reply, so several replies collect in one item.
 */
export class ReplyMarkerRepository {
  constructor(private readonly ctx: TableContext) {}

  /** Marks `messageId` (ours) as replied to by `reply`; idempotent per reply. */
  async markReplied(
    tenantId: string,
    messageId: string,
    reply: {
      gmailMessageId: string;
      threadId?: string;
      from?: string;
      contactId?: string;
      classification: string;
    },
  ): Promise<void> {
    const now = this.ctx.clock.now();
    const key = keys.replyMarker(tenantId, messageId);
    await this.ctx.doc.send(
      new UpdateCommand({
        TableName: this.ctx.tableName,
        Key: key,
        UpdateExpression:
          'SET messageId = :messageId, firstReplyAt = if_not_exists(firstReplyAt, :now), lastReplyAt = :now, ' +
          'lastClassification = :classification, entity = :entity, tenantId = :tenantId, #ttl = :ttl' +
          (reply.from ? ', lastFrom = :from' : '') +
          (reply.contactId ? ', lastContactId = :contactId' : '') +
          (reply.threadId ? ', threadId = if_not_exists(threadId, :threadId)' : '') +
          ' ADD replyGmailMessageIds :ids',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':messageId': key.sk.slice('REPLY#'.length),
          ':now': now.toISOString(),
          ':classification': reply.classification,
          ':entity': 'reply_marker',
          ':tenantId': tenantId,
          ':ttl': ttlAfter(now, REPLY_MARKER_RETENTION_MS),
          ':ids': new Set([reply.gmailMessageId]),
          ...(reply.from ? { ':from': reply.from } : {}),
          ...(reply.contactId ? { ':contactId': reply.contactId } : {}),
          ...(reply.threadId ? { ':threadId': reply.threadId } : {}),
        },
      }),
    );
  }

  /** Reads the marker of one of our Message-IDs, or `undefined` when nobody replied. */
  async get(tenantId: string, messageId: string): Promise<ReplyMarker | undefined> {
    const result = await this.ctx.doc.send(
      new GetCommand({ TableName: this.ctx.tableName, Key: keys.replyMarker(tenantId, messageId) }),
    );
    if (!result.Item) return undefined;
    const {
      tenantId: _tenantId,
      replyGmailMessageIds,
      ...rest
    } = withoutStorageAttributes<Record<string, unknown>>(result.Item);
    return {
      ...(rest as Omit<ReplyMarker, 'replyGmailMessageIds'>),
      replyGmailMessageIds: [...((replyGmailMessageIds as Set<string> | undefined) ?? [])].sort(),
    };
  }
}
