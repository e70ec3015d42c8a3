import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import type { SendingState } from '../domain/send-gate.js';
import type { TenantSettings } from '../domain/tenant.js';
import { IDENTITY_PARTITION_PREFIX, keys, type ItemKey } from './keys.js';
import type { TableContext } from './table-client.js';
import { withoutStorageAttributes } from './items.js';
import { toSendRecord, type SendRecord } from './send-record-repository.js';
import { SendingStateRepository } from './sending-state-repository.js';
import { SendingIdentityRepository } from './sending-identity-repository.js';
import type { IdentityWarmUpState } from '../domain/sending-identity.js';

/** A sending identity's warm-up ladder as read with the snapshot (`state` undefined: none stored). */
export interface SnapshotWarmUp {
  readonly identity: string;
  readonly state: IdentityWarmUpState | undefined;
}

/** Everything the sender reads before deciding one send, fetched in one `BatchGetItem`. */
export interface SendSnapshot {
  readonly tenant?: TenantSettings;
  readonly record?: SendRecord;
  readonly suppression?: { readonly reason: string };
  readonly contact?: {
    readonly name?: string;
    readonly accountId?: string;
    readonly lastInboundAt?: string;
    readonly lastTouchAt?: string;
    readonly createdAt?: string;
    readonly discovered?: boolean;
  };
  readonly state: SendingState;
  /** Rate-counter day items by `yyyy-MM-dd`, for the candidate dates asked for. */
  readonly rateDays: ReadonlyMap<string, Record<string, unknown>>;
  /** The ladder of the identity asked for, when one was. */
  readonly warmUp?: SnapshotWarmUp;
}

/** What {@link loadSendSnapshot} reads. */
export interface SendSnapshotRequest {
  readonly tenantId: string;
  readonly idempotencyKey: string;
  readonly email: string;
  readonly contactId?: string;
  /**
   * Counter days to read. The tenant's local date is not known before its settings are read, so
   * the caller asks for the UTC date and its neighbours (every zone's local date is among them).
   */
  readonly rateDates: readonly string[];
  /**
   * A sending identity (From domain) whose warm-up ladder (`IDENTITY#<domain>` / `WARMUP`) to read
   * in the same batch; the batch is then strongly consistent, so a ladder that just stopped
   * holds at once.
   */
  readonly identity?: string;
}

/**
 * Reads the tenant settings, the send record, the recipient's suppression, the contact, the
 * sending state, the candidate counter days and, when asked, a sending identity's ladder with one
 * `BatchGetItem`. Eventually consistent without the ladder (every decision made on the tenant's
 * items is re-checked by a conditional write), strongly consistent with it (the ladder's cap is
 * taken from the read).
 */
export async function loadSendSnapshot(
  ctx: TableContext,
  request: SendSnapshotRequest,
): Promise<SendSnapshot> {
  const { tenantId } = request;
  const wanted: ItemKey[] = [
    keys.tenantSettings(tenantId),
    keys.sendRecord(tenantId, request.idempotencyKey),
    keys.suppression(tenantId, request.email),
    keys.sendingState(tenantId),
    ...(request.contactId ? [keys.contact(tenantId, request.contactId)] : []),
    ...request.rateDates.map((date) => keys.rateCounters(tenantId, date)),
    ...(request.identity ? [keys.identityWarmUp(request.identity)] : []),
  ];
  const consistent = request.identity ? { ConsistentRead: true } : {};
  const items = new Map<string, Record<string, unknown>>();
  let warmUpItem: Record<string, unknown> | undefined;
  let pending: ItemKey[] = wanted;
  for (let round = 0; pending.length > 0; round += 1) {
    if (round >= 5) throw new Error('BatchGetItem left keys unprocessed after 5 rounds');
    const result = await ctx.doc.send(
      new BatchGetCommand({ RequestItems: { [ctx.tableName]: { Keys: pending, ...consistent } } }),
    );
    for (const item of result.Responses?.[ctx.tableName] ?? []) {
      if (String(item['pk']).startsWith(IDENTITY_PARTITION_PREFIX)) warmUpItem = item;
      else items.set(String(item['sk']), item);
    }
    pending = (result.UnprocessedKeys?.[ctx.tableName]?.Keys ?? []) as ItemKey[];
  }

  const tenant = items.get(keys.tenantSettings(tenantId).sk);
  const record = items.get(keys.sendRecord(tenantId, request.idempotencyKey).sk);
  const suppression = items.get(keys.suppression(tenantId, request.email).sk);
  const contact = request.contactId
    ? items.get(keys.contact(tenantId, request.contactId).sk)
    : undefined;
  const rateDays = new Map<string, Record<string, unknown>>();
  for (const date of request.rateDates) {
    const item = items.get(keys.rateCounters(tenantId, date).sk);
    if (item) rateDays.set(date, item);
  }
  return {
    ...(tenant ? { tenant: withoutStorageAttributes<TenantSettings>(tenant) } : {}),
    ...(record ? { record: toSendRecord(record) } : {}),
    ...(suppression ? { suppression: { reason: String(suppression['reason']) } } : {}),
    ...(contact
      ? {
          contact: {
            ...(typeof contact['name'] === 'string' ? { name: contact['name'] } : {}),
            ...(typeof contact['accountId'] === 'string'
              ? { accountId: contact['accountId'] }
              : {}),
            ...(typeof contact['lastInboundAt'] === 'string'
              ? { lastInboundAt: contact['lastInboundAt'] }
              : {}),
            ...(typeof contact['lastTouchAt'] === 'string'
              ? { lastTouchAt: contact['lastTouchAt'] }
              : {}),
            ...(typeof contact['createdAt'] === 'string'
              ? { createdAt: contact['createdAt'] }
              : {}),
            ...(contact['discovered'] ? { discovered: true } : {}),
          },
        }
      : {}),
    state: SendingStateRepository.fromItem(items.get(keys.sendingState(tenantId).sk)),
    rateDays,
    ...(request.identity
      ? {
          warmUp: {
            identity: request.identity,
            state: SendingIdentityRepository.warmUpOf(warmUpItem),
          },
        }
      : {}),
  };
}
