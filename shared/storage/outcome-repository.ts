import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { MIN_ULID, decodeTime, encodeTime } from 'ulid';
import type { Outcome, StoredOutcome } from '../domain/outcomes.js';
import { createIdGenerator, type IdGenerator } from '../ids.js';
import { assertWriteId, keys } from './keys.js';
import { GSI1 } from './table-schema.js';
import { queryAll, ttlAfter, type TableContext } from './table-client.js';
import { isConditionalCheckFailed, withoutStorageAttributes } from './items.js';
import { TenantWakeRepository } from './tenant-wake-repository.js';
import { DirtyMarkLease } from './dirty-mark-lease.js';

const OUTCOME_RETENTION_MS = 30 * 86_400_000;
const ULID_RANDOM_MIN = '0'.repeat(16);
const ULID_RANDOM_MAX = 'Z'.repeat(16);
/** The cursor item's attribute; the former `position` (an event-time sort key) is ignored. */
const CURSOR_ATTRIBUTE = 'writePosition';

/**
 * How far behind `now` React folds: an outcome stamped (by its writer's clock) less than this long
 * ago waits for the next React. A stamped write must be visible on gsi1 within the lag or React's
 * cursor may pass it: gsi1 is eventually consistent (usually well under a second), and a writer
 * stamps its ULID before its put lands, which can take up to the writer's Lambda timeout (sender,
 * SES feedback and ingest: 30 s, kept below this lag by an infra test). 2 minutes covers both
 * with room for clock skew between functions; the cost is a fold one cycle later at most.
 */
export const OUTCOME_FOLD_LAG_MS = 2 * 60_000;

/**
 * How far an outcome's event time may lie after its write time and still be listed by
 * {@link OutcomeRepository.listBetween}. Outcomes record what already happened, so their event
 * time is at or before the write; a day absorbs any clock skew between SES and our functions.
 */
export const OUTCOME_EVENT_LEAD_MS = 86_400_000;

function writeIdFloor(ms: number): string {
  return `${encodeTime(Math.max(0, ms))}${ULID_RANDOM_MIN}`;
}

function writeIdCeiling(ms: number): string {
  return `${encodeTime(Math.max(0, ms))}${ULID_RANDOM_MAX}`;
}

/**
 * The outcome inbox that senders and ingest append to and React drains. An outcome is one item,
 * `OUTCOME#<outcomeId>`, written with a conditional put, so an id is stored (and folded) once
 * however often and whenever it is appended. Its gsi1 keys (`TENANT#<t>#OUTCOMES` / ULID of the
 * write time) order the inbox by write time, which React follows with a forward-only cursor
 * (`CURSOR#react`): an outcome with an old event time (a redelivery, SES feedback, a DLQ redrive)
 * is written after the cursor and so is still folded.
 */
export class OutcomeRepository {
  private readonly newWriteId: IdGenerator;
  private readonly markDirty: (tenantId: string, writtenAt: Date) => Promise<unknown>;

  /**
   * `options.dirtyLeaseMs`: mark the tenant dirty through a {@link DirtyMarkLease} of that length
   * (a writer of bursts of outcomes, the sender); absent, every append marks it.
   */
  constructor(
    private readonly ctx: TableContext,
    options: { readonly dirtyLeaseMs?: number } = {},
  ) {
    this.newWriteId = createIdGenerator(ctx.clock);
    const wake = new TenantWakeRepository(ctx);
    if (options.dirtyLeaseMs !== undefined) {
      const lease = new DirtyMarkLease(wake, options.dirtyLeaseMs);
      this.markDirty = (tenantId, writtenAt) => lease.mark(tenantId, writtenAt);
    } else {
      this.markDirty = (tenantId, writtenAt) => wake.markDirty(tenantId, writtenAt);
    }
  }

  /**
   * Appends an outcome that happened at `at` (default: now); the write time comes from the clock.
   * One conditional put: returns false, changing nothing, when `outcomeId` is already stored.
   */
  async append(
    tenantId: string,
    outcomeId: string,
    outcome: Outcome,
    at: Date = this.ctx.clock.now(),
  ): Promise<boolean> {
    const writeId = this.newWriteId();
    const writtenAt = new Date(decodeTime(writeId));
    const stored: StoredOutcome = {
      ...outcome,
      outcomeId,
      at: at.toISOString(),
      writtenAt: writtenAt.toISOString(),
    };
    try {
      await this.ctx.doc.send(
        new PutCommand({
          TableName: this.ctx.tableName,
          Item: {
            ...keys.outcome(tenantId, outcomeId),
            ...keys.outcomeInboxIndex(tenantId, writeId),
            entity: 'outcome',
            ttl: ttlAfter(writtenAt, OUTCOME_RETENTION_MS),
            ...stored,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      // New input: the tenant's next cycle folds it, so the tenant is due at the next fan-out.
      await this.markDirty(tenantId, writtenAt);
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /**
   * Reads the outcomes written after React's cursor and at most {@link OUTCOME_FOLD_LAG_MS} before
   * `now`, in write order, with the write ULID to commit as the new cursor once they are folded.
   */
  async pending(
    tenantId: string,
    now: Date,
  ): Promise<{ outcomes: StoredOutcome[]; position?: string }> {
    const cursor = await this.ctx.doc.send(
      new GetCommand({
        TableName: this.ctx.tableName,
        Key: keys.reactCursor(tenantId),
        ConsistentRead: true,
      }),
    );
    return this.pendingAfter(tenantId, now, reactCursorPosition(cursor.Item));
  }

  /**
   * {@link pending} from a cursor already read (`after`: the cursor item's position, see
   * {@link reactCursorPosition}; undefined when React never committed one).
   */
  async pendingAfter(
    tenantId: string,
    now: Date,
    after: string | undefined,
  ): Promise<{ outcomes: StoredOutcome[]; position?: string }> {
    const from = after !== undefined ? `${after}\u0000` : MIN_ULID;
    const until = writeIdCeiling(now.getTime() - OUTCOME_FOLD_LAG_MS);
    if (from > until) return { outcomes: [] };
    const items = await queryAll(this.ctx, {
      IndexName: GSI1,
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :until',
      ExpressionAttributeValues: {
        ':pk': keys.outcomeInboxPartition(tenantId),
        ':from': from,
        ':until': until,
      },
    });
    const position = items.at(-1)?.['gsi1sk'];
    return {
      outcomes: items.map((item) => withoutStorageAttributes<StoredOutcome>(item)),
      ...(typeof position === 'string' ? { position } : {}),
    };
  }

  /**
   * Every outcome whose event time `at` lies between `from` and `until` (inclusive), oldest event
   * first (ties by id), folded or not. Reads the write-ordered index from
   * {@link OUTCOME_EVENT_LEAD_MS} before `from` onwards, so its cost is the outcomes written since
   * then, not the tenant's whole retention.
   */
  async listBetween(tenantId: string, from: Date, until: Date): Promise<StoredOutcome[]> {
    const items = await queryAll(this.ctx, {
      IndexName: GSI1,
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk >= :written',
      FilterExpression: '#at BETWEEN :from AND :until',
      ExpressionAttributeNames: { '#at': 'at' },
      ExpressionAttributeValues: {
        ':pk': keys.outcomeInboxPartition(tenantId),
        ':written': writeIdFloor(from.getTime() - OUTCOME_EVENT_LEAD_MS),
        ':from': from.toISOString(),
        ':until': until.toISOString(),
      },
    });
    return items
      .map((item) => withoutStorageAttributes<StoredOutcome>(item))
      .sort((a, b) => a.at.localeCompare(b.at) || a.outcomeId.localeCompare(b.outcomeId));
  }

  /** Moves React's cursor forward to the write ULID `position`; a cursor already past it is left alone. */
  async commit(tenantId: string, position: string): Promise<void> {
    assertWriteId('position', position);
    try {
      await this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: keys.reactCursor(tenantId),
          // cursorOnlyMovesForward
          ConditionExpression: 'attribute_not_exists(#position) OR #position < :position',
          UpdateExpression: 'SET #position = :position, entity = :entity',
          ExpressionAttributeNames: { '#position': CURSOR_ATTRIBUTE },
          ExpressionAttributeValues: { ':position': position, ':entity': 'cursor' },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
}

/** The write position stored on React's cursor item (`keys.reactCursor`), if any. */
export function reactCursorPosition(item: Record<string, unknown> | undefined): string | undefined {
  const position = item?.[CURSOR_ATTRIBUTE];
  return typeof position === 'string' ? position : undefined;
}
