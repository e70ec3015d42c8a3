import { createHash } from 'node:crypto';
import { ValidationError } from '../errors.js';
import { assertSendingIdentity } from '../domain/sending-identity.js';

/**
 * Every partition/sort/GSI key pattern of the single table (DESIGN.md section 4) lives here, so no
 * repository builds a key by hand. Every tenant-owned key starts with `TENANT#<id>`; the only
 * shared items are a sending identity's (`IDENTITY#<domain>`), which several tenants write.
 */

/** A primary key of the table. */
export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const ENTITY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

/**
 * Throws a {@link ValidationError} unless `tenantId` is 1–63 lower-case letters, digits, `-` or `_`.
 * The same id appears in Step Functions execution names, which allow no `#`.
 */
export function assertTenantId(tenantId: string): void {
  if (typeof tenantId !== 'string' || !TENANT_ID_PATTERN.test(tenantId)) {
    throw new ValidationError(
      'tenantId',
      `expected 1-63 lower-case letters, digits, '-' or '_' starting with a letter or digit, got ${JSON.stringify(tenantId)}`,
    );
  }
}

function assertEntityId(field: string, id: string): void {
  if (typeof id !== 'string' || !ENTITY_ID_PATTERN.test(id)) {
    throw new ValidationError(
      field,
      `expected 1-128 letters, digits or ._:@- characters, got ${JSON.stringify(id)}`,
    );
  }
}

const ULID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

/**
 * Throws a {@link ValidationError} naming `field` unless `id` is an upper-case ULID, the only form
 * whose string order is its time order.
 */
export function assertWriteId(field: string, id: string): void {
  if (typeof id !== 'string' || !ULID_PATTERN.test(id)) {
    throw new ValidationError(field, `expected an upper-case ULID, got ${JSON.stringify(id)}`);
  }
}

/** The partition every item of one tenant lives in. */
export function tenantPartition(tenantId: string): string {
  assertTenantId(tenantId);
  return `TENANT#${tenantId}`;
}

/**
 * The partition of one sending identity (a From domain, lower-cased): its UTC day counters and
 * warm-up ladder. Not tenant-owned: every tenant sending from the domain reads and writes it.
 */
export function identityPartition(identity: string): string {
  assertSendingIdentity(identity);
  return `${IDENTITY_PARTITION_PREFIX}${identity}`;
}

/** What every sending identity's partition starts with (IAM grants on the shared items name it). */
export const IDENTITY_PARTITION_PREFIX = 'IDENTITY#';

function assertDateKey(field: string, date: string): void {
  if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date)) {
    throw new ValidationError(field, `expected yyyy-MM-dd, got ${JSON.stringify(date)}`);
  }
}

/** Sort-key prefixes, for queries that read one kind of item in a tenant's partition. */
export const SK_PREFIX = {
  contact: 'CONTACT#',
  account: 'ACCOUNT#',
  order: 'ORDER#',
  deal: 'DEAL#',
  bid: 'BID#',
  suppression: 'SUPPRESS#',
  run: 'RUN#',
  action: 'ACTION#',
  reflection: 'REFLECT#',
  audit: 'AUDIT#',
  outcome: 'OUTCOME#',
  task: 'TASK#',
  gmailMessage: 'GMAIL#',
  rfcMessage: 'RFCMSG#',
  attachment: 'ATTACHMENT#',
  replyMarker: 'REPLY#',
  send: 'SEND#',
  rate: 'RATE#',
  proposal: 'PROPOSAL#',
} as const;

function assertHourKey(hourKey: string): void {
  if (!/^\d{10}$/.test(hourKey)) {
    throw new ValidationError('hourKey', `expected yyyyMMddHH, got ${JSON.stringify(hourKey)}`);
  }
}

/** Partition prefix of organisation items; tenant-scoped roles reach it by their own grant. */
export const ORG_PARTITION_PREFIX = 'ORG#';

/** The enabled-tenant index lives on gsi1 under this partition (a sparse index entry). */
export const ENABLED_TENANTS_GSI_PK = 'TENANTS#ENABLED';

/**
 * The wake index lives on gsi1 under this partition: one `WAKE` item per enabled tenant whose sort
 * key `<wakeAt ISO>#<tenantId>` orders tenants by when their next cycle is due (DESIGN §9).
 */
export const WAKE_GSI_PK = 'TENANTS#WAKE';

export const keys = {
  tenantSettings(tenantId: string): ItemKey {
    return { pk: tenantPartition(tenantId), sk: 'META' };
  },
  /** gsi1 keys present only while the tenant is enabled; the fan-out queries this partition. */
  enabledTenantIndex(tenantId: string): { gsi1pk: string; gsi1sk: string } {
    return { gsi1pk: ENABLED_TENANTS_GSI_PK, gsi1sk: tenantPartition(tenantId) };
  },
  /** When the tenant's next cycle is due and whether new input arrived since its last cycle. */
  tenantWake(tenantId: string): ItemKey {
    return { pk: tenantPartition(tenantId), sk: 'WAKE' };
  },
  /** gsi1 keys of a tenant's wake item: the fan-out lists sort keys up to the scheduled time. */
  wakeIndex(tenantId: string, wakeAt: string): { gsi1pk: string; gsi1sk: string } {
    assertTenantId(tenantId);
    return { gsi1pk: WAKE_GSI_PK, gsi1sk: `${wakeAt}#${tenantId}` };
  },
  /** The cycle slots of one organisation (shared/domain/org-concurrency.ts), outside any tenant. */
  orgCycleSlots(organisation: string): ItemKey {
    return { pk: `${ORG_PARTITION_PREFIX}${organisation}`, sk: 'CYCLES' };
  },
  cycleLock(tenantId: string): ItemKey {
    return { pk: tenantPartition(tenantId), sk: 'LOCK#cycle' };
  },
  cycleCounter(tenantId: string): ItemKey {
    return { pk: tenantPartition(tenantId), sk: 'COUNTER#cycle' };
  },
  run(tenantId: string, hourKey: string): ItemKey {
    assertHourKey(hourKey);
    return { pk: tenantPartition(tenantId), sk: `${SK_PREFIX.run}${hourKey}` };
  },
  /**
   * An action card: `ACTION#<hourKey>#<cardId>`. The card id is derived from what the card is
   * about (`follow_up:<contactId>:<due>`, `validate_order:<orderId>` …), so a Plan retried after
   * its inputs shifted lands on the same card.
   */
  action(tenantId: string, hourKey: string, cardId: string): ItemKey {
    assertHourKey(hourKey);
    assertEntityId('cardId', cardId);
    return { pk: tenantPartition(tenantId), sk: `${SK_PREFIX.action}${hourKey}#${cardId}` };
  },
  actionsOfRunPrefix(hourKey: string): string {
    assertHourKey(hourKey);
    return `${SK_PREFIX.action}${hourKey}#`;
  },
  reflection(tenantId: string, hourKey: string): ItemKey {
    assertHourKey(hourKey);
    return { pk: tenantPartition(tenantId), sk: `${SK_PREFIX.reflection}${hourKey}` };
  },
  /** An audit or policy-violation record, ordered by time. */
  audit(tenantId: string, at: string, id: string): ItemKey {
    assertEntityId('auditId', id);
    return { pk: tenantPartition(tenantId), sk: `${SK_PREFIX.audit}${at}#${id}` };
  },
  /**
   * An outcome (send result, reply, bounce, order update): `OUTCOME#<outcomeId>`. The key holds only
   * the id, so appending the same id again (at any time, with any event time) hits the same item.
   */
  outcome(tenantId: string, outcomeId: string): ItemKey {
    assertEntityId('outcomeId', outcomeId);
    return { pk: tenantPartition(tenantId), sk: `${SK_PREFIX.outcome}${outcomeId}` };
  },
  /**
   * gsi1 keys that order a tenant's outcome inbox by write time: `TENANT#<t>#OUTCOMES` /
   * `<ULID of the write time>`. React reads this index after its cursor.
   */
  outcomeInboxIndex(tenantId: string, writeId: string): { gsi1pk: string; gsi1sk: string } {
    assertWriteId('writeId', writeId);
    return { gsi1pk: `${tenantPartition(tenantId)}#OUTCOMES`, gsi1sk: writeId };
  },
  /** The gsi1 partition of a tenant's outcome inbox in write order. */
  outcomeInboxPartition(tenantId: string): string {
    return `${tenantPartition(tenantId)}#OUTCOMES`;
  },
  /** A human task created by an allowed create_task action; keyed by the card that created it. */
  task(tenantId: string, taskId: string): ItemKey {
    assertEntityId('taskId', taskId);
    return { pk: tenantPartition(tenantId), sk: `${SK_PREFIX.task}${taskId}` };
  },
  order(tenantId: string, orderId: string): ItemKey {
    assertEntityId('orderId', orderId);
    return { pk: tenantPartition(tenantId), sk: `${SK_PREFIX.order}${orderId}` };
  },
  deal(tenantId: string, dealId: string): ItemKey {
    assertEntityId('dealId', dealId);
    return { pk: tenantPartition(tenantId), sk: `${SK_PREFIX.deal}${dealId}` };
  },
  bid(tenantId: string, bidId: string): ItemKey {
    assertEntityId('bidId', bidId);
    return { pk: tenantPartition(tenantId), sk: `${SK_PREFIX.bid}${bidId}` };
  },
  /** A suppressed recipient address (bounce, complaint, unsubscribe, manual), lower-cased. */
  suppression(tenantId: string, email: string): ItemKey {
    if (typeof email !== 'string' || !email.includes('@') || email.length > 320) {
      throw new ValidationError('email', `expected an email address, got ${JSON.stringify(email)}`);
    }
    return {
      pk: tenantPartition(tenantId),
      sk: `${SK_PREFIX.suppression}${email.trim().toLowerCase()}`,
    };
  },
  /**
   * A proposal the rollout phase kept from executing (recorded, or an approval):
   * `PROPOSAL#<proposalId>`, the id derived from the card's content (shared/domain/rollout/proposal.ts).
   */
  proposal(tenantId: string, proposalId: string): ItemKey {
    assertEntityId('proposalId', proposalId);
    return { pk: tenantPartition(tenantId), sk: `${SK_PREFIX.proposal}${proposalId}` };
  },
  /**
   * gsi1 keys present only while an approval is open (awaiting, approved, executing):
   * `TENANT#<t>#APPROVALS_OPEN` / `<status>#<at>#<proposalId>`, where `at` is the expiry of an
   * awaiting approval and the decision time of an approved one, so Act finds expired and approved
   * ones with one query each.
   */
  openApprovalIndex(
    tenantId: string,
    status: string,
    at: string,
    proposalId: string,
  ): { gsi1pk: string; gsi1sk: string } {
    return {
      gsi1pk: `${tenantPartition(tenantId)}#APPROVALS_OPEN`,
      gsi1sk: `${status}#${at}#${proposalId}`,
    };
  },
  /** The gsi1 partition of a tenant's open approvals. */
  openApprovalPartition(tenantId: string): string {
    return `${tenantPartition(tenantId)}#APPROVALS_OPEN`;
  },
  /** The tenant's product catalog (small: one item). */
  catalog(tenantId: string): ItemKey {
    return { pk: tenantPartition(tenantId), sk: 'CATALOG' };
  },
  /** Where React remembers how far (which write ULID) it has folded the outcome inbox. */
  reactCursor(tenantId: string): ItemKey {
    return { pk: tenantPartition(tenantId), sk: 'CURSOR#react' };
  },
  contact(tenantId: string, contactId: string): ItemKey {
    assertEntityId('contactId', contactId);
    return { pk: tenantPartition(tenantId), sk: `${SK_PREFIX.contact}${contactId}` };
  },
  /** gsi1 keys that order a tenant's contacts by next engagement due date. */
  contactDueIndex(
    tenantId: string,
    contactId: string,
    nextDueAt: string,
  ): { gsi1pk: string; gsi1sk: string } {
    return {
      gsi1pk: `${tenantPartition(tenantId)}#CONTACT_DUE`,
      gsi1sk: `${nextDueAt}#${contactId}`,
    };
  },
  contactDuePartition(tenantId: string): string {
    return `${tenantPartition(tenantId)}#CONTACT_DUE`;
  },
  account(tenantId: string, accountId: string): ItemKey {
    assertEntityId('accountId', accountId);
    return { pk: tenantPartition(tenantId), sk: `${SK_PREFIX.account}${accountId}` };
  },
  /** The idempotency claim and send record of one email: `SEND#<idempotencyKey>`. */
  sendRecord(tenantId: string, idempotencyKey: string): ItemKey {
    if (
      typeof idempotencyKey !== 'string' ||
      idempotencyKey.length < 1 ||
      idempotencyKey.length > 200 ||
      [...idempotencyKey].some((character) => character.charCodeAt(0) < 0x20)
    ) {
      throw new ValidationError(
        'idempotencyKey',
        'expected 1-200 characters without control characters',
      );
    }
    return { pk: tenantPartition(tenantId), sk: `${SK_PREFIX.send}${idempotencyKey}` };
  },
  /** One tenant-local day of send rate counters (hour, day, domain-hour, month-to-date): `RATE#<yyyy-MM-dd>`. */
  rateCounters(tenantId: string, localDate: string): ItemKey {
    assertDateKey('localDate', localDate);
    return { pk: tenantPartition(tenantId), sk: `${SK_PREFIX.rate}${localDate}` };
  },
  /**
   * One UTC day of a sending identity's counters (sends, bounces, complaints from every tenant on
   * the domain): `IDENTITY#<domain>` / `RATE#<yyyy-MM-dd>`. The sort key repeats the tenant
   * counters' pattern, so a batch read mixing both must tell them apart by `pk`.
   */
  identityDay(identity: string, utcDate: string): ItemKey {
    assertDateKey('utcDate', utcDate);
    return { pk: identityPartition(identity), sk: `${SK_PREFIX.rate}${utcDate}` };
  },
  /** A sending identity's warm-up ladder state: `IDENTITY#<domain>` / `WARMUP`. */
  identityWarmUp(identity: string): ItemKey {
    return { pk: identityPartition(identity), sk: 'WARMUP' };
  },
  /** The tenant's sending state: pause, warm-up phase, provider circuit, recent deliverability. */
  sendingState(tenantId: string): ItemKey {
    return { pk: tenantPartition(tenantId), sk: 'SENDING#state' };
  },
  /** A Gmail message seen by ingest (dedupe claim and processing record): `GMAIL#<gmailMessageId>`. */
  gmailMessage(tenantId: string, gmailMessageId: string): ItemKey {
    assertEntityId('gmailMessageId', gmailMessageId);
    return { pk: tenantPartition(tenantId), sk: `${SK_PREFIX.gmailMessage}${gmailMessageId}` };
  },
  /**
   * The RFC 822 Message-ID claim of an ingested message: `RFCMSG#<sha256 of the normalised id>`
   * → the Gmail id that holds it, so one message under two Gmail ids is ingested once.
   */
  rfcMessage(tenantId: string, rfcMessageId: string): ItemKey {
    const normalized =
      typeof rfcMessageId === 'string'
        ? rfcMessageId.trim().replace(/^<|>$/g, '').toLowerCase()
        : '';
    if (normalized === '' || normalized.length > 998) {
      throw new ValidationError('rfcMessageId', 'expected a Message-ID of 1-998 characters');
    }
    const digest = createHash('sha256').update(normalized).digest('hex');
    return { pk: tenantPartition(tenantId), sk: `${SK_PREFIX.rfcMessage}${digest}` };
  },
  /** The tenant's Gmail history cursor (historyId, backoff): one item. */
  gmailCursor(tenantId: string): ItemKey {
    return { pk: tenantPartition(tenantId), sk: 'GMAILCURSOR' };
  },
  /** The tenant's Gmail connection state (status, mailbox address, secret name; never the token). */
  gmailConnection(tenantId: string): ItemKey {
    return { pk: tenantPartition(tenantId), sk: 'GMAILCONN' };
  },
  /** Metadata (name, type, size) of one attachment of a Gmail message: `ATTACHMENT#<gmailMessageId>#<nnn>`. */
  attachment(tenantId: string, gmailMessageId: string, index: number): ItemKey {
    assertEntityId('gmailMessageId', gmailMessageId);
    if (!Number.isInteger(index) || index < 0 || index > 999) {
      throw new ValidationError('index', `expected 0-999, got ${index}`);
    }
    return {
      pk: tenantPartition(tenantId),
      sk: `${SK_PREFIX.attachment}${gmailMessageId}#${String(index).padStart(3, '0')}`,
    };
  },
  /**
   * Marks a message of ours as replied to: `REPLY#<Message-ID>`, the referenced id normalised
   * (lower-case, no angle brackets). For an SES send that is `<SES MessageId>@<region>.amazonses.com`,
   * so the sender finds replies to a send with `begins_with(sk, 'REPLY#<SES MessageId>@')`.
   */
  replyMarker(tenantId: string, messageId: string): ItemKey {
    const normalized =
      typeof messageId === 'string' ? messageId.trim().replace(/^<|>$/g, '').toLowerCase() : '';
    if (normalized === '' || normalized.length > 300 || /[\s\p{Cc}]/u.test(normalized)) {
      throw new ValidationError(
        'messageId',
        'expected a Message-ID of 1-300 characters without spaces',
      );
    }
    return { pk: tenantPartition(tenantId), sk: `${SK_PREFIX.replyMarker}${normalized}` };
  },
  /** The tenant's messaging pack (templates, tone, forbidden claims, footer): one item. */
  messagingPack(tenantId: string): ItemKey {
    return { pk: tenantPartition(tenantId), sk: 'MESSAGING#pack' };
  },
  /** One UTC day of the tenant's drafting usage (tokens, cost, calls): `LLMUSAGE#<yyyy-MM-dd>`. */
  llmUsage(tenantId: string, utcDate: string): ItemKey {
    assertDateKey('utcDate', utcDate);
    return { pk: tenantPartition(tenantId), sk: `LLMUSAGE#${utcDate}` };
  },
  /** Looks a contact up by address: `CONTACTEMAIL#<email>` → contactId (kept by ingest). */
  contactByEmail(tenantId: string, email: string): ItemKey {
    if (typeof email !== 'string' || !email.includes('@') || email.length > 320) {
      throw new ValidationError('email', `expected an email address, got ${JSON.stringify(email)}`);
    }
    return { pk: tenantPartition(tenantId), sk: `CONTACTEMAIL#${email.trim().toLowerCase()}` };
  },
} as const;

/** Extracts the tenant id from a `TENANT#<id>` key, or throws if the key is not a tenant key. */
export function tenantIdFromKey(key: string): string {
  const match = /^TENANT#([^#]+)/.exec(key);
  if (!match?.[1]) throw new ValidationError('key', `not a tenant key: ${key}`);
  return match[1];
}
