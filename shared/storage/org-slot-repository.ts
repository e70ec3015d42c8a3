import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { decideOrgSlot, type OrgSlotHolders } from '../domain/org-concurrency.js';
import { isConditionalCheckFailed } from './items.js';
import { keys } from './keys.js';
import { ttlAfter, type TableContext } from './table-client.js';

/** The answer of {@link OrgSlotRepository.acquire}: a slot, or the runs holding all of them. */
export type OrgSlotAcquisition =
  { readonly acquired: true } | { readonly acquired: false; readonly busy: readonly string[] };

/** Keep an idle organisation's slot item a day after its last lease, then let TTL delete it. */
const SLOT_RETENTION_MS = 86_400_000;
/** Conditional-write races retried before a run gives up its slot for this hour. */
const MAX_ATTEMPTS = 3;

/**
 * The cycle slots of organisations: one `ORG#<organisation>` / `CYCLES` item whose `holders` map
 * names each run holding a slot and its lease expiry. Taking a slot reads the item, decides with
 * {@link decideOrgSlot} and writes the new map conditioned on the version read (optimistic
 * concurrency, no transaction); releasing removes the run's entry.
 */
export class OrgSlotRepository {
  constructor(private readonly ctx: TableContext) {}

  /** Takes one of `limit` slots of `organisation` for `runId` with a lease of `leaseMs`. */
  async acquire(
    organisation: string,
    runId: string,
    limit: number,
    leaseMs: number,
  ): Promise<OrgSlotAcquisition> {
    const key = keys.orgCycleSlots(organisation);
    let busy: readonly string[] = [];
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const item = (
        await this.ctx.doc.send(
          new GetCommand({ TableName: this.ctx.tableName, Key: key, ConsistentRead: true }),
        )
      ).Item;
      const now = this.ctx.clock.now();
      const version = typeof item?.['version'] === 'number' ? item['version'] : 0;
      const decision = decideOrgSlot({
        holders: (item?.['holders'] ?? {}) as OrgSlotHolders,
        limit,
        runId,
        now,
        leaseMs,
      });
      if (!decision.take) return { acquired: false, busy: decision.busy };
      try {
        await this.ctx.doc.send(
          new UpdateCommand({
            TableName: this.ctx.tableName,
            Key: key,
            ConditionExpression: item ? 'version = :version' : 'attribute_not_exists(pk)',
            UpdateExpression:
              'SET holders = :holders, version = :next, organisation = :organisation, entity = :entity, #ttl = :ttl',
            ExpressionAttributeNames: { '#ttl': 'ttl' },
            ExpressionAttributeValues: {
              ':holders': decision.holders,
              ':next': version + 1,
              ':organisation': organisation,
              ':entity': 'org_slots',
              ':ttl': ttlAfter(now, leaseMs + SLOT_RETENTION_MS),
              ...(item ? { ':version': version } : {}),
            },
          }),
        );
        return { acquired: true };
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
        busy = [];
      }
    }
    return { acquired: false, busy };
  }

  /** Frees the slot `runId` holds in `organisation`, if any (idempotent). */
  async release(organisation: string, runId: string): Promise<void> {
    try {
      await this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: keys.orgCycleSlots(organisation),
          ConditionExpression: 'attribute_exists(holders.#run)',
          UpdateExpression: 'REMOVE holders.#run ADD version :one',
          ExpressionAttributeNames: { '#run': runId },
          ExpressionAttributeValues: { ':one': 1 },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
}
