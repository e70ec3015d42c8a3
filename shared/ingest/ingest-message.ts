import { AgentError } from '../errors.js';
import type { Outcome } from '../domain/outcomes.js';
import type { TenantSettings } from '../domain/tenant.js';
import { analyseMessage, type MessageAnalysis } from '../domain/ingest/analyse.js';
import type { ClassificationContext, MessageClass } from '../domain/ingest/classify.js';
import { MalformedMessageError } from '../domain/ingest/malformed-message.js';
import type { IngestRequest } from '../domain/ingest/ingest-request.js';
import {
  GmailApiError,
  type GmailMailbox,
  type GmailRawMessage,
} from '../adapters/gmail/gmail-mailbox.js';
import { ByteBudget } from './byte-budget.js';
import { describeIngestFailure } from './ingest-failure.js';
import { METRIC_NAMES } from '../observability/metric-names.js';
import type { IngestRuntime } from './runtime.js';
import { processDeliveryReport } from './delivery-reports.js';
import { automationSignals } from '../domain/ingest/automation-signals.js';
import { linkPeople } from './inbound-contacts.js';

/** What ingesting one message id came to. */
export interface IngestResult {
  /** `duplicate`: already ingested (a counted no-op); `gone`: Gmail no longer has the message. */
  readonly status: 'processed' | 'duplicate' | 'gone';
  /** For a duplicate by RFC 822 Message-ID: the Gmail id the message was ingested under. */
  readonly duplicateOf?: string;
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
 * 4. claim the RFC 822 Message-ID (`RFCMSG#…`): the same message already ingested under another
 *    Gmail id is recorded as `duplicateOf` it and counted as a duplicate, nothing else happens;
 * 5. link people to contacts ({@link linkPeople}: the sender created or enriched, Cc/To/Reply-To
 *    strangers created as `discovered`, a discovered writer promoted), and any order, deal or bid
 *    the message names;
 * 6. React inputs: delivery reports are acted on only where trusted ({@link processDeliveryReport}:
 *    trusted hard bounces suppressed, soft ones counted, the rest recorded as untrusted); stop
 *    requests are suppressed at once; the message gets an `inbound_message` outcome (with the
 *    request text for explicit requests; without a contact for bounces, auto-replies and bulk
 *    mail, which are no touch); replies mark our referenced Message-IDs (`REPLY#…`); attachment
 *    metadata is recorded;
 * 7. complete the record. Any failure releases the claim with the reason and is rethrown, so the
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

async function processClaimed(
  runtime: IngestRuntime,
  request: IngestRequest,
  attempt: number,
): Promise<IngestResult> {
  const { repos } = runtime;
  const { tenantId, messageId } = request;
  const { mailbox, emailAddress } = await runtime.connections.mailboxFor(tenantId);

  const settings = await tenantSettings(runtime, tenantId);
  const mailboxDomain = emailAddress?.split('@')[1];
  const ownDomains = [
    ...(settings?.internalDomains ?? []),
    ...(mailboxDomain ? [mailboxDomain] : []),
  ];
  const fetched = await fetchAndAnalyse(runtime, mailbox, messageId, {
    ownDomains,
    ownAddresses: emailAddress ? [emailAddress] : [],
  });
  if (!fetched) {
    // Deleted between listing and fetching: nothing to ingest, nothing to retry.
    await repos.messages.complete(tenantId, messageId, attempt, { status: 'gone' });
    runtime.metric('IngestGone');
    return { status: 'gone' };
  }
  const { analysis, raw } = fetched;
  const classification = analysis.classification;
  const messageClass = classification.class;
  const isInternal = (address: string) => {
    const domain = address.split('@')[1] ?? '';
    return ownDomains.some((own) => domain === own || domain.endsWith(`.${own}`));
  };
  const conversation = CONVERSATION_CLASSES.has(messageClass) && !classification.bulk;

  // The same message under another Gmail id (a copy, a re-import): ingested once, counted.
  const rfcMessageId = analysis.message.messageId;
  if (rfcMessageId) {
    const rfcClaim = await repos.messages.claimRfcMessageId(tenantId, rfcMessageId, messageId);
    if (rfcClaim.status === 'held') {
      const holder = await repos.messages.get(tenantId, rfcClaim.gmailMessageId);
      if (holder?.status !== 'done' && holder?.status !== 'gone')
        throw new MessageInProgressError(tenantId, rfcClaim.gmailMessageId);
      await repos.messages.complete(tenantId, messageId, attempt, {
        duplicateOf: rfcClaim.gmailMessageId,
        rfcMessageId: rfcMessageId.slice(0, 300),
        ...(raw.threadId ? { threadId: raw.threadId } : {}),
        ...(raw.receivedAt ? { receivedAt: raw.receivedAt } : {}),
        sizeBytes: analysis.message.sizeBytes,
      });
      runtime.metric(METRIC_NAMES.gmailMessagesDuplicate);
      runtime.metric('IngestRfcDuplicates');
      runtime.logger.info('message already ingested under another Gmail id', {
        tenant_id: tenantId,
        message_id: messageId,
        duplicate_of: rfcClaim.gmailMessageId,
      });
      return { status: 'duplicate', duplicateOf: rfcClaim.gmailMessageId };
    }
  }

  const people = await linkPeople(runtime, {
    tenantId,
    gmailMessageId: messageId,
    analysis,
    messageClass,
    conversation,
    isInternal,
    ownAddresses: emailAddress ? [emailAddress] : [],
  });
  const { contactId, accountId } = people;

  // Delivery reports: acted on only where the report can be trusted (DESIGN.md §5 "Inbound trust").
  // Feedback (ARF) reports take the same trust check and suppress as complaints.
  const report =
    messageClass === 'bounce' || messageClass === 'feedback_report'
      ? await processDeliveryReport(runtime, tenantId, messageId, analysis, ownDomains)
      : undefined;

  // Stop requests: the writer is suppressed for good.
  const fromAddress = analysis.message.from?.address;
  if (messageClass === 'unsubscribe') {
    const address = analysis.contacts.sender?.email ?? fromAddress;
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

  const automated = automationSignals(analysis.message.headers, fromAddress);
  const requestText =
    messageClass === 'explicit_request' ? classification.request?.matchedText : undefined;
  const inbound: Extract<Outcome, { kind: 'inbound_message' }> & Record<string, unknown> = {
    kind: 'inbound_message',
    messageId,
    from: fromAddress ?? 'unknown',
    // Bounces, auto-replies and bulk mail are not a touch: no contact on their outcome.
    ...(contactId && (conversation || messageClass === 'unsubscribe') ? { contactId } : {}),
    classification: messageClass,
    // Machine-sent header facts: the policy engine refuses a task from such a message.
    ...(automated.length > 0 ? { automated } : {}),
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
    ...(automated.length > 0 ? { automated } : {}),
    bulk: classification.bulk,
    replyToOurSend: classification.replyToOurSend,
    ...(classification.autoReply ? { autoReply: classification.autoReply } : {}),
    ...(classification.request?.requestType && messageClass === 'explicit_request'
      ? { requestType: classification.request.requestType }
      : {}),
    ...(contactId ? { contactId } : {}),
    ...(people.contactCreated ? { contactCreated: true } : {}),
    ...(people.contactPromoted ? { contactPromoted: true } : {}),
    ...(people.enriched.length > 0 ? { enriched: [...people.enriched] } : {}),
    ...(accountId ? { accountId } : {}),
    ...(people.otherContactIds.length > 0 ? { otherContactIds: [...people.otherContactIds] } : {}),
    ...(people.discoveredContactIds.length > 0
      ? { discoveredContactIds: [...people.discoveredContactIds] }
      : {}),
    ...(report && report.listed.length > 0 ? { bounced: report.listed } : {}),
    ...(report
      ? {
          report: {
            recipients: report.recipients,
            hard: report.hard,
            soft: report.soft,
            suppressed: report.suppressed,
            untrusted: report.untrusted,
            notProcessed: report.notProcessed,
            listedOmitted: report.listedOmitted,
          },
        }
      : {}),
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
    ...(people.contactCreated ? { contact_created: true } : {}),
  });
  return { status: 'processed', classification: messageClass, ...(contactId ? { contactId } : {}) };
}

/** Memory one message of `n` raw bytes may take while fetched and parsed (JSON, base64, bytes, text). */
export const MESSAGE_MEMORY_FACTOR = 4;
/** What a message whose size Gmail does not estimate is assumed to take. */
const UNKNOWN_SIZE_BYTES = 1024 * 1024;

const budgets = new WeakMap<IngestRuntime, ByteBudget>();

/** The runtime's byte budget (one per Lambda container, shared by the records of every batch). */
function budgetOf(runtime: IngestRuntime): ByteBudget {
  let budget = budgets.get(runtime);
  if (!budget) {
    budget = new ByteBudget(runtime.settings.memoryBudgetBytes);
    budgets.set(runtime, budget);
  }
  return budget;
}

/**
 * Fetches a message raw and analyses it inside the byte budget: the size estimate is read first
 * (`format=minimal`), `MESSAGE_MEMORY_FACTOR` times it is reserved, and the reservation is given
 * back as soon as the analysis is done — the raw bytes are not kept beyond this function.
 * `undefined` when Gmail no longer has the message.
 */
async function fetchAndAnalyse(
  runtime: IngestRuntime,
  mailbox: GmailMailbox,
  messageId: string,
  context: ClassificationContext,
): Promise<
  { analysis: MessageAnalysis; raw: Omit<GmailRawMessage, 'raw' | 'labelIds'> } | undefined
> {
  try {
    const size = await mailbox.getSizeEstimate(messageId);
    const release = await budgetOf(runtime).acquire(
      (size ?? UNKNOWN_SIZE_BYTES) * MESSAGE_MEMORY_FACTOR,
    );
    try {
      const { raw, labelIds: _labels, ...meta } = await mailbox.getRawMessage(messageId);
      return { analysis: await analyseMessage(raw, context), raw: meta };
    } finally {
      release();
    }
  } catch (error) {
    if (error instanceof GmailApiError && error.kind === 'not_found') return undefined;
    throw error;
  }
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
