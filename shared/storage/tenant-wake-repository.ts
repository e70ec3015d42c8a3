import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { WAKE_GSI_PK, keys, assertTenantId } from './keys.js';
import { GSI1 } from './table-schema.js';
import { queryPage, type Page, type PageOptions, type TableContext } from './table-client.js';
import { isConditionalCheckFailed } from './items.js';

/**
 * The wake time of a dirty tenant: the epoch sorts before every real instant, so a dirty tenant
 * is due at the next fan-out whatever its scheduled time.
 */
export const DIRTY_WAKE_AT = new Date(0).toISOString();

/**
 * Each enabled tenant's `WAKE` item (DESIGN §9 "Cost grows with work"): `wakeAt`, when its next
 * cycle is due, `dirtyAt`, when new input (an outcome, an order) last arrived, and `armedAt`, when
 * the tenant was last enabled or its settings changed. The item exists only while the tenant is enabled; its gsi1 entry is the fan-out's list.
 */
export class TenantWakeRepository {
  constructor(private readonly ctx: Pick<TableContext, 'doc' | 'tableName'>) {}

  /**
   * Makes an enabled tenant due at the next fan-out (creating its wake item). An existing
   * `dirtyAt` is kept: input marked before the arm (or a sender's lease past it) still holds
   * Reflect's settle.
   */
  async arm(tenantId: string, at: Date): Promise<void> {
    const index = keys.wakeIndex(tenantId, DIRTY_WAKE_AT);
    await this.ctx.doc.send(
      new UpdateCommand({
        TableName: this.ctx.tableName,
        Key: keys.tenantWake(tenantId),
        UpdateExpression:
          'SET gsi1pk = :pk, gsi1sk = :sk, entity = :entity, tenantId = :tenant, wakeAt = :wake, armedAt = :at',
        ExpressionAttributeValues: {
          ':pk': index.gsi1pk,
          ':sk': index.gsi1sk,
          ':entity': 'wake',
          ':tenant': tenantId,
          ':wake': DIRTY_WAKE_AT,
          ':at': at.toISOString(),
        },
      }),
    );
  }

  /** Removes a disabled tenant from the fan-out's list. */
  async disarm(tenantId: string): Promise<void> {
    await this.ctx.doc.send(
      new DeleteCommand({ TableName: this.ctx.tableName, Key: keys.tenantWake(tenantId) }),
    );
  }

  /**
   * Records new input for the tenant at `at`: it is due at the next fan-out. A tenant without a
   * wake item (disabled) is left alone. Returns whether the mark was written.
   */
  async markDirty(tenantId: string, at: Date): Promise<boolean> {
    try {
      await this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: keys.tenantWake(tenantId),
          ConditionExpression: 'attribute_exists(pk)',
          UpdateExpression: 'SET wakeAt = :wake, gsi1sk = :sk, dirtyAt = :at',
          ExpressionAttributeValues: {
            ':wake': DIRTY_WAKE_AT,
            ':sk': keys.wakeIndex(tenantId, DIRTY_WAKE_AT).gsi1sk,
            ':at': at.toISOString(),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /**
   * After a cycle: sets the next wake time unless input arrived after `consumedUntil` (the newest
   * input the cycle could have folded) or settings changed after `startedAt` (when the run began
   * reading them), in which case the tenant stays due. Returns whether the wake time was written.
   */
  async settle(
    tenantId: string,
    wakeAt: Date,
    seen: { readonly consumedUntil: Date; readonly startedAt: Date },
  ): Promise<boolean> {
    const wake = wakeAt.toISOString();
    try {
      await this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: keys.tenantWake(tenantId),
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(dirtyAt) OR dirtyAt < :consumed)' +
            ' AND (attribute_not_exists(armedAt) OR armedAt <= :started)',
          UpdateExpression: 'SET wakeAt = :wake, gsi1sk = :sk',
          ExpressionAttributeValues: {
            ':wake': wake,
            ':sk': keys.wakeIndex(tenantId, wake).gsi1sk,
            ':consumed': seen.consumedUntil.toISOString(),
            ':started': seen.startedAt.toISOString(),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /**
   * Lists, one page at a time in wake order, the ids of tenants due at `until`: dirty ones and
   * those whose wake time is at or before it. The index is eventually consistent.
   */
  async listDue(until: Date, options: PageOptions = {}): Promise<Page<string>> {
    return queryPage(
      this.ctx,
      {
        IndexName: GSI1,
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk <= :until',
        // '~' sorts after every character a tenant id may hold, so `<instant>#<any id>` is included.
        ExpressionAttributeValues: { ':pk': WAKE_GSI_PK, ':until': `${until.toISOString()}#~` },
        ProjectionExpression: 'gsi1sk',
      },
      {
        partition: { attribute: 'gsi1pk', value: WAKE_GSI_PK },
        options,
        defaultLimit: 500,
        toItem: (item) => tenantIdOfWakeKey(String(item['gsi1sk'])),
      },
    );
  }
}

function tenantIdOfWakeKey(sortKey: string): string {
  const tenantId = sortKey.slice(sortKey.indexOf('#') + 1);
  assertTenantId(tenantId);
  return tenantId;
}
