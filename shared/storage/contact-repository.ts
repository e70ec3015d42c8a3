import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../errors.js';
import { contactSchema, type Contact } from '../domain/entities.js';
import { SK_PREFIX, keys } from './keys.js';
import { GSI1 } from './table-schema.js';
import { queryPage, type Page, type PageOptions, type TableContext } from './table-client.js';
import { EntityRepository } from './entity-repository.js';
import { isConditionalCheckFailed } from './items.js';
import type { PendingSend } from '../domain/touch.js';

/** Contacts of a tenant, with an index ordering them by next engagement due date. */
export class ContactRepository extends EntityRepository<Contact> {
  constructor(ctx: TableContext) {
    super(ctx, {
      entity: 'contact',
      schema: contactSchema,
      skPrefix: SK_PREFIX.contact,
      idOf: (contact) => contact.contactId,
      key: keys.contact,
      indexAttributes: (tenantId, contact) =>
        contact.nextDueAt
          ? keys.contactDueIndex(tenantId, contact.contactId, contact.nextDueAt)
          : {},
    });
  }

  /**
   * Lists this tenant's contacts whose next touch is due at or before `dueBy`, earliest first.
   * Contacts without a due date are not in the index.
   */
  async listDue(tenantId: string, dueBy: Date, options: PageOptions = {}): Promise<Page<Contact>> {
    const gsi1pk = keys.contactDuePartition(tenantId);
    return queryPage(
      this.ctx,
      {
        IndexName: GSI1,
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk <= :dueBy',
        // '~' sorts after every id character, so contacts due exactly at `dueBy` are included.
        ExpressionAttributeValues: { ':pk': gsi1pk, ':dueBy': `${dueBy.toISOString()}#~` },
      },
      {
        partition: { attribute: 'gsi1pk', value: gsi1pk },
        options,
        defaultLimit: 100,
        toItem: (item) => this.fromItem(item),
      },
    );
  }

  /** Stores a contact; a contact without `createdAt` gets the current time, its engagement baseline. */
  override async put(tenantId: string, input: unknown): Promise<Contact> {
    const withCreation =
      input !== null &&
      typeof input === 'object' &&
      !('createdAt' in input && (input as { createdAt?: unknown }).createdAt)
        ? { ...input, createdAt: this.ctx.clock.now().toISOString() }
        : input;
    return super.put(tenantId, withCreation);
  }

  /**
   * Marks a touch to the contact as queued, with one conditional update. Act enqueues first and
   * marks second, so a crash between the two leaves a queued send without a marker (a later Plan
   * proposes the same touch key again; the send claim dedupes it), never a marker without a send:
   *
   * ```
   * Act: enqueue(touch K) → markPendingSend(K)      pendingSend = K
   * sender: final status  → resolvePendingSend(K)   pendingSend removed, resolvedTouch = K
   * ```
   *
   * Refused (false) when another touch is pending, or K was already resolved (the sender was
   * faster than Act): a marker is never set for a touch that is over.
   */
  async markPendingSend(
    tenantId: string,
    contactId: string,
    pending: PendingSend,
  ): Promise<boolean> {
    try {
      await this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: keys.contact(tenantId, contactId),
          // contactExists AND (noOtherPendingTouch) AND (touchNotResolvedYet)
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(pendingSend) OR pendingSend.touchKey = :key) ' +
            'AND (attribute_not_exists(resolvedTouch) OR resolvedTouch.touchKey <> :key)',
          UpdateExpression: 'SET pendingSend = :pending',
          ExpressionAttributeValues: {
            ':key': pending.touchKey,
            ':pending': {
              touchKey: pending.touchKey,
              enqueuedAt: pending.enqueuedAt,
              ...(pending.dueAt ? { dueAt: pending.dueAt } : {}),
            },
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
   * Records that touch `touchKey` reached a final status and clears its pending marker (a marker
   * of another touch is left alone). `resolved: false` (a stopped send) only clears the marker,
   * so a later Plan proposes the same touch again.
   */
  async resolvePendingSend(
    tenantId: string,
    contactId: string,
    touch: { touchKey: string; status: string; at: Date; resolved: boolean },
  ): Promise<void> {
    const resolvedTouch = {
      touchKey: touch.touchKey,
      status: touch.status,
      at: touch.at.toISOString(),
    };
    const attempt = async (clearMarker: boolean) =>
      this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: keys.contact(tenantId, contactId),
          // contactExists [AND markerIsThisTouch]
          ConditionExpression: clearMarker
            ? 'attribute_exists(pk) AND pendingSend.touchKey = :key'
            : 'attribute_exists(pk)',
          UpdateExpression: [
            touch.resolved ? 'SET resolvedTouch = :resolved' : '',
            clearMarker ? 'REMOVE pendingSend' : '',
          ]
            .filter(Boolean)
            .join(' '),
          ExpressionAttributeValues: {
            ...(clearMarker ? { ':key': touch.touchKey } : {}),
            ...(touch.resolved ? { ':resolved': resolvedTouch } : {}),
          },
        }),
      );
    try {
      await attempt(true);
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      // No marker of this touch (Act has not set it yet, or another touch is pending).
      if (!touch.resolved) return;
      try {
        await attempt(false);
      } catch (inner) {
        if (!isConditionalCheckFailed(inner)) throw inner;
      }
    }
  }

  /**
   * Sets a contact's engagement fields and keeps the due-date index in step, in one conditional
   * update that only moves `lastTouchAt` forward (an older touch arriving late changes nothing).
   */
  async recordEngagement(
    tenantId: string,
    contactId: string,
    engagement: { lastTouchAt: string; nextDueAt: string; lastInboundAt?: string },
  ): Promise<boolean> {
    if (Number.isNaN(new Date(engagement.nextDueAt).getTime())) {
      throw new ValidationError('nextDueAt', 'expected an ISO-8601 instant');
    }
    const index = keys.contactDueIndex(tenantId, contactId, engagement.nextDueAt);
    try {
      await this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: keys.contact(tenantId, contactId),
          // contactExists AND touchIsNewer
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(lastTouchAt) OR lastTouchAt < :touch)',
          UpdateExpression: `SET lastTouchAt = :touch, nextDueAt = :due, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk${
            engagement.lastInboundAt ? ', lastInboundAt = :inbound' : ''
          }`,
          ExpressionAttributeValues: {
            ':touch': engagement.lastTouchAt,
            ':due': engagement.nextDueAt,
            ':gsi1pk': index.gsi1pk,
            ':gsi1sk': index.gsi1sk,
            ...(engagement.lastInboundAt ? { ':inbound': engagement.lastInboundAt } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}
