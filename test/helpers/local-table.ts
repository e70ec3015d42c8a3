import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { VirtualClock } from '../../shared/clock.js';
import {
  createRepositories,
  type Repositories,
  type TableContext,
} from '../../shared/storage/index.js';
import { ensureTable } from '../../infra/local/table.js';
import { localDynamoDbConfig } from '../../infra/local/local-stack.js';

/** A fresh table on the shared embedded DynamoDB, with repositories on a virtual clock. */
export interface TestTable extends TableContext {
  readonly clock: VirtualClock;
  readonly repos: Repositories;
  readonly client: DynamoDBClient;
  /** Counts requests sent through `doc`, by command name. */
  readonly requestCounts: Map<string, number>;
  dispose(): Promise<void>;
}

/**
 * Creates a uniquely named table from the shared schema on the embedded dynalite started by the
 * global setup, so test files never see each other's items.
 */
export async function createTestTable(start = '2026-01-05T09:00:00.000Z'): Promise<TestTable> {
  const { endpoints, region } = inject('localStack');
  const client = new DynamoDBClient(localDynamoDbConfig(endpoints.dynamodb, region));
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const requestCounts = new Map<string, number>();
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName);
      requestCounts.set(name, (requestCounts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  const tableName = `test-${randomUUID()}`;
  await ensureTable(client, tableName);
  const clock = new VirtualClock(start);
  const ctx = { doc, tableName, clock };
  return {
    ...ctx,
    client,
    repos: createRepositories(ctx),
    requestCounts,
    async dispose() {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
      client.destroy();
    },
  };
}
