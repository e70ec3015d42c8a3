import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Outcome, StoredOutcome } from '../domain/outcomes.js';
import { SK_PREFIX, keys } from './keys.js';
import { queryTenantRange, ttlAfter, type TableContext } from './table-client.js';
import { isConditionalCheckFailed, withoutStorageAttributes } from './items.js';

const OUTCOME_RETENTION_MS = 30 * 86_400_000;

/**
 * The outcome inbox (`OUTCOME#<at>#<id>`) that senders and ingest append to and React drains, with
 * a forward-only cursor (`CURSOR#react`) so each outcome is folded once.
 */
export class OutcomeRepository {
  constructor(private readonly ctx: TableContext) {}

  /** Appends an outcome; the same `outcomeId` at the same instant is stored once. Returns false for a duplicate. */
  async append(
    tenantId: string,
    outcomeId: string,
    outcome: Outcome,
    at: Date = this.ctx.clock.now(),
  ): Promise<boolean> {
    const stored: StoredOutcome = { ...outcome, outcomeId, at: at.toISOString() };
    try {
      await this.ctx.doc.send(
        new PutCommand({
          TableName: this.ctx.tableName,
          Item: {
            ...keys.outcome(tenantId, stored.at, outcomeId),
            entity: 'outcome',
            ttl: ttlAfter(at, OUTCOME_RETENTION_MS),
            ...stored,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /**
   * Reads the outcomes after React's cursor up to and including `until`, oldest first, with the sort
   * key to commit as the new cursor once they are folded.
   */
  async pending(
    tenantId: string,
    until: Date,
  ): Promise<{ outcomes: StoredOutcome[]; position?: string }> {
    const cursor = await this.ctx.doc.send(
      new GetCommand({
        TableName: this.ctx.tableName,
        Key: keys.reactCursor(tenantId),
        ConsistentRead: true,
      }),
    );
    const after =
      typeof cursor.Item?.['position'] === 'string' ? cursor.Item['position'] : SK_PREFIX.outcome;
    const items = await queryTenantRange(
      this.ctx,
      tenantId,
      `${after}\u0000`,
      `${SK_PREFIX.outcome}${until.toISOString()}#~`,
      { consistentRead: true },
    );
    const position = items.at(-1)?.['sk'];
    return {
      outcomes: items.map((item) => withoutStorageAttributes<StoredOutcome>(item)),
      ...(typeof position === 'string' ? { position } : {}),
    };
  }

  /** Every outcome recorded between `from` and `until` (inclusive), oldest first, folded or not. */
  async listBetween(tenantId: string, from: Date, until: Date): Promise<StoredOutcome[]> {
    const items = await queryTenantRange(
      this.ctx,
      tenantId,
      `${SK_PREFIX.outcome}${from.toISOString()}`,
      `${SK_PREFIX.outcome}${until.toISOString()}#~`,
    );
    return items.map((item) => withoutStorageAttributes<StoredOutcome>(item));
  }

  /** Moves React's cursor forward to `position`; a cursor already past it is left alone. */
  async commit(tenantId: string, position: string): Promise<void> {
    try {
      await this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: keys.reactCursor(tenantId),
          // cursorOnlyMovesForward
          ConditionExpression: 'attribute_not_exists(#position) OR #position < :position',
          UpdateExpression: 'SET #position = :position, entity = :entity',
          ExpressionAttributeNames: { '#position': 'position' },
          ExpressionAttributeValues: { ':position': position, ':entity': 'cursor' },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
}
