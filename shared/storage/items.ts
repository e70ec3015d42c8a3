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
