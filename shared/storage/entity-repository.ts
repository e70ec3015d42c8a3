import { GetCommand, PutCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import type * as z from '../zod.js';
import { ValidationError } from '../errors.js';
import { tenantPartition, type ItemKey } from './keys.js';
import { queryPage, type Page, type PageOptions, type TableContext } from './table-client.js';
import { withoutStorageAttributes } from './items.js';

/** How one kind of tenant-owned entity maps onto the table. */
export interface EntityMapping<T> {
  readonly entity: string;
  readonly schema: z.ZodMiniType<T>;
  readonly skPrefix: string;
  readonly idOf: (item: T) => string;
  readonly key: (tenantId: string, id: string) => ItemKey;
  /** Extra attributes (e.g. index keys) derived from the item at write time. */
  readonly indexAttributes?: (tenantId: string, item: T) => Record<string, string>;
}

/**
 * Reads and writes one kind of entity inside a tenant's partition. Every method takes the tenant
 * id first and only ever touches keys under `TENANT#<id>`, so one tenant cannot read another's.
 */
export class EntityRepository<T> {
  constructor(
    protected readonly ctx: TableContext,
    protected readonly mapping: EntityMapping<T>,
  ) {}

  /** Validates and stores an entity, replacing any previous version; errors name the field. */
  async put(tenantId: string, input: unknown): Promise<T> {
    const parsed = this.mapping.schema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ValidationError(
        `${this.mapping.entity}.${issue?.path.join('.') ?? ''}`,
        issue?.message ?? 'invalid',
      );
    }
    const item = parsed.data;
    await this.ctx.doc.send(
      new PutCommand({
        TableName: this.ctx.tableName,
        Item: {
          ...this.mapping.key(tenantId, this.mapping.idOf(item)),
          ...(this.mapping.indexAttributes?.(tenantId, item) ?? {}),
          entity: this.mapping.entity,
          tenantId,
          updatedAt: this.ctx.clock.now().toISOString(),
          ...item,
        },
      }),
    );
    return item;
  }

  /** Reads one entity of this tenant, or `undefined`. */
  async get(tenantId: string, id: string): Promise<T | undefined> {
    const result = await this.ctx.doc.send(
      new GetCommand({ TableName: this.ctx.tableName, Key: this.mapping.key(tenantId, id) }),
    );
    return result.Item ? this.fromItem(result.Item) : undefined;
  }

  /** Lists this tenant's entities in id order, one page at a time. */
  async list(tenantId: string, options: PageOptions = {}): Promise<Page<T>> {
    return queryPage(this.ctx, this.query(tenantId), {
      partition: { attribute: 'pk', value: tenantPartition(tenantId) },
      options,
      defaultLimit: 100,
      toItem: (item) => this.fromItem(item),
    });
  }

  /** Iterates over every entity of this tenant, following pages. */
  async *all(tenantId: string, pageSize = 200): AsyncGenerator<T> {
    for await (const page of paginateQuery(
      { client: this.ctx.doc, pageSize },
      this.query(tenantId),
    ))
      for (const item of page.Items ?? []) yield this.fromItem(item);
  }

  private query(tenantId: string) {
    return {
      TableName: this.ctx.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: {
        ':pk': tenantPartition(tenantId),
        ':prefix': this.mapping.skPrefix,
      },
    };
  }

  protected fromItem(item: Record<string, unknown>): T {
    return entityFromItem<T>(item);
  }
}

/** A stored entity item as the entity it holds (no storage attributes, tenant id or write time). */
export function entityFromItem<T>(item: Record<string, unknown>): T {
  const {
    tenantId: _tenantId,
    updatedAt: _updatedAt,
    ...rest
  } = withoutStorageAttributes<Record<string, unknown>>(item);
  return rest as T;
}
