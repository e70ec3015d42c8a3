import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { SK_PREFIX, keys } from './keys.js';
import { queryTenantPrefix, type TableContext } from './table-client.js';
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
    const items = await queryTenantPrefix(this.ctx, tenantId, SK_PREFIX.task);
    return items.map((item) => withoutStorageAttributes<HumanTask>(item));
  }
}
