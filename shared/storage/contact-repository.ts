import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../errors.js';
import { contactSchema, type Contact } from '../domain/entities.js';
import { SK_PREFIX, keys } from './keys.js';
import { GSI1 } from './table-schema.js';
import {
  decodeCursor,
  encodeCursor,
  pageLimit,
  type Page,
  type PageOptions,
  type TableContext,
} from './table-client.js';
import { EntityRepository } from './entity-repository.js';

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
    const result = await this.ctx.doc.send(
      new QueryCommand({
        TableName: this.ctx.tableName,
        IndexName: GSI1,
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk <= :dueBy',
        // '~' sorts after every id character, so contacts due exactly at `dueBy` are included.
        ExpressionAttributeValues: { ':pk': gsi1pk, ':dueBy': `${dueBy.toISOString()}#~` },
        Limit: pageLimit(options.limit, 100),
        ExclusiveStartKey: decodeCursor(options.cursor, { attribute: 'gsi1pk', value: gsi1pk }),
      }),
    );
    const nextCursor = encodeCursor(result.LastEvaluatedKey);
    return {
      items: (result.Items ?? []).map((item) => this.fromItem(item)),
      ...(nextCursor ? { nextCursor } : {}),
    };
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

  /** Records that a follow-up to the contact was handed to the send queue at `at`. */
  async markPlanned(tenantId: string, contactId: string, at: Date): Promise<void> {
    await this.ctx.doc.send(
      new UpdateCommand({
        TableName: this.ctx.tableName,
        Key: keys.contact(tenantId, contactId),
        ConditionExpression: 'attribute_exists(pk)',
        UpdateExpression: 'SET lastPlannedAt = :at',
        ExpressionAttributeValues: { ':at': at.toISOString() },
      }),
    );
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
