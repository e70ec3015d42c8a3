import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import { contactSchema, type Account, type Contact } from '../domain/entities.js';
import { SK_PREFIX, keys, tenantPartition } from './keys.js';
import { queryTenantPrefix, ttlAfter, type TableContext } from './table-client.js';
import { isConditionalCheckFailed, withoutStorageAttributes } from './items.js';

/** How long "no contact has this address" is remembered before the contacts are searched again. */
const NEGATIVE_LOOKUP_TTL_MS = 86_400_000;

/** Contact fields ingest may fill in; it never overwrites a value that is already there. */
export interface ContactDetails {
  readonly name?: string;
  readonly title?: string;
  readonly phone?: string;
  readonly company?: string;
  readonly accountId?: string;
}

/** A contact as ingest sees it (the stored contact plus the company ingest may have recorded). */
export type DirectoryContact = Contact & { readonly company?: string; readonly source?: string };

/** How {@link ContactDirectory.upsert} treats the discovered state (`contactSchema.discovered`). */
export interface UpsertOptions {
  /** Create the contact as discovered (only on creation; an existing contact is never made discovered). */
  readonly discovered?: NonNullable<Contact['discovered']>;
  /** The address wrote to the tenant itself: a discovered contact becomes a normal one. */
  readonly promote?: boolean;
}

/** The result of {@link ContactDirectory.upsert}. */
export interface UpsertResult {
  readonly contactId: string;
  readonly created: boolean;
  /** The contact is (still) discovered after the upsert. */
  readonly discovered: boolean;
  /** A discovered contact was promoted to a normal one by this upsert. */
  readonly promoted: boolean;
  /** Fields that were empty and are now filled. */
  readonly enriched: readonly string[];
  readonly accountId?: string;
}

/** The id ingest gives a contact it creates: stable per address, so concurrent creations agree. */
export function contactIdForEmail(email: string): string {
  return `gm-${createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 16)}`;
}

/**
 * Finds and maintains contacts by email address for ingest. Contacts are keyed by id, so an
 * address index (`CONTACTEMAIL#<email>` → contactId) is kept beside them; an address not yet in the
 * index is looked up once in the tenant's contacts and then indexed (misses are remembered for a
 * day). Creation and enrichment are conditional: an existing value always wins ("better data").
 */
export class ContactDirectory {
  constructor(private readonly ctx: TableContext) {}

  /** The tenant's contact with this address, or `undefined`. */
  async findByEmail(tenantId: string, email: string): Promise<DirectoryContact | undefined> {
    const address = email.trim().toLowerCase();
    const index = await this.ctx.doc.send(
      new GetCommand({
        TableName: this.ctx.tableName,
        Key: keys.contactByEmail(tenantId, address),
      }),
    );
    const indexedId = index.Item?.['contactId'];
    if (typeof indexedId === 'string') {
      const contact = await this.getContact(tenantId, indexedId);
      if (contact?.email === address) return contact;
    } else if (
      index.Item &&
      Number(index.Item['ttl'] ?? 0) * 1000 > this.ctx.clock.now().getTime()
    ) {
      return undefined; // a remembered miss
    }
    const found = await this.searchContacts(tenantId, address);
    await this.writeIndex(tenantId, address, found?.contactId);
    return found;
  }

  /**
   * Creates the contact for `email` when the tenant has none (as discovered when
   * `options.discovered` is given), or fills the empty fields of the existing one and, with
   * `options.promote`, clears its discovered state. `existing` (from {@link findByEmail}) saves a read.
   */
  async upsert(
    tenantId: string,
    email: string,
    details: ContactDetails,
    existing?: DirectoryContact,
    options: UpsertOptions = {},
  ): Promise<UpsertResult> {
    const address = email.trim().toLowerCase();
    const current = existing ?? (await this.findByEmail(tenantId, address));
    if (current) return this.enrich(tenantId, current, details, options);

    const contactId = contactIdForEmail(address);
    const now = this.ctx.clock.now().toISOString();
    const contact = contactSchema.parse({
      contactId,
      email: address,
      ...pick(details, ['name', 'title', 'phone', 'accountId']),
      createdAt: now,
      ...(options.discovered && !options.promote ? { discovered: options.discovered } : {}),
    });
    try {
      await this.ctx.doc.send(
        new PutCommand({
          TableName: this.ctx.tableName,
          Item: {
            ...keys.contact(tenantId, contactId),
            entity: 'contact',
            tenantId,
            updatedAt: now,
            ...contact,
            ...(details.company ? { company: details.company.slice(0, 200) } : {}),
            source: 'gmail',
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      // Another delivery created it a moment ago: fill gaps like any existing contact.
      const raced = await this.getContact(tenantId, contactId);
      if (raced) return this.enrich(tenantId, raced, details, options);
      throw error;
    }
    await this.writeIndex(tenantId, address, contactId);
    return {
      contactId,
      created: true,
      discovered: contact.discovered !== undefined,
      promoted: false,
      enriched: [],
      ...(contact.accountId ? { accountId: contact.accountId } : {}),
    };
  }

  /**
   * The tenant's account for an email domain (exact or parent domain), else one whose name is
   * `company` (case-insensitive). Reads the tenant's accounts; callers ask only for new contacts.
   */
  async findAccount(
    tenantId: string,
    domain: string,
    company?: string,
  ): Promise<Account | undefined> {
    const accounts = (await queryTenantPrefix(this.ctx, tenantId, SK_PREFIX.account)).map((item) =>
      withoutStorageAttributes<Account>(item),
    );
    const lowerDomain = domain.toLowerCase();
    const byDomain = accounts.find(
      (account) =>
        account.domain !== undefined &&
        (lowerDomain === account.domain || lowerDomain.endsWith(`.${account.domain}`)),
    );
    if (byDomain) return byDomain;
    const name = company?.trim().toLowerCase();
    return name
      ? accounts.find((account) => account.name.trim().toLowerCase() === name)
      : undefined;
  }

  private async enrich(
    tenantId: string,
    contact: DirectoryContact,
    details: ContactDetails,
    options: UpsertOptions,
  ): Promise<UpsertResult> {
    const promoted =
      options.promote === true &&
      contact.discovered !== undefined &&
      (await this.promote(tenantId, contact.contactId));
    const missing = (['name', 'title', 'phone', 'company', 'accountId'] as const).filter(
      (field) => details[field] && !contact[field],
    );
    if (missing.length > 0) {
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = { ':now': this.ctx.clock.now().toISOString() };
      const sets = missing.map((field, index) => {
        names[`#f${index}`] = field;
        values[`:f${index}`] = String(details[field]).slice(0, 200);
        // if_not_exists: a value written meanwhile (an operator, another message) wins.
        return `#f${index} = if_not_exists(#f${index}, :f${index})`;
      });
      try {
        await this.ctx.doc.send(
          new UpdateCommand({
            TableName: this.ctx.tableName,
            Key: keys.contact(tenantId, contact.contactId),
            ConditionExpression: 'attribute_exists(pk)',
            UpdateExpression: `SET ${sets.join(', ')}, updatedAt = :now`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
    }
    const accountId =
      contact.accountId ?? (missing.includes('accountId') ? details.accountId : undefined);
    return {
      contactId: contact.contactId,
      created: false,
      discovered: contact.discovered !== undefined && !promoted,
      promoted,
      enriched: missing,
      ...(accountId ? { accountId } : {}),
    };
  }

  /** Clears a contact's discovered state; false when it had none (already promoted meanwhile). */
  private async promote(tenantId: string, contactId: string): Promise<boolean> {
    try {
      await this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: keys.contact(tenantId, contactId),
          ConditionExpression: 'attribute_exists(discovered)',
          UpdateExpression: 'REMOVE discovered SET promotedAt = :now, updatedAt = :now',
          ExpressionAttributeValues: { ':now': this.ctx.clock.now().toISOString() },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  private async getContact(
    tenantId: string,
    contactId: string,
  ): Promise<DirectoryContact | undefined> {
    const result = await this.ctx.doc.send(
      new GetCommand({ TableName: this.ctx.tableName, Key: keys.contact(tenantId, contactId) }),
    );
    return result.Item ? toContact(result.Item) : undefined;
  }

  private async searchContacts(
    tenantId: string,
    email: string,
  ): Promise<DirectoryContact | undefined> {
    const pages = paginateQuery(
      { client: this.ctx.doc },
      {
        TableName: this.ctx.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        FilterExpression: 'email = :email',
        ExpressionAttributeValues: {
          ':pk': tenantPartition(tenantId),
          ':prefix': SK_PREFIX.contact,
          ':email': email,
        },
      },
    );
    for await (const page of pages) {
      const item = page.Items?.[0];
      if (item) return toContact(item);
    }
    return undefined;
  }

  private async writeIndex(
    tenantId: string,
    email: string,
    contactId: string | undefined,
  ): Promise<void> {
    const now = this.ctx.clock.now();
    await this.ctx.doc.send(
      new PutCommand({
        TableName: this.ctx.tableName,
        Item: {
          ...keys.contactByEmail(tenantId, email),
          entity: 'contact_email',
          tenantId,
          email,
          ...(contactId ? { contactId } : { ttl: ttlAfter(now, NEGATIVE_LOOKUP_TTL_MS) }),
        },
      }),
    );
  }
}

function toContact(item: Record<string, unknown>): DirectoryContact {
  const {
    tenantId: _tenantId,
    updatedAt: _updatedAt,
    ...rest
  } = withoutStorageAttributes<Record<string, unknown>>(item);
  return rest as DirectoryContact;
}

function pick<T extends object, K extends keyof T>(source: T, fields: readonly K[]): Partial<T> {
  const result: Partial<T> = {};
  for (const field of fields) if (source[field] !== undefined) result[field] = source[field];
  return result;
}
