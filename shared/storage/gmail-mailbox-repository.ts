import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from './keys.js';
import type { TableContext } from './table-client.js';
import { isConditionalCheckFailed, withoutStorageAttributes } from './items.js';

/** The states of a tenant's Gmail connection (`connectionStatus(tenant)`). */
export const GMAIL_CONNECTION_STATUSES = [
  'connected',
  'token_expired',
  'revoked',
  'not_configured',
] as const;
export type GmailConnectionStatus = (typeof GMAIL_CONNECTION_STATUSES)[number];

/** A tenant's stored Gmail connection. Tokens live in Secrets Manager; this names the secret only. */
export interface GmailConnection {
  readonly status: Exclude<GmailConnectionStatus, 'not_configured'>;
  /** The connected mailbox (lower-cased). */
  readonly emailAddress?: string;
  /** The Secrets Manager secret holding the refresh token. */
  readonly secretName: string;
  readonly connectedAt: string;
  readonly updatedAt: string;
  /** Why the status is not `connected` (the provider's error code, never a token). */
  readonly reason?: string;
}

/** Where polling stands for a tenant's mailbox. */
export interface GmailCursor {
  /** The Gmail historyId the next `history.list` starts from; absent before the first sync. */
  readonly historyId?: string;
  readonly updatedAt?: string;
  readonly lastPolledAt?: string;
  readonly lastFullSyncAt?: string;
  /** No polling before this instant (quota backoff). */
  readonly backoffUntil?: string;
  /** Quota/rate errors in a row; reset by a successful poll. */
  readonly consecutiveQuotaErrors?: number;
  readonly lastError?: string;
}

/**
 * Per-tenant Gmail state: the connection (`GMAILCONN`) and the history cursor (`GMAILCURSOR`).
 *
 * Cursor timeline (poller runs P1, P2 every 5 min):
 *   10:00 P1 reads historyId 100, lists history, enqueues ids, advances 100 → 140 (condition: still 100)
 *   10:05 P2 reads 140, gets 429 → backoff until 10:10, historyId stays 140 (never moved on an error)
 *   10:10 P2' reads 140 (backoff over), lists, enqueues, advances 140 → 171
 *   overlap: two pollers read 140; the first advances to 171, the second's advance (condition: still
 *            140) fails and is ignored; ids both listed are deduped by ingest.
 */
export class GmailMailboxRepository {
  constructor(private readonly ctx: TableContext) {}

  /** Reads the tenant's connection, or `undefined` when none was ever stored. */
  async getConnection(tenantId: string): Promise<GmailConnection | undefined> {
    return this.read<GmailConnection>(keys.gmailConnection(tenantId));
  }

  /** Stores a (re)connected mailbox. */
  async putConnected(
    tenantId: string,
    connection: { emailAddress?: string; secretName: string },
  ): Promise<GmailConnection> {
    const now = this.ctx.clock.now().toISOString();
    const stored: GmailConnection = {
      status: 'connected',
      ...(connection.emailAddress ? { emailAddress: connection.emailAddress.toLowerCase() } : {}),
      secretName: connection.secretName,
      connectedAt: now,
      updatedAt: now,
    };
    await this.ctx.doc.send(
      new PutCommand({
        TableName: this.ctx.tableName,
        Item: {
          ...keys.gmailConnection(tenantId),
          entity: 'gmail_connection',
          tenantId,
          ...stored,
        },
      }),
    );
    return stored;
  }

  /** Records that the connection stopped working (expired or revoked grant); a missing connection is left alone. */
  async markStatus(
    tenantId: string,
    status: GmailConnection['status'],
    reason?: string,
  ): Promise<void> {
    try {
      await this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: keys.gmailConnection(tenantId),
          ConditionExpression: 'attribute_exists(pk)',
          UpdateExpression: `SET #status = :status, updatedAt = :now${reason ? ', reason = :reason' : ''}${
            reason ? '' : ' REMOVE reason'
          }`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':status': status,
            ':now': this.ctx.clock.now().toISOString(),
            ...(reason ? { ':reason': reason.slice(0, 300) } : {}),
          },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  /** Reads the tenant's history cursor. */
  async getCursor(tenantId: string): Promise<GmailCursor | undefined> {
    return this.read<GmailCursor>(keys.gmailCursor(tenantId));
  }

  /**
   * Moves the cursor from `from` (the historyId read before polling; `undefined` on a first sync)
   * to `to`, clearing any backoff. Returns false when another poller moved it first.
   */
  async advanceCursor(
    tenantId: string,
    move: { from: string | undefined; to: string; fullSync: boolean },
  ): Promise<boolean> {
    const now = this.ctx.clock.now().toISOString();
    try {
      await this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: keys.gmailCursor(tenantId),
          // cursorUnchangedSinceRead
          ConditionExpression:
            move.from === undefined ? 'attribute_not_exists(historyId)' : 'historyId = :from',
          UpdateExpression:
            'SET historyId = :to, updatedAt = :now, lastPolledAt = :now, entity = :entity, tenantId = :tenantId, consecutiveQuotaErrors = :zero' +
            (move.fullSync ? ', lastFullSyncAt = :now' : '') +
            ' REMOVE backoffUntil, lastError',
          ExpressionAttributeValues: {
            ':to': move.to,
            ':now': now,
            ':entity': 'gmail_cursor',
            ':tenantId': tenantId,
            ':zero': 0,
            ...(move.from === undefined ? {} : { ':from': move.from }),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /**
   * Records a quota/rate error: sets `backoffUntil` and counts it, leaving `historyId` untouched so
   * nothing is skipped. Returns the number of quota errors in a row.
   */
  async recordQuotaError(tenantId: string, backoffUntil: Date, reason: string): Promise<number> {
    const result = await this.ctx.doc.send(
      new UpdateCommand({
        TableName: this.ctx.tableName,
        Key: keys.gmailCursor(tenantId),
        UpdateExpression:
          'SET backoffUntil = :until, lastError = :reason, lastPolledAt = :now, entity = :entity, tenantId = :tenantId ADD consecutiveQuotaErrors :one',
        ExpressionAttributeValues: {
          ':until': backoffUntil.toISOString(),
          ':reason': reason.slice(0, 300),
          ':now': this.ctx.clock.now().toISOString(),
          ':entity': 'gmail_cursor',
          ':tenantId': tenantId,
          ':one': 1,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Number(result.Attributes?.['consecutiveQuotaErrors'] ?? 1);
  }

  /** Records a poll that failed for another reason (kept for operators; the cursor does not move). */
  async recordPollError(tenantId: string, reason: string): Promise<void> {
    await this.ctx.doc.send(
      new UpdateCommand({
        TableName: this.ctx.tableName,
        Key: keys.gmailCursor(tenantId),
        UpdateExpression:
          'SET lastError = :reason, lastPolledAt = :now, entity = :entity, tenantId = :tenantId',
        ExpressionAttributeValues: {
          ':reason': reason.slice(0, 300),
          ':now': this.ctx.clock.now().toISOString(),
          ':entity': 'gmail_cursor',
          ':tenantId': tenantId,
        },
      }),
    );
  }

  private async read<T>(key: { pk: string; sk: string }): Promise<T | undefined> {
    const result = await this.ctx.doc.send(
      new GetCommand({ TableName: this.ctx.tableName, Key: key, ConsistentRead: true }),
    );
    if (!result.Item) return undefined;
    const { tenantId: _tenantId, ...rest } = withoutStorageAttributes<Record<string, unknown>>(
      result.Item,
    );
    return rest as T;
  }
}
