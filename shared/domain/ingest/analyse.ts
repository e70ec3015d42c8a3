import { classifyMessage, type Classification, type ClassificationContext } from './classify.js';
import { extractContacts, type ContactExtraction } from './contacts.js';
import { findEntityReferences, type EntityReferences } from './links.js';
import {
  parseMessage,
  type AttachmentMetadata,
  type MailAddress,
  type ParsedMessage,
} from './mime.js';

/** Everything the ingest pipeline learns from one raw message, before it touches storage. */
export interface MessageAnalysis {
  readonly message: {
    readonly messageId?: string;
    readonly from?: MailAddress;
    readonly to: readonly MailAddress[];
    readonly cc: readonly MailAddress[];
    readonly subject: string;
    readonly date?: string;
    readonly inReplyTo: readonly string[];
    readonly references: readonly string[];
    readonly bodySource: 'text' | 'html' | 'none';
    readonly sizeBytes: number;
    /** Body text length before the classifier's cap, and whether the cap cut it. */
    readonly textChars: number;
    readonly textTruncated: boolean;
    readonly attachments: readonly AttachmentMetadata[];
    /** Top-level headers by lower-case name (the parsed map itself, not a copy). */
    readonly headers: ParsedMessage['headers'];
    /** The `message/delivery-status` text of a DSN (what the trust checks read). */
    readonly deliveryStatus?: string;
    /** The returned original's header section in a DSN (its Message-ID ties the report to our send). */
    readonly returnedHeaders?: string;
  };
  readonly classification: Classification;
  readonly contacts: ContactExtraction;
  /** Candidate order/deal/bid ids mentioned in the subject or the writer's text. */
  readonly references: EntityReferences;
}

/**
 * Parse → classify → extract, the one code path the ingest Lambda and `agentctl classify` share.
 * Throws `MalformedMessageError` (with a loggable reason) for input that is not a usable message.
 *
 * @example
 * const analysis = await analyseMessage(raw, { ownDomains: ['northwind-appraisals.example'] });
 * analysis.classification.class; // 'explicit_request'
 */
export async function analyseMessage(
  raw: Uint8Array | string,
  context: ClassificationContext = {},
): Promise<MessageAnalysis> {
  const parsed = await parseMessage(raw);
  const classification = classifyMessage(parsed, context);
  const contacts =
    classification.class === 'bounce' || classification.class === 'feedback_report'
      ? { others: [] }
      : extractContacts(parsed, context.ownAddresses ?? [], {
          signature: classification.class !== 'auto_reply',
        });
  return {
    message: {
      ...(parsed.messageId ? { messageId: parsed.messageId } : {}),
      ...(parsed.from ? { from: parsed.from } : {}),
      to: parsed.to,
      cc: parsed.cc,
      subject: parsed.subject,
      ...(parsed.date ? { date: parsed.date } : {}),
      inReplyTo: parsed.inReplyTo,
      references: parsed.references,
      bodySource: parsed.bodySource,
      sizeBytes: parsed.sizeBytes,
      textChars: parsed.textChars,
      textTruncated: parsed.textTruncated,
      attachments: parsed.attachments,
      headers: parsed.headers,
      ...(parsed.deliveryStatus !== undefined ? { deliveryStatus: parsed.deliveryStatus } : {}),
      ...(parsed.returnedHeaders !== undefined ? { returnedHeaders: parsed.returnedHeaders } : {}),
    },
    classification,
    contacts,
    references:
      classification.automated || classification.bulk
        ? { orderIds: [], dealIds: [], bidIds: [] }
        : findEntityReferences(parsed.subject, parsed.text),
  };
}
