import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { SK_PREFIX, keys, tenantPartition } from './keys.js';
import type { TableContext } from './table-client.js';
import { isConditionalCheckFailed, withoutStorageAttributes } from './items.js';

/** A task for a person, created only by an allowed `create_task` action. */
export interface HumanTask {
  readonly taskId: string;
  readonly title: string;
  readonly contactId?: string;
  readonly cardId: string;
  readonly runId: string;
  readonly evidence: { readonly kind: string; readonly messageId?: string; readonly text?: string };
  readonly status: 'open' | 'done';
  readonly createdAt: string;
}

/** Human tasks (`TASK#<taskId>`), keyed by the creating card so a retried Act creates each once. */
export class TaskRepository {
  constructor(private readonly ctx: TableContext) {}

  /** Creates the task; returns false when a task with that id already exists. */
  async create(tenantId: string, task: HumanTask): Promise<boolean> {
    try {
      await this.ctx.doc.send(
        new PutCommand({
          TableName: this.ctx.tableName,
          Item: { ...keys.task(tenantId, task.taskId), entity: 'task', tenantId, ...task },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /** Lists a tenant's tasks in id order. */
  async list(tenantId: string): Promise<HumanTask[]> {
    const tasks: HumanTask[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const result = await this.ctx.doc.send(
        new QueryCommand({
          TableName: this.ctx.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: {
            ':pk': tenantPartition(tenantId),
            ':prefix': SK_PREFIX.task,
          },
          ExclusiveStartKey: startKey,
        }),
      );
      tasks.push(...(result.Items ?? []).map((item) => withoutStorageAttributes<HumanTask>(item)));
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    return tasks;
  }
}
