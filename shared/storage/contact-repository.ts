import { QueryCommand } from '@aws-sdk/lib-dynamodb';
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
}
