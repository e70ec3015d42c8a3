import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DeliverabilityStats } from '../domain/deliverability.js';
import {
  identityDateKey,
  type IdentityCounters,
  type IdentityWarmUpState,
} from '../domain/sending-identity.js';
import { identityPartition, keys } from './keys.js';
import { batchGetAll, queryAll, ttlAfter, type TableContext } from './table-client.js';
import { isConditionalCheckFailed, oldItemOf } from './items.js';
import {
  RATE_ATTRIBUTES,
  feedbackAttribute,
  sumDeliverability,
  type FeedbackKind,
} from './rate-counter-repository.js';

/** Identity day items are kept for 40 days, like the tenant rate counters. */
const IDENTITY_DAY_RETENTION_MS = 40 * 86_400_000;

/**
 * Attribute names inside one identity `RATE#<yyyy-MM-dd>` item: the tenant day item's `day`,
 * `bounces`, `softBounces` and `complaints`, so both sum with `sumDeliverability`.
 */
export const IDENTITY_DAY_ATTRIBUTES = {
  day: RATE_ATTRIBUTES.day,
} as const;

/** The outcome of {@link SendingIdentityRepository.reserve}. */
export type IdentityReserveResult =
  | {
      readonly reserved: true;
      /** The UTC day the send was counted on; pass it to `release`. */
      readonly dateKey: string;
      readonly counters: IdentityCounters;
    }
  | {
      readonly reserved: false;
      readonly dateKey: string;
      /** The day's count when the cap refused (read back when DynamoDB did not return it). */
      readonly counters: IdentityCounters;
    };

/** The outcome of {@link SendingIdentityRepository.setWarmUp}. */
export type IdentityWarmUpWrite =
  | { readonly applied: true; readonly state: IdentityWarmUpState }
  | {
      readonly applied: false;
      /** The state another sender stored first: decide again from it. */
      readonly current: IdentityWarmUpState | undefined;
    };

/** The identity items one send decides on, read together. */
export interface IdentitySnapshot {
  readonly dateKey: string;
  readonly counters: IdentityCounters;
  readonly warmUp?: IdentityWarmUpState;
}

/**
 * A sending identity's limits (DESIGN.md sections 4 and 5): the From domain's UTC day counter and
 * its warm-up ladder, shared by every tenant sending from that domain.
 *
 * ```
 * IDENTITY#mail.northwind.example  RATE#2026-01-05  day=7  bounces=0  complaints=0  ttl=+40d
 * IDENTITY#mail.northwind.example  WARMUP           phase=1  phaseStartedAt=…  phaseDays=7
 * ```
 *
 * **Not tenant-owned.** These items live outside every `TENANT#` partition on purpose: the
 * sender of any tenant on the domain writes them. Per-tenant IAM leading-key conditions must
 * grant the sender `IDENTITY#*` as an exception; no other function needs them.
 *
 * **Reservation protocol** (the sender's step 6; `reserveWithIdentity` in
 * shared/sending/identity-reservation.ts runs it):
 * 1. `reserve(identity, now, cap)`: one conditional UpdateItem counts the send on the identity's
 *    day while `day < cap`. Refused → defer with the identity's reason until the next UTC day.
 * 2. Reserve the tenant's counters (`RateCounterRepository.reserve`, with its own retries).
 * 3. Tenant refused or threw → `release(identity, dateKey)` gives the identity's send back.
 * 4. A send that later does not happen (claim lost, provider refused) releases both.
 *
 * A crash between 1 and 3 leaves the identity over-counted by one: the domain may send one fewer
 * that day, never one more. No transaction: each invariant is one conditional write.
 */
export class SendingIdentityRepository {
  constructor(private readonly ctx: TableContext) {}

  /** The counters in a day item (zero when absent). */
  static countersOf(item: Record<string, unknown> | undefined): IdentityCounters {
    const day = item?.[IDENTITY_DAY_ATTRIBUTES.day];
    return { day: typeof day === 'number' ? day : 0 };
  }

  /** The ladder state in a `WARMUP` item, or undefined when absent or unreadable. */
  static warmUpOf(item: Record<string, unknown> | undefined): IdentityWarmUpState | undefined {
    if (typeof item?.['phase'] !== 'number' || typeof item['phaseStartedAt'] !== 'string') {
      return undefined;
    }
    return {
      phase: item['phase'],
      phaseStartedAt: item['phaseStartedAt'],
      ...(typeof item['phaseDays'] === 'number' ? { phaseDays: item['phaseDays'] } : {}),
      ...(typeof item['warmedUpAt'] === 'string' ? { warmedUpAt: item['warmedUpAt'] } : {}),
    };
  }

  /** The identity's day counter at `now` and its ladder state, with one strongly consistent BatchGetItem. */
  async read(identity: string, now: Date): Promise<IdentitySnapshot> {
    const dateKey = identityDateKey(now);
    const dayKey = keys.identityDay(identity, dateKey);
    const warmUpKey = keys.identityWarmUp(identity);
    const items = new Map(
      (await batchGetAll(this.ctx, [dayKey, warmUpKey], { consistentRead: true })).map((item) => [
        String(item['sk']),
        item,
      ]),
    );
    const warmUp = SendingIdentityRepository.warmUpOf(items.get(warmUpKey.sk));
    return {
      dateKey,
      counters: SendingIdentityRepository.countersOf(items.get(dayKey.sk)),
      ...(warmUp ? { warmUp } : {}),
    };
  }

  /**
   * Counts one send on the identity's UTC day of `now` with one conditional UpdateItem, if and
   * only if the day's count is under `cap` (no cap: always counted). Concurrent reservers on
   * the same identity are serialised by DynamoDB, so at most `cap` succeed per day.
   */
  async reserve(
    identity: string,
    now: Date,
    cap: number | undefined,
  ): Promise<IdentityReserveResult> {
    const dateKey = identityDateKey(now);
    try {
      const result = await this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: keys.identityDay(identity, dateKey),
          ...(cap === undefined
            ? {}
            : {
                // underIdentityDailyCap (ladder or fixed identity cap)
                ConditionExpression: 'attribute_not_exists(#day) OR #day < :cap',
              }),
          UpdateExpression:
            'SET entity = :entity, #identity = :identity, #ttl = :ttl ADD #day :one',
          ExpressionAttributeNames: {
            '#day': IDENTITY_DAY_ATTRIBUTES.day,
            '#identity': 'identity',
            '#ttl': 'ttl',
          },
          ExpressionAttributeValues: {
            ...(cap === undefined ? {} : { ':cap': cap }),
            ':one': 1,
            ':entity': 'identity_counters',
            ':identity': identity,
            ':ttl': ttlAfter(now, IDENTITY_DAY_RETENTION_MS),
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return {
        reserved: true,
        dateKey,
        counters: SendingIdentityRepository.countersOf(result.Attributes),
      };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      return {
        reserved: false,
        dateKey,
        counters: SendingIdentityRepository.countersOf(
          oldItemOf(error) ?? (await this.getDay(identity, dateKey)),
        ),
      };
    }
  }

  /**
   * Gives back one send reserved on `dateKey` (the send did not happen). Best effort: returns
   * false, changing nothing, when the day has no send to give back; the count never goes below 0.
   */
  async release(identity: string, dateKey: string): Promise<boolean> {
    try {
      await this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: keys.identityDay(identity, dateKey),
          // daySentSomething
          ConditionExpression: '#day > :zero',
          UpdateExpression: 'ADD #day :minusOne',
          ExpressionAttributeNames: { '#day': IDENTITY_DAY_ATTRIBUTES.day },
          ExpressionAttributeValues: { ':zero': 0, ':minusOne': -1 },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /** One day item as stored (strongly consistent), or undefined. */
  async getDay(identity: string, dateKey: string): Promise<Record<string, unknown> | undefined> {
    const result = await this.ctx.doc.send(
      new GetCommand({
        TableName: this.ctx.tableName,
        Key: keys.identityDay(identity, dateKey),
        ConsistentRead: true,
      }),
    );
    return result.Item;
  }

  /** The identity's ladder state (strongly consistent), or undefined when it has none. */
  async getWarmUp(identity: string): Promise<IdentityWarmUpState | undefined> {
    const result = await this.ctx.doc.send(
      new GetCommand({
        TableName: this.ctx.tableName,
        Key: keys.identityWarmUp(identity),
        ConsistentRead: true,
      }),
    );
    return SendingIdentityRepository.warmUpOf(result.Item);
  }

  /**
   * Stores a started, advanced or completed ladder, unless another sender moved it first.
   * `expected` is the state the decision was made from (undefined: none was stored). Two senders
   * starting the ladder at once: one applies, the other gets the winner's state back.
   *
   * ```
   * A: read (none) ─ setWarmUp(phase 0, expected none) ✓
   * B: read (none) ───── setWarmUp(phase 0, expected none) ✗ → current = A's phase 0
   * ```
   */
  async setWarmUp(
    identity: string,
    next: IdentityWarmUpState,
    expected: IdentityWarmUpState | undefined,
  ): Promise<IdentityWarmUpWrite> {
    try {
      await this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: keys.identityWarmUp(identity),
          ConditionExpression:
            expected === undefined
              ? // ladderNotStarted
                'attribute_not_exists(pk)'
              : // ladderUnchangedSinceRead (each start, advance and completion changes phaseStartedAt or warmedUpAt)
                '#phase = :expectedPhase AND #phaseStartedAt = :expectedStartedAt AND attribute_not_exists(#warmedUpAt)',
          UpdateExpression: [
            'SET #phase = :phase, #phaseStartedAt = :phaseStartedAt, entity = :entity, #identity = :identity',
            next.phaseDays !== undefined ? ', #phaseDays = :phaseDays' : '',
            next.warmedUpAt !== undefined ? ', #warmedUpAt = :warmedUpAt' : '',
          ].join(''),
          ExpressionAttributeNames: {
            '#identity': 'identity',
            '#phase': 'phase',
            '#phaseStartedAt': 'phaseStartedAt',
            ...(expected !== undefined || next.warmedUpAt !== undefined
              ? { '#warmedUpAt': 'warmedUpAt' }
              : {}),
            ...(next.phaseDays !== undefined ? { '#phaseDays': 'phaseDays' } : {}),
          },
          ExpressionAttributeValues: {
            ':phase': next.phase,
            ':phaseStartedAt': next.phaseStartedAt,
            ':entity': 'identity_warm_up',
            ':identity': identity,
            ...(next.phaseDays !== undefined ? { ':phaseDays': next.phaseDays } : {}),
            ...(next.warmedUpAt !== undefined ? { ':warmedUpAt': next.warmedUpAt } : {}),
            ...(expected === undefined
              ? {}
              : {
                  ':expectedPhase': expected.phase,
                  ':expectedStartedAt': expected.phaseStartedAt,
                }),
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { applied: true, state: next };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const old = oldItemOf(error);
      return {
        applied: false,
        current: old ? SendingIdentityRepository.warmUpOf(old) : await this.getWarmUp(identity),
      };
    }
  }

  /** Counts one bounce, soft bounce or complaint for the identity on the UTC day it arrived. */
  async recordFeedback(identity: string, kind: FeedbackKind, now: Date): Promise<void> {
    const attribute = feedbackAttribute(kind);
    await this.ctx.doc.send(
      new UpdateCommand({
        TableName: this.ctx.tableName,
        Key: keys.identityDay(identity, identityDateKey(now)),
        UpdateExpression:
          'SET entity = :entity, #identity = :identity, #ttl = if_not_exists(#ttl, :ttl) ADD #counter :one',
        ExpressionAttributeNames: { '#counter': attribute, '#identity': 'identity', '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':entity': 'identity_counters',
          ':identity': identity,
          ':ttl': ttlAfter(now, IDENTITY_DAY_RETENTION_MS),
          ':one': 1,
        },
      }),
    );
  }

  /**
   * The identity's sends, bounces and complaints over the UTC days `fromDate` to `toDate`
   * (inclusive): the deliverability the identity's ladder holds on.
   */
  async stats(identity: string, fromDate: string, toDate: string): Promise<DeliverabilityStats> {
    const items = await queryAll(this.ctx, {
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': identityPartition(identity),
        ':from': keys.identityDay(identity, fromDate).sk,
        ':to': keys.identityDay(identity, toDate).sk,
      },
      ConsistentRead: true,
    });
    return sumDeliverability(items);
  }
}
