import { GetCommand, PutCommand, UpdateCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { TenantNotFoundError, ValidationError } from '../errors.js';
import {
  tenantSettingsInputSchema,
  type TenantSettings,
  type TenantSettingsInput,
} from '../domain/tenant.js';
import { ENABLED_TENANTS_GSI_PK, assertTenantId, keys, tenantIdFromKey } from './keys.js';
import { GSI1 } from './table-schema.js';
import { queryPage, type Page, type PageOptions, type TableContext } from './table-client.js';
import { isConditionalCheckFailed, withoutStorageAttributes } from './items.js';
import { TenantWakeRepository } from './tenant-wake-repository.js';

/**
 * Tenant settings and the enabled-tenant index. The index is sparse: an enabled tenant's settings
 * item carries gsi1 keys, a disabled one does not, so enabling is one update of one item.
 */
export class TenantRepository {
  private readonly wake: TenantWakeRepository;

  constructor(private readonly ctx: TableContext) {
    this.wake = new TenantWakeRepository(ctx);
  }

  /** Creates or replaces a tenant's settings; validation errors name the field. */
  async put(tenantId: string, input: TenantSettingsInput): Promise<TenantSettings> {
    assertTenantId(tenantId);
    const parsed = tenantSettingsInputSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ValidationError(
        `settings.${issue?.path.join('.') ?? ''}`,
        issue?.message ?? 'invalid',
      );
    }
    const now = this.ctx.clock.now().toISOString();
    const existing = await this.get(tenantId);
    const settings: TenantSettings = {
      ...parsed.data,
      tenantId,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    await this.ctx.doc.send(
      new PutCommand({
        TableName: this.ctx.tableName,
        Item: {
          ...keys.tenantSettings(tenantId),
          ...(settings.agentEnabled ? keys.enabledTenantIndex(tenantId) : {}),
          entity: 'tenant',
          ...settings,
        },
      }),
    );
    // A settings change is new input: an enabled tenant is due at the next fan-out.
    if (settings.agentEnabled) await this.wake.arm(tenantId, new Date(now));
    else await this.wake.disarm(tenantId);
    return settings;
  }

  /** Reads a tenant's settings, or `undefined` when the tenant does not exist. */
  async get(tenantId: string): Promise<TenantSettings | undefined> {
    const result = await this.ctx.doc.send(
      new GetCommand({
        TableName: this.ctx.tableName,
        Key: keys.tenantSettings(tenantId),
        ConsistentRead: true,
      }),
    );
    return result.Item ? withoutStorageAttributes<TenantSettings>(result.Item) : undefined;
  }

  /** Reads a tenant's settings or throws {@link TenantNotFoundError}. */
  async require(tenantId: string): Promise<TenantSettings> {
    const settings = await this.get(tenantId);
    if (!settings) throw new TenantNotFoundError(tenantId);
    return settings;
  }

  /**
   * Turns a tenant's autonomy on or off with one conditional update (the tenant must exist),
   * adding or removing its enabled-index entry in the same write.
   */
  async setEnabled(tenantId: string, enabled: boolean): Promise<TenantSettings> {
    const index = keys.enabledTenantIndex(tenantId);
    try {
      const result = await this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: keys.tenantSettings(tenantId),
          ConditionExpression: 'attribute_exists(pk)',
          UpdateExpression: enabled
            ? 'SET agentEnabled = :enabled, updatedAt = :now, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk'
            : 'SET agentEnabled = :enabled, updatedAt = :now REMOVE gsi1pk, gsi1sk',
          ExpressionAttributeValues: {
            ':enabled': enabled,
            ':now': this.ctx.clock.now().toISOString(),
            ...(enabled ? { ':gsi1pk': index.gsi1pk, ':gsi1sk': index.gsi1sk } : {}),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      if (enabled) await this.wake.arm(tenantId, this.ctx.clock.now());
      else await this.wake.disarm(tenantId);
      return withoutStorageAttributes<TenantSettings>(result.Attributes ?? {});
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw new TenantNotFoundError(tenantId);
      throw error;
    }
  }

  /**
   * Lists the ids of enabled tenants in id order, one page at a time. This is the only listing
   * that crosses tenants; the fan-out uses it. The index is eventually consistent.
   */
  async listEnabled(options: PageOptions = {}): Promise<Page<string>> {
    return queryPage(this.ctx, this.enabledQuery(), {
      partition: { attribute: 'gsi1pk', value: ENABLED_TENANTS_GSI_PK },
      options,
      defaultLimit: 500,
      toItem: (item) => tenantIdFromKey(String(item['gsi1sk'])),
    });
  }

  /** Iterates over every enabled tenant id, following pages. */
  async *allEnabled(pageSize = 500): AsyncGenerator<string> {
    for await (const page of paginateQuery({ client: this.ctx.doc, pageSize }, this.enabledQuery()))
      for (const item of page.Items ?? []) yield tenantIdFromKey(String(item['gsi1sk']));
  }

  private enabledQuery() {
    return {
      TableName: this.ctx.tableName,
      IndexName: GSI1,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': ENABLED_TENANTS_GSI_PK },
      ProjectionExpression: 'gsi1sk',
    };
  }
}
