import { AgentError } from '../errors.js';
import type { Outcome } from '../domain/outcomes.js';
import type { TenantSettings } from '../domain/tenant.js';
import { analyseMessage } from '../domain/ingest/analyse.js';
import type { MessageClass } from '../domain/ingest/classify.js';
import { MalformedMessageError } from '../domain/ingest/mime.js';
import type { IngestRequest } from '../domain/ingest/ingest-request.js';
import { GmailApiError, type GmailRawMessage } from '../adapters/gmail/gmail-mailbox.js';
import { GmailNotConnectedError } from './gmail-connections.js';
import { METRIC_NAMES } from '../observability/metric-names.js';
import type { IngestRuntime } from './runtime.js';

/** What ingesting one message id came to. */
export interface IngestResult {
  /** `duplicate`: already ingested (a counted no-op); `gone`: Gmail no longer has the message. */
  readonly status: 'processed' | 'duplicate' | 'gone';
  readonly classification?: MessageClass;
  readonly contactId?: string;
}

/** Another worker holds the message's claim; the queue delivers it again later. */
export class MessageInProgressError extends AgentError {
  constructor(tenantId: string, messageId: string, leaseExpiresAt?: string) {
    super(
      'MESSAGE_IN_PROGRESS',
      `message ${messageId} of tenant ${tenantId} is being ingested by another worker${leaseExpiresAt ? ` (lease until ${leaseExpiresAt})` : ''}`,
    );
  }
}

/** Free-mail domains never link a sender to an account by domain. */
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

/** Cc/Reply-To people created or linked per message, at most. */
const MAX_OTHER_CONTACTS = 5;
/** Our Message-IDs marked as replied per message, at most. */
const MAX_REPLY_MARKERS = 5;

/** Classes whose sender is a person talking to us: their message is an inbound touch, they may become contacts. */
const CONVERSATION_CLASSES = new Set<MessageClass>([
  'reply',
  'explicit_request',
  'complaint_or_urgency',
  'other',
]);

/**
 * Ingests one Gmail message id of one tenant, at most once:
 * 1. claim `GMAIL#<id>` with a conditional write (an id already ingested is a counted no-op);
 * 2. `messages.get` format=raw through the tenant's connection;
 * 3. parse, classify and extract (the same `analyseMessage` as `agentctl classify`);
 * 4. link or create the sender (and Cc people) as contacts without overwriting better data, link
 *    the account and any order, deal or bid the message names;
 * 5. React inputs: hard bounces and stop requests are suppressed at once, every bounced recipient
 *    gets a `bounce` outcome, the message an `inbound_message` outcome (with the request text for
 *    explicit requests; without a contact for bounces, auto-replies and bulk mail, which are no
 *    touch); replies mark our referenced Message-IDs (`REPLY#…`); attachment metadata is recorded;
 * 6. complete the record. Any failure releases the claim with the reason and is rethrown, so the
 *    queue retries and finally dead-letters the message; a malformed message fails the same way.
 *
 * Every write is idempotent on retry (conditional creates, `if_not_exists`, deterministic outcome
 * ids), except that outcomes are keyed by the time they are appended: a crash between appending
 * them and completing the record appends them again, later, on the retry. React folds touches and
 * suppressions idempotently; a carried request could then appear twice. The window is the two
 * writes at the very end, and losing an outcome would be worse.
 */
export async function ingestMessage(
  runtime: IngestRuntime,
  request: IngestRequest,
): Promise<IngestResult> {
  const { repos } = runtime;
  const { tenantId, messageId } = request;
  const claim = await repos.messages.claim(tenantId, messageId, {
    leaseMs: runtime.settings.leaseMs,
    source: request.source,
  });
  if (claim.status === 'duplicate') {
    runtime.metric(METRIC_NAMES.gmailMessagesDuplicate);
    return { status: 'duplicate' };
  }
  if (claim.status === 'in_progress')
    throw new MessageInProgressError(tenantId, messageId, claim.leaseExpiresAt);

  try {
    return await processClaimed(runtime, request, claim.attempt);
  } catch (error) {
    const reason = describeIngestFailure(error);
    await repos.messages
      .release(tenantId, messageId, claim.attempt, reason)
      .catch((releaseError: unknown) => {
        runtime.logger.warn('could not release the ingest claim', {
          tenant_id: tenantId,
          message_id: messageId,
          reason: describeIngestFailure(releaseError),
        });
      });
    if (error instanceof MalformedMessageError) runtime.metric('IngestMalformed');
    if (error instanceof GmailApiError) {
      if (error.kind === 'quota') runtime.metric(METRIC_NAMES.gmailQuotaErrors);
      if (error.kind === 'auth') {
        runtime.metric(METRIC_NAMES.gmailAuthErrors);
        await runtime.connections.recordAuthFailure(tenantId, error);
      }
    }
    runtime.metric('IngestFailures');
    throw error;
  }
}

/** A short, loggable reason for an ingest failure (never message content, never a token). */
export function describeIngestFailure(error: unknown): string {
  if (error instanceof MalformedMessageError) return `malformed: ${error.reason}`;
  if (error instanceof GmailApiError) return `gmail ${error.kind}: ${error.message}`;
  if (error instanceof GmailNotConnectedError) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 300);
  return String(error).slice(0, 300);
}

async function processClaimed(
  runtime: IngestRuntime,
  request: IngestRequest,
  attempt: number,
): Promise<IngestResult> {
  const { repos } = runtime;
  const { tenantId, messageId } = request;
  const { mailbox, emailAddress } = await runtime.connections.mailboxFor(tenantId);

  let raw: GmailRawMessage;
  try {
    raw = await mailbox.getRawMessage(messageId);
  } catch (error) {
    if (error instanceof GmailApiError && error.kind === 'not_found') {
      // Deleted between listing and fetching: nothing to ingest, nothing to retry.
      await repos.messages.complete(tenantId, messageId, attempt, { status: 'gone' });
      runtime.metric('IngestGone');
      return { status: 'gone' };
    }
    throw error;
  }

  const settings = await tenantSettings(runtime, tenantId);
  const mailboxDomain = emailAddress?.split('@')[1];
  const ownDomains = [
    ...(settings?.internalDomains ?? []),
    ...(mailboxDomain ? [mailboxDomain] : []),
  ];
  const analysis = await analyseMessage(raw.raw, {
    ownDomains,
    ownAddresses: emailAddress ? [emailAddress] : [],
  });
  const classification = analysis.classification;
  const messageClass = classification.class;
  const isInternal = (address: string) => {
    const domain = address.split('@')[1] ?? '';
    return ownDomains.some((own) => domain === own || domain.endsWith(`.${own}`));
  };
  const conversation = CONVERSATION_CLASSES.has(messageClass) && !classification.bulk;

  // Sender: link always (except daemons and our own people); create or enrich only for people talking to us.
  const sender = analysis.contacts.sender;
  let contactId: string | undefined;
  let accountId: string | undefined;
  let contactCreated = false;
  let enriched: readonly string[] = [];
  if (sender && messageClass !== 'bounce' && !isInternal(sender.email)) {
    const existing = await repos.contacts.findByEmail(tenantId, sender.email);
    contactId = existing?.contactId;
    accountId = existing?.accountId;
    if (conversation) {
      const domain = sender.email.split('@')[1] ?? '';
      const account =
        !accountId && !FREE_MAIL_DOMAINS.has(domain)
          ? await repos.contacts.findAccount(tenantId, domain, sender.company)
          : undefined;
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
      );
      contactId = upserted.contactId;
      accountId = upserted.accountId ?? accountId;
      contactCreated = upserted.created;
      enriched = upserted.enriched;
      if (upserted.created) runtime.metric('IngestContactsCreated');
    }
  }

  // Cc and a different Reply-To: colleagues on the thread become contacts of the same account.
  const otherContactIds: string[] = [];
  if (conversation) {
    for (const other of analysis.contacts.others.slice(0, MAX_OTHER_CONTACTS)) {
      if (isInternal(other.address)) continue;
      const existing = await repos.contacts.findByEmail(tenantId, other.address);
      const sameDomain = other.address.split('@')[1] === sender?.email.split('@')[1];
      const upserted = await repos.contacts.upsert(
        tenantId,
        other.address,
        {
          ...(other.name ? { name: other.name } : {}),
          ...(sameDomain && accountId ? { accountId } : {}),
        },
        existing,
      );
      otherContactIds.push(upserted.contactId);
    }
  }

  // Bounces: every failed recipient is a bounce outcome; hard ones are suppressed now (React would too).
  const bounced: {
    email: string;
    contactId?: string;
    reason: string;
    bounceType: string;
    status?: string;
  }[] = [];
  for (const [index, recipient] of (classification.bounce?.recipients ?? []).entries()) {
    const contact = await repos.contacts.findByEmail(tenantId, recipient.email);
    await repos.outcomes.append(tenantId, `gmail-${messageId}-bounce-${index}`, {
      kind: 'bounce',
      email: recipient.email,
      bounceType: recipient.bounceType,
    });
    if (recipient.bounceType === 'hard') {
      await repos.suppressions.add(tenantId, recipient.email, 'hard_bounce', `gmail:${messageId}`);
    }
    bounced.push({
      email: recipient.email,
      ...(contact ? { contactId: contact.contactId } : {}),
      reason: recipient.reason,
      bounceType: recipient.bounceType,
      ...(recipient.status ? { status: recipient.status } : {}),
    });
  }

  // Stop requests: the writer is suppressed for good.
  const fromAddress = analysis.message.from?.address;
  if (messageClass === 'unsubscribe') {
    const address = sender?.email ?? fromAddress;
    if (address) {
      await repos.suppressions.add(tenantId, address, 'unsubscribe', `gmail:${messageId}`);
      runtime.metric('IngestUnsubscribes');
    }
  }

  const links = await linkEntities(runtime, tenantId, analysis.references);

  if (classification.replyToOurSend && messageClass !== 'bounce' && messageClass !== 'auto_reply') {
    for (const ours of classification.repliesTo.slice(0, MAX_REPLY_MARKERS)) {
      await repos.replies.markReplied(tenantId, ours, {
        gmailMessageId: messageId,
        classification: messageClass,
        ...(raw.threadId ? { threadId: raw.threadId } : {}),
        ...(fromAddress ? { from: fromAddress } : {}),
        ...(contactId ? { contactId } : {}),
      });
    }
  }

  const attachments = analysis.message.attachments;
  if (attachments.length > 0) await repos.messages.putAttachments(tenantId, messageId, attachments);

  const requestText =
    messageClass === 'explicit_request' ? classification.request?.matchedText : undefined;
  const inbound: Extract<Outcome, { kind: 'inbound_message' }> & Record<string, unknown> = {
    kind: 'inbound_message',
    messageId,
    from: fromAddress ?? 'unknown',
    // Bounces, auto-replies and bulk mail are not a touch: no contact on their outcome.
    ...(contactId && (conversation || messageClass === 'unsubscribe') ? { contactId } : {}),
    classification: messageClass,
    ...(requestText ? { request: { text: requestText.slice(0, 1_000) } } : {}),
    ...(raw.threadId ? { threadId: raw.threadId } : {}),
    ...(classification.replyToOurSend ? { inReplyTo: classification.repliesTo[0] } : {}),
    ...(classification.request?.requestType
      ? { requestType: classification.request.requestType }
      : {}),
  };
  await repos.outcomes.append(tenantId, `gmail-${messageId}`, inbound);

  await repos.messages.complete(tenantId, messageId, attempt, {
    ...(raw.threadId ? { threadId: raw.threadId } : {}),
    ...(raw.receivedAt ? { receivedAt: raw.receivedAt } : {}),
    ...(analysis.message.messageId
      ? { rfcMessageId: analysis.message.messageId.slice(0, 300) }
      : {}),
    ...(fromAddress ? { from: fromAddress } : {}),
    subject: analysis.message.subject.slice(0, 200),
    classification: messageClass,
    signals: [...classification.signals],
    bulk: classification.bulk,
    replyToOurSend: classification.replyToOurSend,
    ...(classification.autoReply ? { autoReply: classification.autoReply } : {}),
    ...(classification.request?.requestType && messageClass === 'explicit_request'
      ? { requestType: classification.request.requestType }
      : {}),
    ...(contactId ? { contactId } : {}),
    ...(contactCreated ? { contactCreated } : {}),
    ...(enriched.length > 0 ? { enriched: [...enriched] } : {}),
    ...(accountId ? { accountId } : {}),
    ...(otherContactIds.length > 0 ? { otherContactIds } : {}),
    ...(bounced.length > 0 ? { bounced } : {}),
    ...(links ? { links } : {}),
    attachmentCount: attachments.length,
    attachmentBytes: attachments.reduce((sum, attachment) => sum + attachment.size, 0),
    sizeBytes: analysis.message.sizeBytes,
  });

  runtime.metric(METRIC_NAMES.gmailMessagesProcessed);
  runtime.metric('IngestClassified', 1, { class: messageClass });
  runtime.logger.info('message ingested', {
    tenant_id: tenantId,
    message_id: messageId,
    classification: messageClass,
    attempt,
    ...(contactCreated ? { contact_created: true } : {}),
  });
  return { status: 'processed', classification: messageClass, ...(contactId ? { contactId } : {}) };
}

async function linkEntities(
  runtime: IngestRuntime,
  tenantId: string,
  references: {
    orderIds: readonly string[];
    dealIds: readonly string[];
    bidIds: readonly string[];
  },
): Promise<{ orderIds?: string[]; dealIds?: string[]; bidIds?: string[] } | undefined> {
  const { repos } = runtime;
  const existing = async (ids: readonly string[], get: (id: string) => Promise<unknown>) => {
    const found: string[] = [];
    for (const id of ids) {
      try {
        if (await get(id)) found.push(id);
      } catch {
        // A candidate that is not a valid id names nothing.
      }
    }
    return found;
  };
  const orderIds = await existing(references.orderIds, (id) => repos.orders.get(tenantId, id));
  const dealIds = await existing(references.dealIds, (id) => repos.deals.get(tenantId, id));
  const bidIds = await existing(references.bidIds, (id) => repos.bids.get(tenantId, id));
  if (orderIds.length + dealIds.length + bidIds.length === 0) return undefined;
  return {
    ...(orderIds.length ? { orderIds } : {}),
    ...(dealIds.length ? { dealIds } : {}),
    ...(bidIds.length ? { bidIds } : {}),
  };
}

const settingsCache = new WeakMap<
  IngestRuntime,
  Map<string, { settings: TenantSettings | undefined; expiresAt: number }>
>();

/** Tenant settings, re-read at most once a minute per runtime (ingest needs only the internal domains). */
async function tenantSettings(
  runtime: IngestRuntime,
  tenantId: string,
): Promise<TenantSettings | undefined> {
  const now = runtime.clock.now().getTime();
  let cache = settingsCache.get(runtime);
  if (!cache) {
    cache = new Map();
    settingsCache.set(runtime, cache);
  }
  const cached = cache.get(tenantId);
  if (cached && cached.expiresAt > now) return cached.settings;
  const settings = await runtime.repos.tenants.get(tenantId);
  cache.set(tenantId, { settings, expiresAt: now + 60_000 });
  return settings;
}
