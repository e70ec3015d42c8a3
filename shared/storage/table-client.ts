import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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

/** Epoch seconds for DynamoDB TTL, `afterMs` past `from`. */
export function ttlAfter(from: Date, afterMs: number): number {
  return Math.floor((from.getTime() + afterMs) / 1000);
}
