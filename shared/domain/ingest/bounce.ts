import { headerValue, type ParsedMessage } from './mime.js';

/** Why a delivery failed, normalised across MTAs. */
export const BOUNCE_REASONS = [
  'user_unknown',
  'over_quota',
  'domain_error',
  'spam_block',
  'other',
] as const;
export type BounceReason = (typeof BOUNCE_REASONS)[number];

/** One recipient a delivery status notification reports on. */
export interface BouncedRecipient {
  /** Lower-cased address. */
  readonly email: string;
  /** RFC 3464 action: failed (permanent), delayed (still trying) … */
  readonly action: 'failed' | 'delayed';
  /** Enhanced status code (RFC 3463) such as `5.1.1`, when the report carries one. */
  readonly status?: string;
  /** The remote server's words, shortened. */
  readonly diagnostic?: string;
  readonly reason: BounceReason;
  /** `hard`: the address will not work (suppress it); `soft`: try again later (full mailbox, delay, our reputation). */
  readonly bounceType: 'hard' | 'soft';
}

/** What a bounce says, for the first recipient and per recipient. */
export interface BounceDetails {
  readonly recipients: readonly BouncedRecipient[];
  /** How the recipients were found: the machine-readable report, a header, or the human text. */
  readonly source: 'delivery_status' | 'x_failed_recipients' | 'text' | 'returned_headers' | 'none';
}

const DAEMON_LOCAL_PART = /^(mailer-daemon|postmaster|mail-daemon|maildaemon|bounce[s]?|mdaemon)$/i;
const DAEMON_NAME = /mail delivery (subsystem|system)|mailer-daemon|postmaster|microsoft outlook/i;
const BOUNCE_SUBJECT =
  /^(undeliverable|undelivered mail|undeliverable mail|delivery status notification \((failure|delay)\)|mail delivery failed|returned mail|failure notice|delivery failure|non[- ]?delivery|delivery has failed|message not delivered|mail delivery failure|nondeliverable mail|delivery notification: delivery has failed)\b/i;
const SUCCESS_ACTIONS = new Set(['delivered', 'relayed', 'expanded']);

/**
 * True when the message is a delivery status notification about a failed or delayed delivery:
 * a `multipart/report; report-type=delivery-status`, an `X-Failed-Recipients` header, or a
 * bounce-style subject (Gmail, Exchange, Postfix, qmail) from a mailer daemon. A report that only
 * says "delivered" is not a bounce.
 */
export function isBounce(message: ParsedMessage): boolean {
  if (message.deliveryStatus !== undefined) {
    const recipients = parseDeliveryStatus(message.deliveryStatus);
    if (recipients.length > 0 && recipients.every((r) => SUCCESS_ACTIONS.has(r.action)))
      return false;
    return true;
  }
  if (/multipart\/report;.*report-type="?delivery-status/.test(message.contentType)) return true;
  if (headerValue(message, 'x-failed-recipients')) return true;
  const subject = message.subject.replace(/^(fw|fwd):\s*/i, '');
  if (!BOUNCE_SUBJECT.test(subject)) return false;
  const local = message.from?.address.split('@')[0] ?? '';
  return (
    DAEMON_LOCAL_PART.test(local) ||
    DAEMON_NAME.test(message.from?.name ?? '') ||
    /^undeliverable:/i.test(subject)
  );
}

/** A raw per-recipient block of a `message/delivery-status` part. */
export interface DeliveryStatusRecipient {
  readonly recipient?: string;
  readonly action: string;
  readonly status?: string;
  readonly diagnostic?: string;
}

/**
 * Parses the per-recipient fields of a `message/delivery-status` body (RFC 3464): groups separated
 * by blank lines, folded lines joined, `Final-Recipient` (or `Original-Recipient`), `Action`,
 * `Status` and `Diagnostic-Code`. Field names are case-insensitive (Exchange writes them in lower case).
 */
export function parseDeliveryStatus(text: string): DeliveryStatusRecipient[] {
  const groups = text.replace(/\r\n?/g, '\n').split(/\n[ \t]*\n/);
  const recipients: DeliveryStatusRecipient[] = [];
  for (const group of groups) {
    const fields = new Map<string, string>();
    for (const line of group.replace(/\n[ \t]+/g, ' ').split('\n')) {
      const match = /^([A-Za-z-]+)\s*:\s*(.*)$/.exec(line.trim());
      if (match?.[1] && !fields.has(match[1].toLowerCase()))
        fields.set(match[1].toLowerCase(), (match[2] ?? '').trim());
    }
    const recipientField = fields.get('final-recipient') ?? fields.get('original-recipient');
    if (!recipientField && !fields.has('action')) continue;
    const recipient = addressOf(recipientField?.replace(/^[a-z0-9-]+\s*;\s*/i, ''));
    const status = /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(fields.get('status') ?? '')?.[1];
    const diagnostic = fields.get('diagnostic-code')?.replace(/^[a-z0-9-]+\s*;\s*/i, '');
    recipients.push({
      ...(recipient ? { recipient } : {}),
      action: (fields.get('action') ?? 'failed').toLowerCase().split(/[\s(]/)[0] ?? 'failed',
      ...(status ? { status } : {}),
      ...(diagnostic ? { diagnostic: diagnostic.slice(0, 300) } : {}),
    });
  }
  return recipients;
}

/**
 * Extracts the failed recipients of a bounce with status and normalised reason: from the DSN
 * report, else `X-Failed-Recipients`, else the human-readable text (Gmail, Exchange, Postfix,
 * qmail wordings), else the returned message's `To`. `ownAddresses` (the mailbox itself) are never
 * reported as failed recipients.
 */
export function extractBounce(
  message: ParsedMessage,
  ownAddresses: readonly string[] = [],
): BounceDetails {
  const excluded = new Set([
    ...ownAddresses.map((a) => a.toLowerCase()),
    ...(message.from ? [message.from.address] : []),
    ...message.to.map((a) => a.address),
  ]);
  const usable = (email: string | undefined): email is string =>
    !!email && !excluded.has(email) && !DAEMON_LOCAL_PART.test(email.split('@')[0] ?? '');
  const textStatus = statusIn(message.text);
  const textDiagnostic = diagnosticLine(message.text);

  if (message.deliveryStatus !== undefined) {
    const recipients = parseDeliveryStatus(message.deliveryStatus)
      .filter((r) => !SUCCESS_ACTIONS.has(r.action) && usable(r.recipient))
      .map((r) =>
        bouncedRecipient(
          r.recipient ?? '',
          r.action,
          r.status ?? statusIn(r.diagnostic ?? '') ?? textStatus,
          r.diagnostic ?? textDiagnostic,
        ),
      );
    if (recipients.length > 0) return { recipients: dedupe(recipients), source: 'delivery_status' };
  }

  const failedHeader = headerValue(message, 'x-failed-recipients');
  if (failedHeader) {
    const recipients = failedHeader
      .split(/[,;\s]+/)
      .map((part) => addressOf(part))
      .filter(usable)
      .map((email) => bouncedRecipient(email, 'failed', textStatus, textDiagnostic));
    if (recipients.length > 0)
      return { recipients: dedupe(recipients), source: 'x_failed_recipients' };
  }

  const fromText = recipientsInText(message.text).filter(usable);
  if (fromText.length > 0) {
    const delayed =
      /\b(delay(ed)?|will (continue to )?(retry|try)|still trying)\b/i.test(
        message.subject + message.text,
      ) &&
      (textStatus?.startsWith('4') ?? true);
    return {
      recipients: dedupe(
        fromText.map((email) =>
          bouncedRecipient(email, delayed ? 'delayed' : 'failed', textStatus, textDiagnostic),
        ),
      ),
      source: 'text',
    };
  }

  const returnedTo = /^to:\s*(.+)$/im.exec(message.returnedHeaders ?? '')?.[1];
  const returned = (returnedTo?.split(',') ?? []).map((part) => addressOf(part)).filter(usable);
  if (returned.length > 0)
    return {
      recipients: dedupe(
        returned.map((email) => bouncedRecipient(email, 'failed', textStatus, textDiagnostic)),
      ),
      source: 'returned_headers',
    };
  return { recipients: [], source: 'none' };
}

/**
 * Maps an enhanced status code and the server's diagnostic text to a normalised reason. The code
 * decides when it is specific (x.1.1 unknown user, x.2.2 full mailbox, x.4.4 unroutable domain,
 * x.7.x policy/spam); otherwise the wording does (Gmail, Exchange, Postfix, qmail phrasings).
 *
 * @example
 * normalizeBounceReason('5.1.10', '550 5.1.10 RESOLVER.ADR.RecipientNotFound'); // 'user_unknown'
 */
export function normalizeBounceReason(status: string | undefined, diagnostic = ''): BounceReason {
  const text = diagnostic.toLowerCase();
  if (SPAM_TEXT.test(text)) return 'spam_block';
  if (status) {
    const [, subject, detail] = status.split('.');
    const code = `${subject}.${detail}`;
    if (subject === '7') return 'spam_block';
    if (code === '2.2' || (code === '2.3' && /quota|full|storage/.test(text))) return 'over_quota';
    if (['1.1', '1.10', '1.0', '1.6', '2.1', '1.3'].includes(code) && !DOMAIN_TEXT.test(text))
      return 'user_unknown';
    if (['1.2', '4.4', '4.0', '1.8', '4.3'].includes(code)) return 'domain_error';
  }
  if (QUOTA_TEXT.test(text)) return 'over_quota';
  if (DOMAIN_TEXT.test(text)) return 'domain_error';
  if (USER_TEXT.test(text)) return 'user_unknown';
  return 'other';
}

const SPAM_TEXT =
  /\bspam\b|\bblock(ed|list)\b|\bblacklist|\bblock list\b|\bspamhaus\b|\breputation\b|\bdmarc\b|content (filter|rejected)|rejected (as|for) (spam|policy)|\bjunk\b|\bphish/;
const QUOTA_TEXT =
  /\bquota\b|mailbox (is )?full|insufficient (system )?storage|over ?quota|exceeded (the )?storage|mailbox size limit/;
const DOMAIN_TEXT =
  /host (or domain name )?not found|domain (name )?(not found|does ?n[o']t exist)|no mx|unrouteable|unroutable|nxdomain|name service error|dns (error|failure)|domain .{0,40}couldn't be found|unable to route/;
const USER_TEXT =
  /user unknown|unknown user|no such (user|mailbox|recipient)|does ?n[o']t exist|recipient ?not ?found|address rejected|invalid (recipient|mailbox|address)|mailbox (unavailable|not found|disabled)|no mailbox here|account (is )?(disabled|inactive)|address couldn't be found|not a valid recipient|recipient address rejected/;

function bouncedRecipient(
  email: string,
  action: string,
  status: string | undefined,
  diagnostic: string | undefined,
): BouncedRecipient {
  const reason = normalizeBounceReason(status, diagnostic);
  const delayed = action === 'delayed' || status?.startsWith('4') === true;
  const bounceType =
    delayed || reason === 'over_quota' || reason === 'spam_block' ? 'soft' : 'hard';
  return {
    email,
    action: action === 'delayed' ? 'delayed' : 'failed',
    ...(status ? { status } : {}),
    ...(diagnostic ? { diagnostic: diagnostic.replace(/\s+/g, ' ').trim().slice(0, 300) } : {}),
    reason,
    bounceType,
  };
}

function dedupe(recipients: BouncedRecipient[]): BouncedRecipient[] {
  const seen = new Set<string>();
  return recipients.filter((r) => (seen.has(r.email) ? false : (seen.add(r.email), true)));
}

function addressOf(value: string | undefined): string | undefined {
  const match = /([A-Za-z0-9._%+'=-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})/.exec(value ?? '');
  return match?.[1]?.toLowerCase();
}

function statusIn(text: string): string | undefined {
  return /(?:^|[\s(#'"])([245]\.\d{1,3}\.\d{1,3})\b/.exec(text)?.[1];
}

function diagnosticLine(text: string): string | undefined {
  const line = text
    .split('\n')
    .find((candidate) =>
      /\b[245]\d\d[ -][245]\.\d{1,3}\.\d{1,3}\b|\(#[245]\.\d+\.\d+\)|said:|remote server returned/i.test(
        candidate,
      ),
    );
  return line?.trim();
}

const FAILURE_CONTEXT =
  /wasn't delivered to|could not be delivered to|couldn't be delivered to|delivery (to the following recipients?|has failed to these recipients)|failed to these recipients|following (address(es)?|recipients?) failed|permanent(ly)? fatal errors|was not delivered to|undeliverable to|the following addresses had permanent fatal errors|could not deliver to/i;

/**
 * Recipients named in a bounce's human text: `<x@y>: …` lines (Postfix, qmail), addresses in the
 * sentence or lines after a failure phrase (Gmail, Exchange), in order of appearance.
 */
function recipientsInText(text: string): string[] {
  const lines = text.split('\n');
  const found: string[] = [];
  const add = (email: string | undefined) => {
    if (email && !found.includes(email)) found.push(email);
  };
  for (const line of lines) {
    const angle = /^\s*<([^<>\s]+@[^<>\s]+)>:?/.exec(line);
    if (angle) add(addressOf(angle[1]));
  }
  lines.forEach((line, index) => {
    if (!FAILURE_CONTEXT.test(line)) return;
    const window = lines.slice(index, index + 4).join(' ');
    const tail = window.slice(window.search(FAILURE_CONTEXT));
    for (const match of tail.matchAll(/[A-Za-z0-9._%+'=-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g))
      add(match[0].toLowerCase());
  });
  return found;
}
