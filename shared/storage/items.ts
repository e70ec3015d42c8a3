import { unmarshall } from '@aws-sdk/util-dynamodb';
const STORAGE_ATTRIBUTES = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'ttl', 'entity']);

/** Returns an item without its storage-only attributes (keys, index keys, TTL, entity tag). */
export function withoutStorageAttributes<T>(item: Record<string, unknown>): T {
  return Object.fromEntries(
    Object.entries(item).filter(([name]) => !STORAGE_ATTRIBUTES.has(name)),
  ) as T;
}

/** True when an AWS SDK error is DynamoDB's conditional-check failure. */
export function isConditionalCheckFailed(
  error: unknown,
): error is Error & { Item?: Record<string, unknown> } {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/**
 * The item DynamoDB returned with a failed condition (`ReturnValuesOnConditionCheckFailure:
 * ALL_OLD`), as plain values. The document client does not unmarshall errors, so this does.
 */
export function oldItemOf(
  error: Error & { Item?: Record<string, unknown> },
): Record<string, unknown> | undefined {
  if (!error.Item) return undefined;
  const looksMarshalled = Object.values(error.Item).every(
    (value) => value !== null && typeof value === 'object' && !Array.isArray(value),
  );
  return looksMarshalled ? unmarshall(error.Item as Parameters<typeof unmarshall>[0]) : error.Item;
}
