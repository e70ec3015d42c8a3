import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  paginateQuery,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { tenantPartition, type ItemKey } from './keys.js';
import type { Clock } from '../clock.js';
import { ValidationError } from '../errors.js';

/** What every repository needs: the document client, the table and the clock. */
export interface TableContext {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly clock: Clock;
}

/**
 * Creates a document client that drops `undefined` attributes, so optional fields never reach
 * DynamoDB as NULL-typed values.
 */
export function createDocumentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(config), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/** One page of a listing plus the opaque cursor for the next page (absent on the last page). */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor?: string;
}

/** Paging options for listings; `limit` defaults per repository and is capped at 1,000. */
export interface PageOptions {
  readonly limit?: number;
  readonly cursor?: string;
}

/** Encodes a DynamoDB `LastEvaluatedKey` as an opaque cursor. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : undefined;
}

/**
 * Decodes a cursor produced by {@link encodeCursor}. When `expectedPk` is given, a cursor whose key
 * belongs to another partition is refused, so a cursor cannot be replayed against another tenant.
 */
export function decodeCursor(
  cursor: string | undefined,
  expectedPk?: { attribute: string; value: string },
): Record<string, unknown> | undefined {
  if (cursor === undefined) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new ValidationError('cursor', 'not a cursor returned by a previous page');
  }
  if (typeof key !== 'object' || key === null || Array.isArray(key)) {
    throw new ValidationError('cursor', 'not a cursor returned by a previous page');
  }
  const record = key as Record<string, unknown>;
  if (expectedPk && record[expectedPk.attribute] !== expectedPk.value) {
    throw new ValidationError('cursor', 'cursor belongs to a different listing');
  }
  return record;
}

/** Clamps a requested page size to 1..1000 with a default. */
export function pageLimit(limit: number | undefined, fallback: number): number {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 1)
    throw new ValidationError('limit', 'expected a positive whole number');
  return Math.min(limit, 1_000);
}

/**
 * One page of a Query over one partition: at most `options.limit` items (default
 * `defaultLimit`), continuing from `options.cursor`, which is refused unless it came from the same
 * partition (`partition` names its key attribute and value); each item is mapped by `toItem`.
 */
export async function queryPage<T>(
  ctx: Pick<TableContext, 'doc' | 'tableName'>,
  input: QueryAllInput,
  page: {
    readonly partition: { attribute: string; value: string };
    readonly options: PageOptions;
    readonly defaultLimit: number;
    readonly toItem: (item: Record<string, unknown>) => T;
  },
): Promise<Page<T>> {
  const result = await ctx.doc.send(
    new QueryCommand({
      TableName: ctx.tableName,
      ...input,
      Limit: pageLimit(page.options.limit, page.defaultLimit),
      ExclusiveStartKey: decodeCursor(page.options.cursor, page.partition),
    }),
  );
  const nextCursor = encodeCursor(result.LastEvaluatedKey);
  return {
    items: (result.Items ?? []).map(page.toItem),
    ...(nextCursor ? { nextCursor } : {}),
  };
}

/** Epoch seconds for DynamoDB TTL, `afterMs` past `from`. */
export function ttlAfter(from: Date, afterMs: number): number {
  return Math.floor((from.getTime() + afterMs) / 1000);
}

/** A query of the table without paging fields; {@link queryAll} follows the pages. */
export type QueryAllInput = Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>;

/** Runs a query and follows every page (lib-dynamodb `paginateQuery`), returning all items in key order. */
export async function queryAll(
  ctx: Pick<TableContext, 'doc' | 'tableName'>,
  input: QueryAllInput,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateQuery(
    { client: ctx.doc },
    { ...input, TableName: ctx.tableName },
  ))
    items.push(...(page.Items ?? []));
  return items;
}

/**
 * Reads up to 100 items by key with `BatchGetItem`, re-asking for unprocessed keys (at most 5
 * rounds, then throws). Returns the items found, in no particular order.
 */
export async function batchGetAll(
  ctx: Pick<TableContext, 'doc' | 'tableName'>,
  wanted: readonly ItemKey[],
  options: { consistentRead?: boolean } = {},
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let pending: ItemKey[] = [...wanted];
  for (let round = 0; pending.length > 0; round += 1) {
    if (round >= 5) throw new Error('BatchGetItem left keys unprocessed after 5 rounds');
    const result = await ctx.doc.send(
      new BatchGetCommand({
        RequestItems: {
          [ctx.tableName]: {
            Keys: pending,
            ...(options.consistentRead ? { ConsistentRead: true } : {}),
          },
        },
      }),
    );
    items.push(...(result.Responses?.[ctx.tableName] ?? []));
    pending = (result.UnprocessedKeys?.[ctx.tableName]?.Keys ?? []) as ItemKey[];
  }
  return items;
}

/**
 * Puts items with `BatchWriteItem`, 25 per request, re-sending unprocessed ones (at most 5
 * rounds, then throws). Unconditional: only for items nobody else writes meanwhile.
 */
export async function batchPutAll(
  ctx: Pick<TableContext, 'doc' | 'tableName'>,
  items: readonly Record<string, unknown>[],
): Promise<void> {
  for (let offset = 0; offset < items.length; offset += 25) {
    let pending = items.slice(offset, offset + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let round = 0; pending.length > 0; round += 1) {
      if (round >= 5) throw new Error('BatchWriteItem left items unprocessed after 5 rounds');
      const result = await ctx.doc.send(
        new BatchWriteCommand({ RequestItems: { [ctx.tableName]: pending } }),
      );
      pending = (result.UnprocessedItems?.[ctx.tableName] ?? []) as typeof pending;
    }
  }
}

/** Every item of one tenant whose sort key starts with `prefix`, following pages. */
export function queryTenantPrefix(
  ctx: Pick<TableContext, 'doc' | 'tableName'>,
  tenantId: string,
  prefix: string,
  options: { consistentRead?: boolean } = {},
): Promise<Record<string, unknown>[]> {
  return queryAll(ctx, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': tenantPartition(tenantId), ':prefix': prefix },
    ...(options.consistentRead ? { ConsistentRead: true } : {}),
  });
}

/** Every item of one tenant whose sort key lies between `from` and `to` (inclusive), following pages. */
export function queryTenantRange(
  ctx: Pick<TableContext, 'doc' | 'tableName'>,
  tenantId: string,
  from: string,
  to: string,
  options: { consistentRead?: boolean } = {},
): Promise<Record<string, unknown>[]> {
  return queryAll(ctx, {
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': tenantPartition(tenantId), ':from': from, ':to': to },
    ...(options.consistentRead ? { ConsistentRead: true } : {}),
  });
}
