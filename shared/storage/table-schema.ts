/**
 * The single table's physical shape: the one definition both the CDK construct and the embedded
 * local stack build the table from, so their keys and indexes cannot drift apart.
 */
export const TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'ttl',
  globalSecondaryIndexes: [
    {
      indexName: 'gsi1',
      partitionKey: 'gsi1pk',
      sortKey: 'gsi1sk',
    },
  ],
} as const;

/** Name of the generic, overloaded global secondary index. */
export const GSI1 = TABLE_SCHEMA.globalSecondaryIndexes[0].indexName;
