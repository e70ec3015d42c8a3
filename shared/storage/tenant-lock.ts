import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { LockHeldError, LockNotOwnedError } from '../errors.js';
import { keys } from './keys.js';
import { ttlAfter, type TableContext } from './table-client.js';
import { isConditionalCheckFailed, oldItemOf } from './items.js';
import { PHASES } from '../cycle/state.js';
import { LIVE_PHASE_PREFIX, livePhasesOf, type LivePhase, type LivePhases } from './live-run.js';

/** A held tenant lock. `fence` grows by one on every acquisition, so stale holders can be told apart. */
export interface TenantLock {
  readonly tenantId: string;
  readonly owner: string;
  readonly acquiredAt: string;
  readonly expiresAt: string;
  readonly fence: number;
}

/** Keep expired lock items around for a day for diagnosis, then let DynamoDB TTL delete them. */
const LOCK_RETENTION_MS = 86_400_000;

/**
 * The per-tenant cycle lock: one item, changed only by conditional updates (no transactions).
 *
 * Timeline for owners A and B (ttl 15 min):
 *   10:00 A acquires (item absent)          → owner A, expires 10:15, fence 1
 *   10:05 B acquires                        → LockHeldError(A, 10:15)
 *   10:10 A extends                         → expires 10:25
 *   10:26 B acquires (A's lease expired)    → owner B, expires 10:41, fence 2  (stale takeover)
 *   10:27 A releases or extends             → LockNotOwnedError; B's lock is untouched
 */
export class TenantLockRepository {
  constructor(private readonly ctx: TableContext) {}

  /**
   * Takes the lock for `owner` if it is free or its lease has expired; otherwise throws
   * {@link LockHeldError} naming the current holder. Re-acquiring a lock one already holds fails too.
   * The previous holder's phases are cleared; with `firstPhase`, the same write records that
   * phase as started (see {@link openPhase}).
   */
  async acquire(
    tenantId: string,
    owner: string,
    ttlMs: number,
    firstPhase?: { readonly name: string; readonly startedAt: string },
  ): Promise<TenantLock> {
    const now = this.ctx.clock.now();
    const cleared = ['#phase', 'phaseStartedAt', ...PHASES.map((name) => LIVE_PHASE_PREFIX + name)];
    const expiresAt = new Date(now.getTime() + ttlMs).toISOString();
    try {
      const result = await this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: keys.cycleLock(tenantId),
          // lockIsFree OR leaseExpired
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
          UpdateExpression:
            'SET #owner = :owner, acquiredAt = :now, expiresAt = :expiresAt, tenantId = :tenantId, entity = :entity, #ttl = :ttl' +
            (firstPhase ? ', #phase = :phase, phaseStartedAt = :phaseStartedAt' : '') +
            ` ADD fence :one REMOVE ${(firstPhase ? cleared.slice(2) : cleared).join(', ')}`,
          ExpressionAttributeNames: { '#owner': 'owner', '#ttl': 'ttl', '#phase': 'phase' },
          ExpressionAttributeValues: {
            ':owner': owner,
            ':now': now.toISOString(),
            ':expiresAt': expiresAt,
            ':tenantId': tenantId,
            ':entity': 'lock',
            ':ttl': ttlAfter(now, ttlMs + LOCK_RETENTION_MS),
            ':one': 1,
            ...(firstPhase
              ? { ':phase': firstPhase.name, ':phaseStartedAt': firstPhase.startedAt }
              : {}),
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return toLock(result.Attributes ?? {});
    } catch (error) {
      if (isConditionalCheckFailed(error)) {
        const held = oldItemOf(error) ?? (await this.rawItem(tenantId));
        throw new LockHeldError(tenantId, stringOr(held?.['owner']), stringOr(held?.['expiresAt']));
      }
      throw error;
    }
  }

  /**
   * Pushes the lease of a lock `owner` holds to `ttlMs` from now. Throws {@link LockNotOwnedError}
   * if the lock is absent, held by someone else, or already expired (another owner may take it).
   * With `phase`, the same write records which phase of the owner's run started when (see
   * {@link openPhase}).
   */
  async extend(
    tenantId: string,
    owner: string,
    ttlMs: number,
    phase?: { readonly name: string; readonly startedAt: string },
  ): Promise<TenantLock> {
    const attributes = await this.renewLease(tenantId, owner, ttlMs, phaseStart(phase), 'ALL_NEW');
    return toLock(attributes ?? {});
  }

  /**
   * Records the end of `owner`'s phase on the lock (its timing and what it recorded for the run
   * record, as `live_<phase>`), pushes the lease to `ttlMs` from now and, with `next`, records
   * the next phase as started, all in one write: the boundary between two phases costs one
   * request. Throws {@link LockNotOwnedError} like {@link extend}, so a run that lost its lock
   * starts no further phase.
   */
  async endPhase(
    tenantId: string,
    owner: string,
    ttlMs: number,
    ended: { readonly name: string; readonly live: LivePhase },
    next?: { readonly name: string; readonly startedAt: string },
  ): Promise<void> {
    const start = phaseStart(next);
    await this.renewLease(tenantId, owner, ttlMs, {
      sets: ['#live = :live', ...start.sets],
      names: { '#live': LIVE_PHASE_PREFIX + ended.name, ...start.names },
      values: { ':live': ended.live, ...start.values },
    });
  }

  /**
   * Pushes `owner`'s lease to `ttlMs` from now with `extra` set in the same conditional update
   * (held by `owner` and not expired); throws {@link LockNotOwnedError} naming the holder otherwise.
   */
  private async renewLease(
    tenantId: string,
    owner: string,
    ttlMs: number,
    extra: LeaseExtras,
    returnValues?: 'ALL_NEW',
  ): Promise<Record<string, unknown> | undefined> {
    const now = this.ctx.clock.now();
    try {
      const result = await this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: keys.cycleLock(tenantId),
          // heldByOwner AND leaseStillValid
          ConditionExpression: '#owner = :owner AND expiresAt > :now',
          UpdateExpression: `SET ${['expiresAt = :expiresAt', '#ttl = :ttl', ...extra.sets].join(', ')}`,
          ExpressionAttributeNames: { '#owner': 'owner', '#ttl': 'ttl', ...extra.names },
          ExpressionAttributeValues: {
            ':owner': owner,
            ':now': now.toISOString(),
            ':expiresAt': new Date(now.getTime() + ttlMs).toISOString(),
            ':ttl': ttlAfter(now, ttlMs + LOCK_RETENTION_MS),
            ...extra.values,
          },
          ...(returnValues ? { ReturnValues: returnValues } : {}),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return result.Attributes;
    } catch (error) {
      if (isConditionalCheckFailed(error)) {
        throw new LockNotOwnedError(
          tenantId,
          owner,
          describeHolder(oldItemOf(error) ?? (await this.rawItem(tenantId)), now),
        );
      }
      throw error;
    }
  }

  /**
   * What `owner`'s run in progress has on the lock, in one read: the phases it ended there and the
   * phase it last started (see {@link openPhase}); empty once the lock is released or taken over.
   */
  async live(
    tenantId: string,
    owner: string,
  ): Promise<{
    readonly phases?: LivePhases;
    readonly open?: { readonly name: string; readonly startedAt: string };
  }> {
    const item = await this.rawItem(tenantId);
    if (item?.['owner'] !== owner) return {};
    const phases = livePhasesOf(item, owner);
    const open = openPhaseOf(item);
    return { ...(phases ? { phases } : {}), ...(open ? { open } : {}) };
  }

  /**
   * Releases a lock `owner` holds (expired or not, as long as nobody took it over). Throws
   * {@link LockNotOwnedError} when the lock is absent or held by someone else.
   */
  async release(tenantId: string, owner: string): Promise<void> {
    try {
      await this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: keys.cycleLock(tenantId),
          // heldByOwner
          ConditionExpression: '#owner = :owner',
          // The item stays (with its fence) so the next acquisition still counts up.
          UpdateExpression: 'SET expiresAt = :now, releasedAt = :now REMOVE #owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: {
            ':owner': owner,
            ':now': this.ctx.clock.now().toISOString(),
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) {
        const held = oldItemOf(error) ?? (await this.rawItem(tenantId));
        throw new LockNotOwnedError(tenantId, owner, describeHolder(held, this.ctx.clock.now()));
      }
      throw error;
    }
  }

  /** Reads the lock as it stands, or `undefined` when nobody holds it (absent, released or expired). */
  async current(tenantId: string): Promise<TenantLock | undefined> {
    const item = await this.rawItem(tenantId);
    if (!item || typeof item['owner'] !== 'string') return undefined;
    if (String(item['expiresAt']) <= this.ctx.clock.now().toISOString()) return undefined;
    return toLock(item);
  }

  /**
   * The phase `owner`'s run last started under this lock (recorded by {@link extend}), while
   * `owner` still holds it (expired or not); undefined otherwise. The failure step reads it to name
   * the phase a crashed step left open.
   */
  async openPhase(
    tenantId: string,
    owner: string,
  ): Promise<{ readonly name: string; readonly startedAt: string } | undefined> {
    const item = await this.rawItem(tenantId);
    if (item?.['owner'] !== owner) return undefined;
    return openPhaseOf(item);
  }

  /**
   * The lock item as stored. Used to describe the holder when DynamoDB did not return the old item
   * with a failed condition (`ReturnValuesOnConditionCheckFailure` is not emulated locally).
   */
  private async rawItem(tenantId: string): Promise<Record<string, unknown> | undefined> {
    const result = await this.ctx.doc.send(
      new GetCommand({
        TableName: this.ctx.tableName,
        Key: keys.cycleLock(tenantId),
        ConsistentRead: true,
      }),
    );
    return result.Item;
  }
}

function toLock(item: Record<string, unknown>): TenantLock {
  return {
    tenantId: String(item['tenantId']),
    owner: String(item['owner']),
    acquiredAt: String(item['acquiredAt']),
    expiresAt: String(item['expiresAt']),
    fence: Number(item['fence']),
  };
}

function openPhaseOf(
  item: Record<string, unknown>,
): { readonly name: string; readonly startedAt: string } | undefined {
  const name = stringOr(item['phase']);
  const startedAt = stringOr(item['phaseStartedAt']);
  return name && startedAt ? { name, startedAt } : undefined;
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function describeHolder(item: Record<string, unknown> | undefined, now: Date): string {
  if (!item || typeof item['owner'] !== 'string') return 'no lock is held';
  if (String(item['expiresAt']) <= now.toISOString())
    return `lease of ${String(item['owner'])} has expired`;
  return `held by ${String(item['owner'])} until ${String(item['expiresAt'])}`;
}

/** Attributes a lease renewal sets besides the lease itself. */
interface LeaseExtras {
  readonly sets: readonly string[];
  readonly names: Readonly<Record<string, string>>;
  readonly values: Readonly<Record<string, unknown>>;
}

/** The attributes that record `phase` as the owner's open phase, or none without one. */
function phaseStart(phase?: { readonly name: string; readonly startedAt: string }): LeaseExtras {
  return phase
    ? {
        sets: ['#phase = :phase', 'phaseStartedAt = :phaseStartedAt'],
        names: { '#phase': 'phase' },
        values: { ':phase': phase.name, ':phaseStartedAt': phase.startedAt },
      }
    : { sets: [], names: {}, values: {} };
}
