import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../errors.js';
import {
  DEFAULT_MESSAGING_PACK,
  parseMessagingPack,
  type MessagingPack,
} from '../domain/drafting/messaging-pack.js';
import { keys } from './keys.js';
import type { TableContext } from './table-client.js';
import { withoutStorageAttributes } from './items.js';

/** A stored pack with who changed it and when. */
export interface StoredMessagingPack {
  readonly pack: MessagingPack;
  readonly updatedAt?: string;
  readonly updatedBy?: string;
}

/** Messaging packs (`TENANT#<t>` / `MESSAGING#pack`), one per tenant, edited with agentctl. */
export class MessagingPackRepository {
  constructor(private readonly ctx: TableContext) {}

  /** Validates and stores a tenant's pack; a bad pack is a {@link ValidationError} naming the field. */
  async put(
    tenantId: string,
    input: unknown,
    updatedBy = 'agentctl',
  ): Promise<StoredMessagingPack> {
    const parsed = parseMessagingPack(input);
    if (!parsed.ok) throw new ValidationError(`pack.${parsed.issue.field}`, parsed.issue.message);
    const stored = {
      pack: parsed.pack,
      updatedAt: this.ctx.clock.now().toISOString(),
      updatedBy,
    };
    await this.ctx.doc.send(
      new PutCommand({
        TableName: this.ctx.tableName,
        Item: { ...keys.messagingPack(tenantId), entity: 'messaging_pack', tenantId, ...stored },
      }),
    );
    return stored;
  }

  /** The tenant's stored pack, or undefined when it has none. */
  async get(tenantId: string): Promise<StoredMessagingPack | undefined> {
    const result = await this.ctx.doc.send(
      new GetCommand({ TableName: this.ctx.tableName, Key: keys.messagingPack(tenantId) }),
    );
    if (!result.Item) return undefined;
    const item = withoutStorageAttributes<StoredMessagingPack & { tenantId: string }>(result.Item);
    const parsed = parseMessagingPack(item.pack);
    // A pack stored by an older version still reads; one that no longer validates falls back.
    return {
      pack: parsed.ok ? parsed.pack : DEFAULT_MESSAGING_PACK,
      ...(item.updatedAt ? { updatedAt: item.updatedAt } : {}),
      ...(item.updatedBy ? { updatedBy: item.updatedBy } : {}),
    };
  }

  /** The pack drafting uses: the stored one, else {@link DEFAULT_MESSAGING_PACK}. */
  async effective(tenantId: string): Promise<MessagingPack> {
    return (await this.get(tenantId))?.pack ?? DEFAULT_MESSAGING_PACK;
  }
}
