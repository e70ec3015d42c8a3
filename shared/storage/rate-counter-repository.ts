import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CounterWindow, RateCounters, SendLimits } from '../domain/send-gate.js';
import type { DeliverabilityStats } from '../domain/deliverability.js';
import { SK_PREFIX, keys, tenantPartition } from './keys.js';
import { queryTenantRange, ttlAfter, type TableContext } from './table-client.js';
import { isConditionalCheckFailed, oldItemOf } from './items.js';

/** Counter items are kept for 40 days: the month-to-date chain and the 7-day rates need no more. */
const RATE_RETENTION_MS = 40 * 86_400_000;

/** Attribute names inside one `RATE#<yyyy-MM-dd>` item. */
export const RATE_ATTRIBUTES = {
  month: 'month',
  day: 'day',
  lastSentAt: 'lastSentAt',
  sealed: 'sealed',
  bounces: 'bounces',
  softBounces: 'softBounces',
  complaints: 'complaints',
  /** Sends in local hour `HH`. */
  hour: (hourLabel: string) => `h${hourLabel}`,
  /** Sends in local hour `HH` to one recipient domain. */
  domainHour: (hourLabel: string, domain: string) => `dh#${hourLabel}#${domain}`,
} as const;

/** Month-to-date and last-send values carried into a day item that has no sends yet. */
export interface CounterBase {
  readonly month: number;
  readonly lastSentAt?: string;
}

/** Kinds of delivery feedback counted per day. */
export type FeedbackKind = 'bounce' | 'soft_bounce' | 'complaint';

/** The outcome of {@link RateCounterRepository.reserve}. */
export type ReserveResult =
  | { readonly reserved: true; readonly counters: RateCounters }
  | {
      readonly reserved: false;
      /** The item as it stood when the condition failed (read back when DynamoDB did not return it). */
      readonly current: Record<string, unknown> | undefined;
    };

/**
 * Send rate counters (DESIGN.md section 2): one item per tenant-local day, `RATE#<yyyy-MM-dd>`,
 * holding every window one send counts against, so one conditional `UpdateItem` checks and
 * increments them all:
 *
 * ```
 * RATE#2026-01-05  month=41  day=12  h09=4  h10=8  dh#10#acme.example=3  lastSentAt=…10:41:07Z
 *                  bounces=1  softBounces=0  complaints=0  [sealed=true once the next day began]
 * ```
 *
 * `month` is month-to-date *including* the day. The first send of a day copies it from the latest
 * earlier item of the same month, after **sealing** that item (`sealed = true`, one update that
 * returns its final counts): a reservation still racing against the old day then fails its
 * `attribute_not_exists(sealed)` condition and is re-decided on the new day, so no send is counted
 * in a day whose total was already carried forward. Sealing costs one Query and one update per
 * tenant per day. Feedback (bounces, complaints) is counted on the day it arrives, sealed or not.
 */
export class RateCounterRepository {
  constructor(private readonly ctx: TableContext) {}

  /** The counter values a send in `window` sees in a day item (or the base when the day has none). */
  static countersOf(
    item: Record<string, unknown> | undefined,
    window: CounterWindow,
    base: CounterBase | undefined,
  ): RateCounters {
    const number = (name: string) => (typeof item?.[name] === 'number' ? item[name] : 0);
    const month =
      typeof item?.[RATE_ATTRIBUTES.month] === 'number'
        ? (item[RATE_ATTRIBUTES.month] as number)
        : (base?.month ?? 0);
    const lastSentAt =
      typeof item?.[RATE_ATTRIBUTES.lastSentAt] === 'string'
        ? (item[RATE_ATTRIBUTES.lastSentAt] as string)
        : base?.lastSentAt;
    return {
      month,
      day: number(RATE_ATTRIBUTES.day),
      hour: number(RATE_ATTRIBUTES.hour(window.hourLabel)),
      domainHour: number(RATE_ATTRIBUTES.domainHour(window.hourLabel, window.domain)),
      ...(lastSentAt ? { lastSentAt } : {}),
    };
  }

  /** True when a day item already carries its month-to-date count (no base needed). */
  static hasMonth(item: Record<string, unknown> | undefined): boolean {
    return typeof item?.[RATE_ATTRIBUTES.month] === 'number';
  }

  /**
   * The month-to-date count and last send to carry into `window.dateKey`: seals every earlier item
   * of the same month back to the latest one that counted sends and returns that one's totals.
   * The last send may come from the previous month (so the minimum delay holds across the 1st);
   * the month count never does.
   */
  async carryForward(tenantId: string, window: CounterWindow): Promise<CounterBase> {
    const result = await this.ctx.doc.send(
      new QueryCommand({
        TableName: this.ctx.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': tenantPartition(tenantId),
          ':from': `${SK_PREFIX.rate}${previousMonthKey(window.monthKey)}-01`,
          ':to': keys.rateCounters(tenantId, window.dateKey).sk,
        },
        ScanIndexForward: false,
        ConsistentRead: true,
      }),
    );
    const today = keys.rateCounters(tenantId, window.dateKey).sk;
    const thisMonth = `${SK_PREFIX.rate}${window.monthKey}-`;
    for (const item of result.Items ?? []) {
      if (item['sk'] === today) continue;
      const sameMonth = String(item['sk']).startsWith(thisMonth);
      const current =
        sameMonth && item[RATE_ATTRIBUTES.sealed] !== true ? await this.seal(item) : item;
      const lastSentAt = current[RATE_ATTRIBUTES.lastSentAt];
      if (sameMonth && RateCounterRepository.hasMonth(current)) {
        return {
          month: current[RATE_ATTRIBUTES.month] as number,
          ...(typeof lastSentAt === 'string' ? { lastSentAt } : {}),
        };
      }
      if (!sameMonth && typeof lastSentAt === 'string') return { month: 0, lastSentAt };
    }
    return { month: 0 };
  }

  private async seal(item: Record<string, unknown>): Promise<Record<string, unknown>> {
    const result = await this.ctx.doc.send(
      new UpdateCommand({
        TableName: this.ctx.tableName,
        Key: { pk: item['pk'], sk: item['sk'] },
        ConditionExpression: 'attribute_exists(pk)',
        UpdateExpression: 'SET #sealed = :true',
        ExpressionAttributeNames: { '#sealed': RATE_ATTRIBUTES.sealed },
        ExpressionAttributeValues: { ':true': true },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return result.Attributes ?? item;
  }

  /**
   * Counts one send in every window of `window` with one conditional update, if and only if each
   * count is still under its cap in `limits` and the minimum delay since the last send has passed.
   * `base` supplies the month-to-date and last send when the day has no sends yet.
   */
  async reserve(
    tenantId: string,
    window: CounterWindow,
    limits: SendLimits,
    now: Date,
    base: CounterBase,
  ): Promise<ReserveResult> {
    const minDelayBoundary = new Date(now.getTime() - limits.minDelaySeconds * 1_000).toISOString();
    const key = keys.rateCounters(tenantId, window.dateKey);
    try {
      const result = await this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: key,
          ConditionExpression: [
            // dayNotSealed
            'attribute_not_exists(#sealed)',
            // underMonthlyCap (a fresh day's base was checked by the gate)
            'AND (attribute_not_exists(#month) OR #month < :perMonth)',
            // underDailyCap (daily or warm-up)
            'AND (attribute_not_exists(#day) OR #day < :perDay)',
            // underHourlyCap
            'AND (attribute_not_exists(#hour) OR #hour < :perHour)',
            // underDomainHourlyCap
            'AND (attribute_not_exists(#domainHour) OR #domainHour < :perDomainPerHour)',
            // minimumDelayPassed
            'AND (attribute_not_exists(#lastSentAt) OR #lastSentAt <= :minDelayBoundary)',
          ].join(' '),
          UpdateExpression:
            'SET #month = if_not_exists(#month, :baseMonth) + :one, #lastSentAt = :now, entity = :entity, tenantId = :tenantId, #ttl = :ttl ' +
            'ADD #day :one, #hour :one, #domainHour :one',
          ExpressionAttributeNames: {
            '#sealed': RATE_ATTRIBUTES.sealed,
            '#month': RATE_ATTRIBUTES.month,
            '#day': RATE_ATTRIBUTES.day,
            '#hour': RATE_ATTRIBUTES.hour(window.hourLabel),
            '#domainHour': RATE_ATTRIBUTES.domainHour(window.hourLabel, window.domain),
            '#lastSentAt': RATE_ATTRIBUTES.lastSentAt,
            '#ttl': 'ttl',
          },
          ExpressionAttributeValues: {
            ':perMonth': limits.perMonth,
            ':perDay': limits.perDay,
            ':perHour': limits.perHour,
            ':perDomainPerHour': limits.perDomainPerHour,
            ':minDelayBoundary': minDelayBoundary,
            ':baseMonth': base.month,
            ':one': 1,
            ':now': now.toISOString(),
            ':entity': 'rate_counters',
            ':tenantId': tenantId,
            ':ttl': ttlAfter(now, RATE_RETENTION_MS),
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return {
        reserved: true,
        counters: RateCounterRepository.countersOf(result.Attributes, window, base),
      };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      return {
        reserved: false,
        current: oldItemOf(error) ?? (await this.getDay(tenantId, window.dateKey)),
      };
    }
  }

  /**
   * Gives back one reserved send (the send did not happen: the claim was lost or the provider
   * refused). Best effort: a day already sealed keeps its count, which only errs on the safe side.
   */
  async release(tenantId: string, window: CounterWindow): Promise<boolean> {
    try {
      await this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: keys.rateCounters(tenantId, window.dateKey),
          ConditionExpression:
            'attribute_not_exists(#sealed) AND #month > :zero AND #day > :zero AND #hour > :zero AND #domainHour > :zero',
          UpdateExpression:
            'SET #month = #month - :one ADD #day :minusOne, #hour :minusOne, #domainHour :minusOne',
          ExpressionAttributeNames: {
            '#sealed': RATE_ATTRIBUTES.sealed,
            '#month': RATE_ATTRIBUTES.month,
            '#day': RATE_ATTRIBUTES.day,
            '#hour': RATE_ATTRIBUTES.hour(window.hourLabel),
            '#domainHour': RATE_ATTRIBUTES.domainHour(window.hourLabel, window.domain),
          },
          ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':minusOne': -1 },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /** Counts one bounce, soft bounce or complaint on the tenant-local day it arrived. */
  async recordFeedback(
    tenantId: string,
    dateKey: string,
    kind: FeedbackKind,
    now: Date,
  ): Promise<void> {
    const attribute = feedbackAttribute(kind);
    await this.ctx.doc.send(
      new UpdateCommand({
        TableName: this.ctx.tableName,
        Key: keys.rateCounters(tenantId, dateKey),
        UpdateExpression:
          'SET entity = :entity, tenantId = :tenantId, #ttl = if_not_exists(#ttl, :ttl) ADD #counter :one',
        ExpressionAttributeNames: { '#counter': attribute, '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':entity': 'rate_counters',
          ':tenantId': tenantId,
          ':ttl': ttlAfter(now, RATE_RETENTION_MS),
          ':one': 1,
        },
      }),
    );
  }

  /** Sends, bounces and complaints summed over the day items from `fromDate` to `toDate` (inclusive). */
  async stats(tenantId: string, fromDate: string, toDate: string): Promise<DeliverabilityStats> {
    const items = await queryTenantRange(
      this.ctx,
      tenantId,
      keys.rateCounters(tenantId, fromDate).sk,
      keys.rateCounters(tenantId, toDate).sk,
      { consistentRead: true },
    );
    return sumDeliverability(items);
  }

  /** One day item as stored, or undefined. */
  async getDay(tenantId: string, dateKey: string): Promise<Record<string, unknown> | undefined> {
    const result = await this.ctx.doc.send(
      new GetCommand({
        TableName: this.ctx.tableName,
        Key: keys.rateCounters(tenantId, dateKey),
        ConsistentRead: true,
      }),
    );
    return result.Item;
  }
}

/** The day-item attribute one kind of delivery feedback is counted in. */
export function feedbackAttribute(kind: FeedbackKind): string {
  return kind === 'bounce'
    ? RATE_ATTRIBUTES.bounces
    : kind === 'soft_bounce'
      ? RATE_ATTRIBUTES.softBounces
      : RATE_ATTRIBUTES.complaints;
}

/** Sends, bounces and complaints summed over day items (tenant or identity: same attributes). */
export function sumDeliverability(items: readonly Record<string, unknown>[]): DeliverabilityStats {
  const sum = (name: string) =>
    items.reduce((total, item) => total + (typeof item[name] === 'number' ? item[name] : 0), 0);
  return {
    sends: sum(RATE_ATTRIBUTES.day),
    bounces: sum(RATE_ATTRIBUTES.bounces),
    softBounces: sum(RATE_ATTRIBUTES.softBounces),
    complaints: sum(RATE_ATTRIBUTES.complaints),
  };
}

/** The month before `yyyy-MM`, as `yyyy-MM`. */
function previousMonthKey(monthKey: string): string {
  const [year = 0, month = 1] = monthKey.split('-').map(Number);
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
}
