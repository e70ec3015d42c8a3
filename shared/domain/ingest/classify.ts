import { detectExplicitRequest, type RequestDetection } from '../policy/request-classifier.js';
import {
  autoReplyKindOf,
  detectAutoReply,
  type AutoReplyEvidence,
  type AutoReplyKind,
} from './auto-reply.js';
import { extractBounce, isBounce, isFeedbackReport, type BounceDetails } from './bounce.js';
import {
  detectComplaintOrUrgency,
  parseFeedbackReport,
  type ComplaintSignal,
  type FeedbackReport,
} from './complaint.js';
import { domainMatches, messageIdDomain } from './message-ids.js';
import { headerValue, unwrapParagraphs, type ParsedMessage } from './mime.js';
import { detectUnsubscribe, type UnsubscribeEvidence } from './unsubscribe.js';

/**
 * The classes an inbound message falls in, in precedence order after `reply` (a message is given
 * the first class that applies, except that `reply` only wins when nothing else does):
 * - `bounce`: a delivery status notification for a failed or delayed delivery;
 * - `feedback_report`: an ARF complaint report from a mailbox provider (the complaint path);
 * - `auto_reply`: an auto-responder or out-of-office notice;
 * - `unsubscribe`: a stop request (mailto one-click or a reply saying so);
 * - `explicit_request`: the writer asks us for a call, meeting, document or task (Guardrails classifier);
 * - `complaint_or_urgency`: dissatisfaction, escalation or urgency;
 * - `reply`: a reply to one of our sends with none of the above;
 * - `other`: anything else (newsletters, new conversations, replies to other people's mail).
 */
export const MESSAGE_CLASSES = [
  'bounce',
  'feedback_report',
  'auto_reply',
  'unsubscribe',
  'explicit_request',
  'complaint_or_urgency',
  'reply',
  'other',
] as const;
export type MessageClass = (typeof MESSAGE_CLASSES)[number];

/** What the classifier needs to know about the receiving side. */
export interface ClassificationContext {
  /**
   * Domains whose Message-IDs mark our own sends: SES's (`amazonses.com`, always included), the
   * tenant's internal domains and the mailbox's domain.
   */
  readonly ownDomains?: readonly string[];
  /** Addresses of the mailbox itself; never reported as bounced recipients or contacts. */
  readonly ownAddresses?: readonly string[];
}

/** The outcome of classifying one message. */
export interface Classification {
  readonly class: MessageClass;
  /** Every class whose test matched, in precedence order (`class` is the first). */
  readonly signals: readonly MessageClass[];
  /** True when In-Reply-To/References name a message of ours. */
  readonly replyToOurSend: boolean;
  /** Our Message-IDs the message replies to (normalised), newest reference first. */
  readonly repliesTo: readonly string[];
  /** A mailing-list or bulk message (List-Id, List-Unsubscribe, Precedence: bulk/list/junk). */
  readonly bulk: boolean;
  readonly bounce?: BounceDetails;
  /** The ARF report's fields (class `feedback_report`). */
  readonly feedback?: FeedbackReport;
  readonly autoReply?: AutoReplyEvidence;
  /** What kind of automatic reply (class `auto_reply`): an out-of-office, a challenge–response check or another responder. */
  readonly autoReplyKind?: AutoReplyKind;
  /**
   * True for machine-written mail (bounce, delay notice, feedback report, auto-reply): it is never
   * an explicit request and never creates a task, whatever its text says.
   */
  readonly automated: boolean;
  readonly unsubscribe?: UnsubscribeEvidence;
  /** The Guardrails request classifier's verdict on the body (absent for bounces, auto-replies, bulk). */
  readonly request?: RequestDetection;
  readonly complaint?: ComplaintSignal;
}

/** Domains whose Message-IDs are ours whatever the tenant: Amazon SES generates them. */
export const SES_MESSAGE_ID_DOMAINS = ['amazonses.com'] as const;

/**
 * Classifies a parsed message (see {@link MESSAGE_CLASSES} for the classes and their precedence).
 * Pure and deterministic: the same message and context always give the same result.
 */
export function classifyMessage(
  message: ParsedMessage,
  context: ClassificationContext = {},
): Classification {
  const ownDomains = [...SES_MESSAGE_ID_DOMAINS, ...(context.ownDomains ?? [])];
  const referenced = [...message.inReplyTo, ...[...message.references].reverse()];
  const repliesTo = [...new Set(referenced)].filter((id) => {
    const domain = messageIdDomain(id);
    return domain !== undefined && ownDomains.some((own) => domainMatches(domain, own));
  });
  const replyToOurSend = repliesTo.length > 0;
  const bulk = isBulk(message);
  const base = { replyToOurSend, repliesTo, bulk, automated: true };

  if (isFeedbackReport(message)) {
    return {
      class: 'feedback_report',
      signals: ['feedback_report'],
      ...base,
      feedback: parseFeedbackReport(message.feedbackReport, message.returnedHeaders),
    };
  }
  if (isBounce(message)) {
    return {
      class: 'bounce',
      signals: ['bounce'],
      ...base,
      bounce: extractBounce(message, context.ownAddresses),
    };
  }
  // A mail client's mailto List-Unsubscribe message (Apple Mail marks it Auto-Submitted) is a stop request.
  const clientUnsubscribe = detectUnsubscribe(message) === 'one_click_mailto';
  const autoReply = clientUnsubscribe ? undefined : detectAutoReply(message);
  if (autoReply)
    return {
      class: 'auto_reply',
      signals: ['auto_reply'],
      ...base,
      autoReply,
      autoReplyKind: autoReplyKindOf(message),
    };
  if (bulk) return { class: 'other', signals: ['other'], ...base, automated: false };

  // Sentence rules need whole sentences: join hard-wrapped plain-text lines first.
  const unwrapped =
    message.bodySource === 'text' ? { ...message, text: unwrapParagraphs(message.text) } : message;
  const signals: MessageClass[] = [];
  const unsubscribe = detectUnsubscribe(unwrapped);
  if (unsubscribe) signals.push('unsubscribe');
  const request = detectExplicitRequest(unwrapped.text);
  if (request.kind === 'explicit_request') signals.push('explicit_request');
  const complaint = detectComplaintOrUrgency(unwrapped);
  if (complaint) signals.push('complaint_or_urgency');
  if (replyToOurSend) signals.push('reply');
  if (signals.length === 0) signals.push('other');

  return {
    class: signals[0] ?? 'other',
    signals,
    ...base,
    automated: false,
    ...(unsubscribe ? { unsubscribe } : {}),
    request,
    ...(complaint ? { complaint } : {}),
  };
}

function isBulk(message: ParsedMessage): boolean {
  for (const name of [
    'list-id',
    'list-unsubscribe',
    'list-subscribe',
    'list-post',
    'list-help',
    'mailing-list',
    'x-mlserver',
    'x-ml-server',
  ])
    if (headerValue(message, name)) return true;
  return /^\s*(bulk|list|junk)\s*$/i.test(headerValue(message, 'precedence') ?? '');
}
