import PostalMime, { type Address, type Email } from 'postal-mime';
import { MalformedMessageError } from './malformed-message.js';
import { htmlToText } from './html-to-text.js';
import { normalizeMessageId, parseMessageIdList } from './message-ids.js';

export { MalformedMessageError };

/** Largest raw message accepted (Gmail's own limit is 25 MB of attachments, ~35 MB encoded). */
export const MAX_RAW_MESSAGE_BYTES = 50 * 1024 * 1024;

/**
 * Most body text handed to the classifier (characters); the rest is dropped before any rule runs,
 * so a 25 MB plain-text body costs what 256 KiB costs. `ParsedMessage.textTruncated` says so.
 */
export const MAX_CLASSIFIED_TEXT_CHARS = 256 * 1024;

/**
 * A single-part text body longer than this (raw bytes) is cut before MIME parsing: the parser
 * costs about half a second per megabyte, and only {@link MAX_CLASSIFIED_TEXT_CHARS} are read.
 */
export const MAX_PARSED_TEXT_BODY_BYTES = 1024 * 1024;

/** One mailbox of an address header. */
export interface MailAddress {
  /** Lower-cased address. */
  readonly address: string;
  /** Decoded display name, when present and different from the address. */
  readonly name?: string;
}

/** What we keep of an attachment: never its content. */
export interface AttachmentMetadata {
  readonly name?: string;
  /** Lower-case MIME type. */
  readonly type: string;
  /** Decoded size in bytes. */
  readonly size: number;
  /** True for inline parts (e.g. images referenced from the HTML). */
  readonly inline: boolean;
}

/** A parsed RFC 822 message, reduced to what classification and extraction read. */
export interface ParsedMessage {
  /** Top-level headers by lower-case name, values unfolded, in order. */
  readonly headers: ReadonlyMap<string, readonly string[]>;
  readonly from?: MailAddress;
  readonly replyTo: readonly MailAddress[];
  readonly to: readonly MailAddress[];
  readonly cc: readonly MailAddress[];
  readonly subject: string;
  /** Normalised Message-ID (no brackets, lower-case). */
  readonly messageId?: string;
  /** Normalised ids of `In-Reply-To`. */
  readonly inReplyTo: readonly string[];
  /** Normalised ids of `References`. */
  readonly references: readonly string[];
  /** Sending time (ISO) when the Date header parses. */
  readonly date?: string;
  /** The body as text: the text/plain part, else the HTML part converted; at most {@link MAX_CLASSIFIED_TEXT_CHARS}. */
  readonly text: string;
  /** True when the body text was longer than {@link MAX_CLASSIFIED_TEXT_CHARS} and was cut. */
  readonly textTruncated: boolean;
  /**
   * Length of the whole body text before the cap, in characters; for a single-part body cut before
   * parsing (see {@link MAX_PARSED_TEXT_BODY_BYTES}) the raw body's length in bytes.
   */
  readonly textChars: number;
  readonly bodySource: 'text' | 'html' | 'none';
  /** Top-level Content-Type value, lower-cased (parameters included). */
  readonly contentType: string;
  /** Attachments' metadata (DSN report parts excluded). */
  readonly attachments: readonly AttachmentMetadata[];
  /** Text of a `message/delivery-status` part, when the message is a DSN. */
  readonly deliveryStatus?: string;
  /** Text of a `message/feedback-report` part (RFC 5965 ARF), when the message is a complaint report. */
  readonly feedbackReport?: string;
  /** Header section of the returned original message in a DSN (`message/rfc822` or `text/rfc822-headers`). */
  readonly returnedHeaders?: string;
  readonly sizeBytes: number;
}

const REPORT_PART_TYPES = new Set([
  'message/delivery-status',
  'message/global-delivery-status',
  'text/rfc822-headers',
  'message/rfc822-headers',
  'message/disposition-notification',
  'message/feedback-report',
]);

/**
 * Parses raw RFC 822 bytes (or text) with postal-mime. Throws {@link MalformedMessageError} when
 * the input has no usable header section, does not parse, or has no From address — except for
 * reports and bounces, whose sender is normally the null path (`<>`), a bare `MAILER-DAEMON` or
 * `postmaster@host`: those parse with `from` absent or as given. The reason is short and safe to
 * log (it never quotes the message).
 *
 * @example
 * const parsed = await parseMessage(readFileSync('reply.eml'));
 * parsed.from?.address; // 'dana.whitfield@lakeshoremortgage.example'
 */
export async function parseMessage(raw: Uint8Array | string): Promise<ParsedMessage> {
  const bytes = typeof raw === 'string' ? new TextEncoder().encode(raw) : raw;
  if (bytes.byteLength === 0 || !/\S/.test(latin1(bytes.subarray(0, 4096))))
    throw new MalformedMessageError('empty message');
  if (bytes.byteLength > MAX_RAW_MESSAGE_BYTES)
    throw new MalformedMessageError(
      `message of ${bytes.byteLength} bytes exceeds ${MAX_RAW_MESSAGE_BYTES}`,
    );
  checkHeaderSection(bytes);
  const { input, cutBodyBytes } = cutLongSinglePartBody(bytes);

  let email: Email;
  try {
    email = await PostalMime.parse(input, {
      attachmentEncoding: 'arraybuffer',
      forceRfc822Attachments: true,
    });
  } catch (error) {
    throw new MalformedMessageError(
      `MIME parse failed (${error instanceof Error ? error.message.slice(0, 120) : 'unknown error'})`,
      { cause: error },
    );
  }

  const headers = new Map<string, string[]>();
  for (const header of email.headers) {
    const list = headers.get(header.key) ?? [];
    list.push(header.value);
    headers.set(header.key, list);
  }
  const contentType = (headers.get('content-type')?.[0] ?? 'text/plain').toLowerCase();
  const isReport = contentType.startsWith('multipart/report');
  const from = firstMailbox(email.from, true);
  if (!from && !mayLackFrom(headers, email, isReport))
    throw new MalformedMessageError('no From address');

  let deliveryStatus: string | undefined;
  let returnedHeaders: string | undefined;
  let feedbackReport: string | undefined;
  const attachments: AttachmentMetadata[] = [];
  for (const attachment of email.attachments) {
    const type = attachment.mimeType.toLowerCase();
    const content = attachment.content;
    if (type === 'message/delivery-status' || type === 'message/global-delivery-status') {
      deliveryStatus = (deliveryStatus ? `${deliveryStatus}\n` : '') + contentText(content);
      continue;
    }
    if (type === 'message/feedback-report') {
      feedbackReport = (feedbackReport ? `${feedbackReport}\n` : '') + contentText(content);
      continue;
    }
    if (
      type === 'message/rfc822' ||
      type === 'text/rfc822-headers' ||
      type === 'message/rfc822-headers'
    ) {
      returnedHeaders ??= headerSectionOf(contentText(content, 64 * 1024));
      if (isReport || type !== 'message/rfc822') continue;
    }
    if (REPORT_PART_TYPES.has(type)) continue;
    attachments.push({
      ...(attachment.filename ? { name: attachment.filename } : {}),
      type,
      size:
        typeof content === 'string'
          ? new TextEncoder().encode(content).byteLength
          : content.byteLength,
      inline: attachment.disposition === 'inline' || attachment.related === true,
    });
  }

  const plain = email.text?.trim() ? email.text : undefined;
  const html = email.html?.trim() ? email.html : undefined;
  // A body whose MIME structure yields no text (a boundary that never appears) is read as text.
  const fallback = plain || html || email.attachments.length > 0 ? undefined : rawBodyText(input);
  const fullText = (plain ?? (html ? htmlToText(html) : (fallback ?? ''))).replace(/\r\n?/g, '\n');
  const text = fullText.slice(0, MAX_CLASSIFIED_TEXT_CHARS);
  const date =
    email.date && !Number.isNaN(Date.parse(email.date))
      ? new Date(email.date).toISOString()
      : undefined;
  const messageId = normalizeMessageId(email.messageId);

  return {
    headers,
    ...(from ? { from } : {}),
    replyTo: mailboxes(email.replyTo),
    to: mailboxes(email.to),
    cc: mailboxes(email.cc),
    subject: (email.subject ?? '').replace(/\s+/g, ' ').trim(),
    ...(messageId ? { messageId } : {}),
    inReplyTo: parseMessageIdList(email.inReplyTo),
    references: parseMessageIdList(email.references),
    ...(date ? { date } : {}),
    text,
    textTruncated: cutBodyBytes !== undefined || fullText.length > text.length,
    textChars: cutBodyBytes ?? fullText.length,
    bodySource: plain || fallback?.trim() ? 'text' : html ? 'html' : 'none',
    contentType,
    attachments,
    ...(deliveryStatus !== undefined ? { deliveryStatus } : {}),
    ...(returnedHeaders !== undefined ? { returnedHeaders } : {}),
    ...(feedbackReport !== undefined ? { feedbackReport } : {}),
    sizeBytes: bytes.byteLength,
  };
}

const HEADER_LIKE = /^\s*\*?(?:from|sent|to|cc|date|subject|reply-to)\*?:\s/i;

/**
 * Joins hard-wrapped lines of plain-text paragraphs (clients wrap at 66-78 columns, so one sentence
 * spans lines): a line of 55+ characters is joined with the next non-blank, unquoted line. Short
 * lines (greetings, signatures, lists) are left alone. Used before sentence-level rules.
 */
export function unwrapParagraphs(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  for (const line of lines) {
    const previous = out[out.length - 1];
    if (
      previous !== undefined &&
      previous.trimEnd().length >= 55 &&
      !/^\s*>/.test(previous) &&
      !/:\s*$/.test(previous) &&
      !HEADER_LIKE.test(previous) &&
      !HEADER_LIKE.test(line) &&
      line.trim() !== '' &&
      !/^\s*(?:>|[-*•]\s|\d+[.)]\s|-- ?$|_{5,}|-{5,})/.test(line)
    ) {
      out[out.length - 1] = `${previous.trimEnd()} ${line.trim()}`;
      continue;
    }
    out.push(line);
  }
  return out.join('\n');
}

/** The first value of a header (lower-case name), or `undefined`. */
export function headerValue(
  message: Pick<ParsedMessage, 'headers'>,
  name: string,
): string | undefined {
  return message.headers.get(name.toLowerCase())?.[0];
}

function checkHeaderSection(bytes: Uint8Array): void {
  const head = latin1(bytes.subarray(0, 256 * 1024));
  const end = head.search(/\r?\n\r?\n/);
  const section = end < 0 ? head : head.slice(0, end);
  if (section.includes('\u0000')) throw new MalformedMessageError('NUL byte in the header section');
  const lines = section.split(/\r?\n/).filter((line) => line !== '');
  let index = 0;
  if (/^From \S/.test(lines[0] ?? '')) index = 1; // an mbox separator line
  const first = lines[index] ?? '';
  if (!/^[\x21-\x39\x3b-\x7e]+[ \t]*:/.test(first))
    throw new MalformedMessageError('no header section');
  const fields = lines.slice(index).filter((line) => !/^[ \t]/.test(line));
  const invalid = fields.filter((line) => !/^[\x21-\x39\x3b-\x7e]+[ \t]*:/.test(line)).length;
  if (invalid > 0 && invalid * 2 >= fields.length)
    throw new MalformedMessageError(
      `header section unreadable (${invalid} of ${fields.length} lines are not header fields)`,
    );
}

/**
 * Cuts the body of a large single-part `text/*` message (no multipart structure to keep) at a line
 * boundary after {@link MAX_PARSED_TEXT_BODY_BYTES}; returns the original bytes otherwise.
 */
function cutLongSinglePartBody(bytes: Uint8Array): { input: Uint8Array; cutBodyBytes?: number } {
  if (bytes.byteLength <= MAX_PARSED_TEXT_BODY_BYTES * 2) return { input: bytes };
  const head = latin1(bytes.subarray(0, 256 * 1024));
  const match = /\r?\n\r?\n/.exec(head);
  if (!match) return { input: bytes };
  const bodyStart = match.index + match[0].length;
  const contentType =
    /^content-type:[ \t]*([^;\r\n]*)/im
      .exec(head.slice(0, match.index))?.[1]
      ?.trim()
      .toLowerCase() ?? 'text/plain';
  if (!contentType.startsWith('text/')) return { input: bytes };
  const bodyBytes = bytes.byteLength - bodyStart;
  if (bodyBytes <= MAX_PARSED_TEXT_BODY_BYTES) return { input: bytes };
  let end = bodyStart + MAX_PARSED_TEXT_BODY_BYTES;
  while (end > bodyStart && bytes[end - 1] !== 0x0a) end -= 1;
  return {
    input: bytes.subarray(0, end > bodyStart ? end : bodyStart + MAX_PARSED_TEXT_BODY_BYTES),
    cutBodyBytes: bodyBytes,
  };
}

function rawBodyText(bytes: Uint8Array): string {
  const head = latin1(bytes.subarray(0, 256 * 1024));
  const match = /\r?\n\r?\n/.exec(head);
  if (!match) return '';
  const body = bytes.subarray(
    match.index + match[0].length,
    match.index + match[0].length + MAX_CLASSIFIED_TEXT_CHARS,
  );
  return new TextDecoder('utf-8').decode(body);
}

function latin1(bytes: Uint8Array): string {
  return new TextDecoder('latin1').decode(bytes);
}

function contentText(content: ArrayBuffer | Uint8Array | string, limit = 256 * 1024): string {
  if (typeof content === 'string') return content.slice(0, limit);
  const view = content instanceof Uint8Array ? content : new Uint8Array(content);
  return new TextDecoder('utf-8').decode(view.subarray(0, limit));
}

function headerSectionOf(text: string): string {
  const end = text.search(/\r?\n\r?\n/);
  return (end < 0 ? text : text.slice(0, end)).replace(/\r\n?/g, '\n');
}

// Who sends reports: the null path, MAILER-DAEMON, postmaster, a mail delivery subsystem.
const REPORT_SENDER =
  /^\s*<?\s*>?\s*$|mailer[-_]?daemon|postmaster|mail delivery|mail administrator|system administrator|^\s*<>\s*/i;
const REPORT_SUBJECT =
  /undeliver|deliver(y|ed) (status|failure|notification|report|failed|has failed)|returned mail|failure notice|mail delivery|non[- ]?delivery|mail system error|delayed/i;

/**
 * A From-less (or null-From) message is still a message when it is a report: `multipart/report`,
 * a daemon-like or null From, a null Return-Path, or a bounce subject.
 */
function mayLackFrom(
  headers: ReadonlyMap<string, readonly string[]>,
  email: Email,
  isReport: boolean,
): boolean {
  if (isReport) return true;
  const fromHeader = headers.get('from')?.[0];
  if (fromHeader !== undefined && REPORT_SENDER.test(fromHeader)) return true;
  if (email.from && REPORT_SENDER.test(`${email.from.name ?? ''} ${email.from.address ?? ''}`))
    return true;
  if (/^\s*<\s*>\s*$/.test(headers.get('return-path')?.[0] ?? '')) return true;
  return REPORT_SUBJECT.test(email.subject ?? '');
}

function toMailAddress(
  address: string | undefined,
  name: string | undefined,
  allowDotlessHost = false,
): MailAddress | undefined {
  const normalized = address?.trim().toLowerCase();
  const shape = allowDotlessHost ? /^[^@\s]+@[^@\s.]+(\.[^@\s]+)*$/ : /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
  if (!normalized || !shape.test(normalized)) return undefined;
  const cleanName = name?.replace(/^["'\s]+|["'\s]+$/g, '').trim();
  return {
    address: normalized,
    ...(cleanName && cleanName.toLowerCase() !== normalized ? { name: cleanName } : {}),
  };
}

function firstMailbox(
  address: Address | undefined,
  allowDotlessHost = false,
): MailAddress | undefined {
  if (!address) return undefined;
  if (address.group) {
    const member = address.group[0];
    return member ? toMailAddress(member.address, member.name, allowDotlessHost) : undefined;
  }
  return toMailAddress(address.address, address.name, allowDotlessHost);
}

function mailboxes(list: Address[] | undefined): MailAddress[] {
  const result: MailAddress[] = [];
  for (const entry of list ?? []) {
    const members = entry.group ?? [entry];
    for (const member of members) {
      const mailbox = toMailAddress(member.address, member.name);
      if (mailbox && !result.some((existing) => existing.address === mailbox.address))
        result.push(mailbox);
    }
  }
  return result;
}
