import type { Account, DiscoverySource } from '../domain/entities.js';
import type { MessageAnalysis } from '../domain/ingest/analyse.js';
import { isRobotAddress } from '../domain/ingest/contacts.js';
import type { MessageClass } from '../domain/ingest/classify.js';
import type { IngestRuntime } from './runtime.js';

/** Free-mail domains never link an address to an account by domain. */
const FREE_MAIL_DOMAINS = new Set([
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'live.com',
  'msn.com',
  'yahoo.com',
  'ymail.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'aol.com',
  'proton.me',
  'protonmail.com',
  'gmx.com',
  'gmx.de',
  'web.de',
  'mail.com',
  'zoho.com',
  'yandex.ru',
  'qq.com',
  '163.com',
]);

/** Cc/To/Reply-To people created or linked per message, at most. */
export const MAX_OTHER_CONTACTS = 5;

/** What linking a message's people to contacts came to. */
export interface LinkedPeople {
  readonly contactId?: string;
  readonly accountId?: string;
  readonly contactCreated: boolean;
  /** The sender was a discovered contact and, by writing to the tenant, became a normal one. */
  readonly contactPromoted: boolean;
  readonly enriched: readonly string[];
  readonly otherContactIds: readonly string[];
  /** Of `otherContactIds`, those created as discovered contacts by this message. */
  readonly discoveredContactIds: readonly string[];
}

/**
 * Links the people of one inbound message to contacts (never overwriting better data):
 * - the sender (From, or a personal Reply-To behind a robot From) is linked always — except for
 *   bounces and our own people — and, for people talking to us (`conversation`), created or
 *   enriched and linked to its account by domain or company. A sender whose From is the address
 *   itself writes to the tenant: a discovered contact with that address is promoted to a normal
 *   one. A sender only known from Reply-To is created as discovered (`via: reply_to`).
 * - everyone else on a conversation message (Cc, To, a different Reply-To; up to
 *   {@link MAX_OTHER_CONTACTS}) is created as a `discovered` contact, unless its domain belongs to
 *   an account of the tenant (by the account's domain, or the sender's account for the sender's
 *   domain): then it is a normal contact of that account. Existing contacts are only enriched,
 *   never made discovered.
 */
export async function linkPeople(
  runtime: IngestRuntime,
  input: {
    readonly tenantId: string;
    readonly gmailMessageId: string;
    readonly analysis: MessageAnalysis;
    readonly messageClass: MessageClass;
    readonly conversation: boolean;
    readonly isInternal: (address: string) => boolean;
    readonly ownAddresses: readonly string[];
  },
): Promise<LinkedPeople> {
  const { repos } = runtime;
  const { tenantId, analysis, conversation, isInternal } = input;
  const now = runtime.clock.now().toISOString();
  const accounts = accountFinder(runtime, tenantId);
  const discoveredVia = (via: DiscoverySource) => ({
    at: now,
    via,
    messageId: input.gmailMessageId,
  });

  const sender = analysis.contacts.sender;
  let contactId: string | undefined;
  let accountId: string | undefined;
  let contactCreated = false;
  let contactPromoted = false;
  let enriched: readonly string[] = [];
  if (sender && input.messageClass !== 'bounce' && !isInternal(sender.email)) {
    const existing = await repos.contacts.findByEmail(tenantId, sender.email);
    contactId = existing?.contactId;
    accountId = existing?.accountId;
    if (conversation) {
      const account = accountId ? undefined : await accounts.find(sender.email, sender.company);
      const wroteItself = sender.source === 'from';
      const upserted = await repos.contacts.upsert(
        tenantId,
        sender.email,
        {
          ...(sender.name ? { name: sender.name } : {}),
          ...(sender.title ? { title: sender.title } : {}),
          ...(sender.phone ? { phone: sender.phone } : {}),
          ...(sender.company ? { company: sender.company } : {}),
          ...(account ? { accountId: account.accountId } : {}),
        },
        existing,
        wroteItself || account
          ? { promote: wroteItself }
          : { discovered: discoveredVia('reply_to') },
      );
      contactId = upserted.contactId;
      accountId = upserted.accountId ?? accountId;
      contactCreated = upserted.created;
      contactPromoted = upserted.promoted;
      enriched = upserted.enriched;
      if (upserted.created) runtime.metric('IngestContactsCreated');
      if (upserted.promoted) runtime.metric('IngestContactsPromoted');
    }
  }

  const otherContactIds: string[] = [];
  const discoveredContactIds: string[] = [];
  if (conversation) {
    const own = new Set(input.ownAddresses.map((address) => address.toLowerCase()));
    for (const other of othersOf(analysis, sender?.email, own).slice(0, MAX_OTHER_CONTACTS)) {
      if (isInternal(other.address)) continue;
      const existing = await repos.contacts.findByEmail(tenantId, other.address);
      const senderColleague =
        accountId !== undefined && other.address.split('@')[1] === sender?.email.split('@')[1];
      const linkTo = senderColleague
        ? accountId
        : existing
          ? undefined
          : (await accounts.find(other.address))?.accountId;
      const upserted = await repos.contacts.upsert(
        tenantId,
        other.address,
        {
          ...(other.name ? { name: other.name } : {}),
          ...(linkTo ? { accountId: linkTo } : {}),
        },
        existing,
        linkTo ? {} : { discovered: discoveredVia(other.via) },
      );
      otherContactIds.push(upserted.contactId);
      if (upserted.created && upserted.discovered) {
        discoveredContactIds.push(upserted.contactId);
        runtime.metric('IngestContactsDiscovered');
      }
    }
  }

  return {
    ...(contactId ? { contactId } : {}),
    ...(accountId ? { accountId } : {}),
    contactCreated,
    contactPromoted,
    enriched,
    otherContactIds,
    discoveredContactIds,
  };
}

/** Everyone on the message besides the sender and the mailbox, with where they were seen. */
function othersOf(
  analysis: MessageAnalysis,
  senderEmail: string | undefined,
  own: ReadonlySet<string>,
): { address: string; name?: string; via: DiscoverySource }[] {
  const cc = new Set(analysis.message.cc.map((address) => address.address));
  const people: { address: string; name?: string; via: DiscoverySource }[] =
    analysis.contacts.others.map((other) => ({
      address: other.address,
      ...(other.name ? { name: other.name } : {}),
      via: cc.has(other.address) ? 'cc' : 'reply_to',
    }));
  for (const to of analysis.message.to) {
    if (
      to.address === senderEmail ||
      to.address === analysis.message.from?.address ||
      own.has(to.address) ||
      isRobotAddress(to.address) ||
      people.some((person) => person.address === to.address)
    )
      continue;
    people.push({ address: to.address, via: 'to' });
  }
  return people;
}

/** The tenant's account for an address's domain (or a company name), read at most once per key. */
function accountFinder(runtime: IngestRuntime, tenantId: string) {
  const cache = new Map<string, Promise<Account | undefined>>();
  return {
    find(address: string, company?: string): Promise<Account | undefined> {
      const domain = address.split('@')[1] ?? '';
      if (FREE_MAIL_DOMAINS.has(domain)) return Promise.resolve(undefined);
      const key = `${domain}|${company ?? ''}`;
      let found = cache.get(key);
      if (!found) {
        found = runtime.repos.contacts.findAccount(tenantId, domain, company);
        cache.set(key, found);
      }
      return found;
    },
  };
}
