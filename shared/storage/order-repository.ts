import type * as z from '../zod.js';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../errors.js';
import {
  catalogSchema,
  orderSchema,
  type CatalogEntry,
  type Order,
  type OrderStatus,
} from '../domain/orders/order-schema.js';
import type { OrderException } from '../domain/orders/order-validation.js';
import type { OrderFix } from '../domain/orders/order-auto-fix.js';
import { SK_PREFIX, keys } from './keys.js';
import type { TableContext } from './table-client.js';
import { EntityRepository } from './entity-repository.js';
import { TenantWakeRepository } from './tenant-wake-repository.js';

/** An order as stored: the order plus the result of its last validation. */
export type StoredOrder = Order & {
  readonly exceptions?: readonly OrderException[];
  readonly fixes?: readonly OrderFix[];
  readonly validatedAt?: string;
};

/** Orders of a tenant (`ORDER#<id>`) and its product catalog (`CATALOG`). */
export class OrderRepository extends EntityRepository<StoredOrder> {
  constructor(ctx: TableContext) {
    super(ctx, {
      entity: 'order',
      // Stored orders carry validation results beyond the input schema; writes still go through it.
      schema: orderSchema as unknown as z.ZodMiniType<StoredOrder>,
      skPrefix: SK_PREFIX.order,
      idOf: (order) => order.orderId,
      key: keys.order,
    });
  }

  /** Stores an order like {@link EntityRepository.put}; a new or changed order makes the tenant due. */
  override async put(tenantId: string, input: unknown): Promise<StoredOrder> {
    const order = await super.put(tenantId, input);
    await new TenantWakeRepository(this.ctx).markDirty(tenantId, this.ctx.clock.now());
    return order;
  }

  /** Ids of the tenant's orders in one status, in id order. */
  async listIdsByStatus(tenantId: string, status: OrderStatus): Promise<string[]> {
    const ids: string[] = [];
    for await (const order of this.all(tenantId))
      if (order.status === status) ids.push(order.orderId);
    return ids;
  }

  /**
   * Stores a validation result on an order: the (possibly auto-fixed) order fields, its status,
   * exceptions and fixes. Re-validating with the same result writes the same item (idempotent).
   */
  async saveValidation(
    tenantId: string,
    order: Order,
    result: {
      status: 'ready' | 'exception';
      exceptions: readonly OrderException[];
      fixes: readonly OrderFix[];
    },
  ): Promise<void> {
    await this.ctx.doc.send(
      new UpdateCommand({
        TableName: this.ctx.tableName,
        Key: keys.order(tenantId, order.orderId),
        ConditionExpression: 'attribute_exists(pk)',
        UpdateExpression:
          'SET #status = :status, #exceptions = :exceptions, #fixes = :fixes, #validatedAt = :now, #total = :total',
        ExpressionAttributeNames: {
          '#status': 'status',
          '#exceptions': 'exceptions',
          '#fixes': 'fixes',
          '#validatedAt': 'validatedAt',
          '#total': 'total',
        },
        ExpressionAttributeValues: {
          ':status': result.status,
          ':exceptions': result.exceptions,
          ':fixes': result.fixes,
          ':now': this.ctx.clock.now().toISOString(),
          ':total': order.total ?? null,
        },
      }),
    );
  }

  /** Replaces the tenant's catalog; errors name the entry and field. */
  async putCatalog(tenantId: string, entries: unknown): Promise<CatalogEntry[]> {
    const parsed = catalogSchema.safeParse(entries);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ValidationError(
        `catalog.${issue?.path.join('.') ?? ''}`,
        issue?.message ?? 'invalid',
      );
    }
    await this.ctx.doc.send(
      new PutCommand({
        TableName: this.ctx.tableName,
        Item: { ...keys.catalog(tenantId), entity: 'catalog', tenantId, entries: parsed.data },
      }),
    );
    return parsed.data;
  }

  /** The tenant's catalog; empty when none was stored. */
  async getCatalog(tenantId: string): Promise<CatalogEntry[]> {
    const result = await this.ctx.doc.send(
      new GetCommand({ TableName: this.ctx.tableName, Key: keys.catalog(tenantId) }),
    );
    return (result.Item?.['entries'] as CatalogEntry[] | undefined) ?? [];
  }
}
