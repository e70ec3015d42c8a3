import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ReflectionBody } from '../domain/reflection.js';
import { SK_PREFIX, keys, tenantPartition } from './keys.js';
import { ttlAfter, type TableContext } from './table-client.js';
import { withoutStorageAttributes } from './items.js';

/** A stored reflection of one tenant-hour. */
export interface Reflection extends ReflectionBody {
  readonly tenantId: string;
  readonly hourKey: string;
  readonly runId: string;
  readonly createdAt: string;
}

const REFLECTION_RETENTION_MS = 90 * 86_400_000;

/** Reflections (`REFLECT#<hourKey>`), one per completed cycle; Plan reads the latest. */
export class ReflectionRepository {
  constructor(private readonly ctx: TableContext) {}

  /** Writes the reflection of a tenant-hour; a retried Reflect overwrites it with the same content. */
  async put(
    tenantId: string,
    hourKey: string,
    runId: string,
    body: ReflectionBody,
  ): Promise<Reflection> {
    const now = this.ctx.clock.now();
    const reflection: Reflection = {
      ...body,
      tenantId,
      hourKey,
      runId,
      createdAt: now.toISOString(),
    };
    await this.ctx.doc.send(
      new PutCommand({
        TableName: this.ctx.tableName,
        Item: {
          ...keys.reflection(tenantId, hourKey),
          entity: 'reflection',
          ttl: ttlAfter(now, REFLECTION_RETENTION_MS),
          ...reflection,
        },
      }),
    );
    return reflection;
  }

  /** The most recent reflection written before `beforeHourKey` (exclusive), if any. */
  async latestBefore(tenantId: string, beforeHourKey: string): Promise<Reflection | undefined> {
    const result = await this.ctx.doc.send(
      new QueryCommand({
        TableName: this.ctx.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': tenantPartition(tenantId),
          ':from': SK_PREFIX.reflection,
          ':to': keys
            .reflection(tenantId, beforeHourKey)
            .sk.replace(/\d{10}$/, (key) => String(Number(key) - 1).padStart(10, '0')),
        },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const item = result.Items?.[0];
    return item ? withoutStorageAttributes<Reflection>(item) : undefined;
  }
}
