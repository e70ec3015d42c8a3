import {
  agentActionOf,
  bounceTypeOf,
  legacyReasonOf,
  sisimaiReasonOf,
  type BounceAgentAction,
  type SisimaiReason,
} from './bounce-reasons.js';
import { headerValue, type ParsedMessage } from './mime.js';

/** Why a delivery failed, normalised across MTAs (coarse; see `sisimaiReason` for the fine name). */
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
  /** RFC 3464 action: failed (permanent), delayed (still trying). Success actions are never listed. */
  readonly action: 'failed' | 'delayed';
  /** Enhanced status code (RFC 3463) such as `5.1.1`, when the report carries one. */
  readonly status?: string;
  /** The remote server's words, shortened. */
  readonly diagnostic?: string;
  readonly reason: BounceReason;
  /** `hard`: the address will not work (suppress it); `soft`: try again later (full mailbox, delay, our reputation). */
  readonly bounceType: 'hard' | 'soft';
  /** The reason in Sisimai's vocabulary (`userunknown`, `mailboxfull`, `blocked` …). */
  readonly sisimaiReason: SisimaiReason;
  /** What the agent does about this recipient (see {@link BounceAgentAction}). */
  readonly agentAction: BounceAgentAction;
  /** `Original-Recipient` (or the address the failed one was expanded from), when it differs. */
  readonly originalRecipient?: string;
  /** The SMTP reply code (`550`) in the diagnostic, when there is one. */
  readonly replyCode?: string;
  /** `Remote-MTA` of the DSN, when given. */
  readonly remoteMta?: string;
}

/** What a bounce says, for the first recipient and per recipient. */
export interface BounceDetails {
  /** Every failed or delayed recipient the report names (never cut). */
  readonly recipients: readonly BouncedRecipient[];
  /** How the recipients were found: the machine-readable report, a header, or the human text. */
  readonly source:
    | 'delivery_status'
    | 'text_fields'
    | 'x_failed_recipients'
    | 'text'
    | 'returned_headers'
    | 'none';
  /** True when every listed recipient is only delayed (a warning: nothing failed yet). */
  readonly delayOnly: boolean;
}

const DAEMON_LOCAL_PART =
  /^(mailer-daemon|mailer_daemon|mailerdaemon|postmaster|post_master|mail-daemon|maildaemon|mdaemon|bounces?|mail-delivery|mailadmin|mmdf)$/i;
const DAEMON_NAME =
  /mail delivery (subsystem|system|service)|mailer[- ]?daemon|postmaster|mail (system|administrator)|system administrator|microsoft outlook|mail delivery|delivery (status|notification)/i;
const NOREPLY_LOCAL_PART = /^(no-?reply|do-?not-?reply)$/i;
const BOUNCE_SUBJECT =
  /\b(undeliverable|undelivered|undeliverd|non[- ]?deliver(able|y)|not delivered|delivery (status notification|failure|failed|has failed|notification|problem|report|error)|mail delivery (failed|failure|problem|error)|returned mail|failure notice|failed mail|mail (could not|couldn't) be delivered|delivery status notification \((failure|delay)\)|\((failure|delay)\)$|mail system error|delayed mail|warning: (could not send|message .* delayed)|message delayed|rejected|delivery (has been )?delayed|could not send message|message status|permanent error|returned to sender|returning (message )?to sender|mail failed|error sending message|mail error|delivery status)\b|メールエラー|配信(失敗|不能|エラー)|送信(失敗|エラー)|不達|エラー通知/i;
const FAILURE_PHRASE =
  /error (delivering|sending|occurred while)|failed (addresses|recipients)|no valid recipients|transcript of (the )?session follows|delivering (your )?(mail|message) to|(could ?n[o']t|can ?n[o']t|could not|cannot|was ?n[o']t|was not|were not|has not|have not|unable to) (be )?deliver|not (be )?delivered|undeliverable|deliver(y|ing)? (to .{1,80} )?(has )?failed|failed (permanently|to deliver)|permanent(ly)? (fatal )?(error|failure)|fatal errors?|did not reach|following (address(es)?|recipients?) (failed|had|was rejected|were rejected|could not)|error (has )?occurr?ed while (trying|attempting) to deliver|(message|mail) (was )?(rejected|refused|returned|bounced)|delivery (status notification|problem|failure|has been delayed|to the following)|(user|recipient) unknown|no such user|mailbox (is )?(full|unavailable)|(temporarily )?deferred|still (being )?retr|will (continue to )?(retry|try)|has not yet been delivered|returned to sender|rejected by|sorry.{0,60}(unable|couldn't|could not|not able)|remote (server|host) (returned|said|rejected)|smtp error|while talking to|message could not be sent|送信できません|配信できません|届きませんでした|宛先不明/i;
const DELAY_PHRASE =
  /\b(delay(ed)?|deferred|will (continue to |keep )?(retry|try)|still (being )?(retried|trying)|retrying|has not (yet )?been delivered|not yet been delivered|temporar(il)?y (failed|unable|deferred|rejected)|warning:|will be retried|no action is required)\b/i;
const PERMANENT_PHRASE =
  /\b(permanent(ly)?|fatal|gave up|giving up|failed permanently|will not be retried|won't be retried|could not be delivered|undeliverable|has been rejected|rejected)\b/i;
const SUCCESS_ACTIONS = new Set(['delivered', 'relayed', 'expanded']);
const ADDRESS = /[A-Za-z0-9\u00C0-\uFFFF._%+'=!#$&*/?^`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/;
const ADDRESS_GLOBAL = new RegExp(ADDRESS.source, 'g');

/**
 * True when the message is a delivery status notification about a failed or delayed delivery:
 * an RFC 3464 report (unless every recipient was delivered, relayed or expanded), an
 * `X-Failed-Recipients` header, DSN fields quoted in the text, or a mailer-daemon sender (null
 * path, `MAILER-DAEMON`, `postmaster`) with a bounce subject or failure wording. A no-reply sender
 * with both a bounce subject and failure wording counts too (carriers' notices).
 */
export function isBounce(message: ParsedMessage): boolean {
  if (isFeedbackReport(message)) return false;
  if (message.deliveryStatus !== undefined) {
    const recipients = parseDeliveryStatus(message.deliveryStatus).filter((r) => r.recipient);
    if (recipients.length > 0 && recipients.every((r) => SUCCESS_ACTIONS.has(r.action)))
      return false;
    return true;
  }
  if (/multipart\/report;.*report-type="?delivery-status/.test(message.contentType)) return true;
  if (headerValue(message, 'x-failed-recipients')) return true;
  const ses = sesNotification(message.text);
  if (ses) return ses.kind === 'Bounce';
  const notice = noticeText(message.text);
  const fields = parseDeliveryStatus(textFields(notice)).filter((r) => r.recipient);
  const subject = message.subject.replace(/^((fw|fwd|re):\s*)+/i, '');
  if (fields.length > 0 && fields.some((r) => !SUCCESS_ACTIONS.has(r.action))) return true;
  const daemon = isDaemonSender(message);
  const bounceSubject = BOUNCE_SUBJECT.test(subject);
  const failureWords = FAILURE_PHRASE.test(notice);
  if (daemon && (bounceSubject || failureWords)) return true;
  const local = message.from?.address.split('@')[0] ?? '';
  return (
    bounceSubject &&
    failureWords &&
    (NOREPLY_LOCAL_PART.test(local) || message.returnedHeaders !== undefined)
  );
}

/**
 * True for a feedback (complaint) report: ARF (`multipart/report; report-type=feedback-report` or a
 * `message/feedback-report` part), or a complaint-loop subject with the original message attached.
 */
export function isFeedbackReport(message: ParsedMessage): boolean {
  return (
    /multipart\/report;[\s\S]*report-type="?feedback-report/.test(message.contentType) ||
    message.feedbackReport !== undefined ||
    (FEEDBACK_SUBJECT.test(message.subject) && message.returnedHeaders !== undefined)
  );
}

// Pre-ARF complaint loops (Microsoft JMRP and the like) send the complained-about message attached
// under a subject such as "complaint about message from 192.0.2.1".
const FEEDBACK_SUBJECT =
  /^\s*(?:complaint about message from|abuse report|spam complaint|feedback loop report)\b/i;

/**
 * True when the sender is a mail system rather than a person: no From or a null one, a
 * `MAILER-DAEMON`/`postmaster`-style local part or display name, or a null `Return-Path`.
 */
export function isDaemonSender(message: ParsedMessage): boolean {
  if (!message.from) return true;
  const local = message.from.address.split('@')[0] ?? '';
  if (DAEMON_LOCAL_PART.test(local) || DAEMON_NAME.test(message.from.name ?? '')) return true;
  return /^\s*<\s*>\s*$/.test(headerValue(message, 'return-path') ?? '');
}

/** A raw per-recipient block of a `message/delivery-status` part. */
export interface DeliveryStatusRecipient {
  readonly recipient?: string;
  /** `failed`, `delayed`, `delivered`, `relayed` or `expanded` (inferred from the status when absent). */
  readonly action: string;
  readonly status?: string;
  readonly diagnostic?: string;
  /** The diagnostic type (`smtp`, `x-unix` …). */
  readonly diagnosticType?: string;
  readonly originalRecipient?: string;
  readonly remoteMta?: string;
}

/**
 * Parses the per-recipient fields of a `message/delivery-status` body (RFC 3464): groups separated
 * by blank lines, folded lines joined; the recipient is `Final-Recipient`, else `X-Actual-Recipient`,
 * else `Original-Recipient`; `Action`, `Status`, `Diagnostic-Code`, `Remote-MTA`. Field names are
 * case-insensitive (Exchange writes them in lower case). A missing `Action` is inferred from the
 * status class (2 → delivered, 4 → delayed, else failed).
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
    const final = addressOf(stripType(fields.get('final-recipient')));
    const actual = addressOf(stripType(fields.get('x-actual-recipient')));
    const original = addressOf(stripType(fields.get('original-recipient')));
    const recipient = final ?? actual ?? original;
    if (!recipient && !fields.has('action')) continue;
    const rawDiagnostic = fields.get('diagnostic-code');
    const diagnosticType = /^([a-z0-9-]+)\s*;/i.exec(rawDiagnostic ?? '')?.[1]?.toLowerCase();
    const diagnostic = rawDiagnostic?.replace(/^[a-z0-9-]+\s*;\s*/i, '');
    const status =
      /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(fields.get('status') ?? '')?.[1] ??
      statusIn(diagnostic ?? '');
    const declared = (fields.get('action') ?? '').toLowerCase().split(/[\s(]/)[0] ?? '';
    const action =
      declared ||
      (status?.startsWith('2') ? 'delivered' : status?.startsWith('4') ? 'delayed' : 'failed');
    const remoteMta = stripType(fields.get('remote-mta'));
    recipients.push({
      ...(recipient ? { recipient } : {}),
      action,
      ...(status ? { status } : {}),
      ...(diagnostic ? { diagnostic: diagnostic.slice(0, 500) } : {}),
      ...(diagnosticType ? { diagnosticType } : {}),
      ...(original && original !== recipient ? { originalRecipient: original } : {}),
      ...(remoteMta ? { remoteMta: remoteMta.slice(0, 200) } : {}),
    });
  }
  return recipients;
}

/**
 * Extracts every failed or delayed recipient of a bounce with status, reason (coarse and
 * Sisimai's), hard/soft verdict and agent action: from the DSN report, else DSN fields quoted in
 * the text, else `X-Failed-Recipients`, else the failure lines of the human text (Postfix/qmail
 * `<x@y>:` lines, Exim/Gmail indented address lines, Sendmail `RCPT To:<x>` transcripts,
 * "could not be delivered to x" sentences), else the returned message's `To`. Help text, the
 * returned message, our own addresses, the sender, the return path and List-* addresses never count.
 */
export function extractBounce(
  message: ParsedMessage,
  ownAddresses: readonly string[] = [],
): BounceDetails {
  // Never a failed recipient: the mailbox itself, the report's sender, the return path, List-*.
  const never = new Set([
    ...ownAddresses.map((a) => a.toLowerCase()),
    ...(message.from ? [message.from.address] : []),
    ...headerAddresses(message, [
      'return-path',
      'list-unsubscribe',
      'list-help',
      'list-post',
      'list-owner',
    ]),
    ...[...message.text.matchAll(/\bMAIL FROM:\s*<\s*([^\s<>]+@[^\s<>]+)\s*>/gi)].map((m) =>
      (m[1] ?? '').toLowerCase(),
    ),
  ]);
  // The report's To is our envelope sender: only a machine field or an SMTP-coded line may name it.
  const addressedTo = new Set(message.to.map((a) => a.address));
  const usable = (email: string | undefined): email is string => !!email && !never.has(email);
  const usableWeak = (email: string | undefined): email is string =>
    usable(email) && !addressedTo.has(email);
  const notice = noticeText(message.text);
  const noticeStatus = statusIn(notice);
  const noticeDiagnostic = diagnosticLine(notice);
  const delayedNotice =
    DELAY_PHRASE.test(`${message.subject}\n${notice}`) &&
    !PERMANENT_PHRASE.test(`${message.subject}\n${notice}`) &&
    !(noticeStatus?.startsWith('5') ?? false);

  const fromFields = (text: string | undefined, source: 'delivery_status' | 'text_fields') => {
    if (text === undefined) return undefined;
    const recipients = parseDeliveryStatus(text)
      .filter((r) => !SUCCESS_ACTIONS.has(r.action) && usable(r.recipient))
      .map((r) => {
        const block = r.recipient ? textBlockFor(notice, r.recipient) : undefined;
        return bouncedRecipient({
          email: r.recipient ?? '',
          action: r.action === 'delayed' ? 'delayed' : 'failed',
          status: r.status ?? statusIn(block ?? '') ?? noticeStatus,
          diagnostic: r.diagnostic ?? block ?? noticeDiagnostic,
          ...(r.diagnosticType ? { diagnosticType: r.diagnosticType } : {}),
          ...(r.originalRecipient ? { originalRecipient: r.originalRecipient } : {}),
          ...(r.remoteMta ? { remoteMta: r.remoteMta } : {}),
          fallbackText: notice,
        });
      });
    return recipients.length > 0 ? details(recipients, source) : undefined;
  };

  const fromReport = fromFields(message.deliveryStatus, 'delivery_status');
  if (fromReport) return fromReport;
  const ses = sesNotification(message.text);
  if (ses?.kind === 'Bounce') {
    const recipients = ses.recipients
      .filter((r) => usable(r.email))
      .map((r) =>
        bouncedRecipient({
          email: r.email,
          action: r.action === 'delayed' || ses.bounceType !== 'Permanent' ? 'delayed' : 'failed',
          status: r.status,
          diagnostic: r.diagnostic,
          fallbackText: '',
        }),
      );
    if (recipients.length > 0) return details(recipients, 'text_fields');
  }
  const quoted = fromFields(textFields(notice) || undefined, 'text_fields');
  if (quoted) return quoted;

  const failedHeader = headerValue(message, 'x-failed-recipients');
  if (failedHeader) {
    const recipients = failedHeader
      .split(/[,;\s]+/)
      .map((part) => addressOf(part))
      .filter(usable)
      .map((email) => {
        const block = textBlockFor(notice, email);
        return bouncedRecipient({
          email,
          action: delayedNotice ? 'delayed' : 'failed',
          status: statusIn(block ?? '') ?? noticeStatus,
          diagnostic: block ?? noticeDiagnostic,
          fallbackText: notice,
        });
      });
    if (recipients.length > 0) return details(recipients, 'x_failed_recipients');
  }

  const fromText = recipientsInText(notice).filter((r) =>
    r.strong && /\b[245]\d\d\b|[245]\.\d{1,3}\.\d{1,3}/.test(r.block)
      ? usable(r.email)
      : usableWeak(r.email),
  );
  if (fromText.length > 0) {
    return details(
      fromText.map((r) => {
        const status = statusIn(r.block) ?? noticeStatus;
        return bouncedRecipient({
          email: r.email,
          action: delayedNotice || (status?.startsWith('4') ?? false) ? 'delayed' : 'failed',
          status,
          diagnostic: r.block || noticeDiagnostic,
          ...(r.original ? { originalRecipient: r.original } : {}),
          fallbackText: notice,
        });
      }),
      'text',
    );
  }

  const returnedTo = /^to:\s*(.+(?:\n[ \t].+)*)$/im.exec(
    message.returnedHeaders ?? message.text.slice(notice.length),
  )?.[1];
  const returned = [...(returnedTo ?? '').matchAll(ADDRESS_GLOBAL)]
    .map((m) => m[0].toLowerCase())
    .filter(usableWeak);
  if (returned.length > 0)
    return details(
      returned.map((email) =>
        bouncedRecipient({
          email,
          action: delayedNotice ? 'delayed' : 'failed',
          status: noticeStatus,
          diagnostic: noticeDiagnostic,
          fallbackText: notice,
        }),
      ),
      'returned_headers',
    );
  return { recipients: [], source: 'none', delayOnly: delayedNotice };
}

/**
 * Maps an enhanced status code and the server's diagnostic text to the coarse legacy reason
 * (via {@link sisimaiReasonOf}).
 *
 * @example
 * normalizeBounceReason('5.1.10', '550 5.1.10 RESOLVER.ADR.RecipientNotFound'); // 'user_unknown'
 */
export function normalizeBounceReason(status: string | undefined, diagnostic = ''): BounceReason {
  return legacyReasonOf(
    sisimaiReasonOf(status, diagnostic, status?.startsWith('4') ? 'delayed' : 'failed'),
  );
}

interface SesNotification {
  readonly kind: string;
  readonly bounceType?: string;
  readonly recipients: readonly {
    email: string;
    action?: string;
    status?: string;
    diagnostic?: string;
  }[];
}

/**
 * An Amazon SES event notification delivered by mail (SNS email subscription): the JSON's
 * `notificationType` (`Bounce`, `Complaint`, `Delivery`) and its `bouncedRecipients`. Read with
 * patterns, not `JSON.parse`, because mail transport folds long JSON lines.
 */
function sesNotification(text: string): SesNotification | undefined {
  const head = text.slice(0, 64 * 1024).replace(/\\"/g, '"');
  const kind = /"notificationType"\s*:\s*"(\w+)"/.exec(head)?.[1];
  if (!kind || !/"mail"\s*:\s*\{/.test(head)) return undefined;
  const bounceType = /"bounceType"\s*:\s*"(\w+)"/.exec(head)?.[1];
  const list = /"bouncedRecipients"\s*:\s*\[([\s\S]*?)\]/.exec(head)?.[1] ?? '';
  const field = (object: string, name: string) =>
    new RegExp(`"${name}"\\s*:\\s*"([^"]*)"`).exec(object)?.[1];
  const recipients = [...list.matchAll(/\{[^{}]*\}/g)].flatMap((m) => {
    const email = addressOf(field(m[0], 'emailAddress'));
    if (!email) return [];
    const action = field(m[0], 'action');
    const status = field(m[0], 'status');
    const diagnostic = field(m[0], 'diagnosticCode');
    return [
      {
        email,
        ...(action ? { action } : {}),
        ...(status ? { status } : {}),
        ...(diagnostic ? { diagnostic } : {}),
      },
    ];
  });
  return { kind, ...(bounceType ? { bounceType } : {}), recipients };
}

interface RecipientEvidence {
  readonly email: string;
  readonly action: 'failed' | 'delayed';
  readonly status: string | undefined;
  readonly diagnostic: string | undefined;
  readonly diagnosticType?: string;
  readonly originalRecipient?: string;
  readonly remoteMta?: string;
  /** The notice's text, read for a reason when the recipient's own words name none. */
  readonly fallbackText: string;
}

function bouncedRecipient(evidence: RecipientEvidence): BouncedRecipient {
  const { email, action, status, diagnostic } = evidence;
  const block = textBlockFor(evidence.fallbackText, email);
  const given = diagnostic?.replace(/\s+/g, ' ').trim();
  // A list entry without the server's reply yields to the recipient's transcript line.
  const own =
    given && !/\b[245]\d\d\b/.test(given) && block && /\b[245]\d\d[ -]/.test(block) ? block : given;
  const reply = sessionReplyFor(evidence.fallbackText, email);
  const words = reply && own && !own.includes(reply) ? `${reply} ${own}` : own;
  const context = `${block ?? ''}\n${evidence.fallbackText.slice(0, 8000)}`;
  let sisimaiReason = sisimaiReasonOf(status, words, action, evidence.diagnosticType, context);
  // Nothing in the recipient's own words: its block of the notice, then the notice itself.
  for (const wider of [block, evidence.fallbackText.slice(0, 4000)]) {
    if (sisimaiReason !== 'undefined' && sisimaiReason !== 'onhold') break;
    if (!wider || wider === words) continue;
    const found = sisimaiReasonOf(status, wider, action, undefined, context);
    // The notice said something no rule places: Sisimai's `onhold`, not `undefined`.
    if (found !== 'undefined' && (found !== 'onhold' || sisimaiReason === 'undefined'))
      sisimaiReason = found;
  }
  const bounceType = bounceTypeOf(sisimaiReason, action, status);
  const replyCode = /\b([245]\d\d)[\s-]/.exec(words ?? '')?.[1];
  return {
    email,
    action,
    ...(status ? { status } : {}),
    ...(words ? { diagnostic: words.slice(0, 300) } : {}),
    reason: legacyReasonOf(sisimaiReason),
    bounceType,
    sisimaiReason,
    agentAction: agentActionOf(sisimaiReason, bounceType),
    ...(evidence.originalRecipient && evidence.originalRecipient !== email
      ? { originalRecipient: evidence.originalRecipient }
      : {}),
    ...(replyCode ? { replyCode } : {}),
    ...(evidence.remoteMta ? { remoteMta: evidence.remoteMta } : {}),
  };
}

function details(recipients: BouncedRecipient[], source: BounceDetails['source']): BounceDetails {
  const seen = new Set<string>();
  const unique = recipients.filter((r) => (seen.has(r.email) ? false : (seen.add(r.email), true)));
  return { recipients: unique, source, delayOnly: unique.every((r) => r.action === 'delayed') };
}

function stripType(value: string | undefined): string | undefined {
  return value?.replace(/^[a-z0-9-]+\s*;\s*/i, '');
}

function addressOf(value: string | undefined): string | undefined {
  const match = ADDRESS.exec(decodeUnitext(value ?? ''));
  if (match && /=\?|\?=/.test(match[0])) return undefined;
  // Encoded-word or quoted-printable leftovers (`=?utf-8?…`, `=40`) are never part of a local part.
  const address = match?.[0]?.replace(/^[<('"=?]+/, '').toLowerCase();
  return address && !address.startsWith('@') ? address : undefined;
}

/** RFC 6533 `utf-8` address types escape non-ASCII as `\x{HHHH}`. */
function decodeUnitext(value: string): string {
  return value.replace(/\\x\{([0-9A-Fa-f]{1,6})\}/g, (whole, hex: string) => {
    const code = parseInt(hex, 16);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

function headerAddresses(message: ParsedMessage, names: readonly string[]): string[] {
  return names.flatMap((name) =>
    (message.headers.get(name) ?? []).flatMap((value) =>
      [...value.matchAll(ADDRESS_GLOBAL)].map((m) => m[0].toLowerCase()),
    ),
  );
}

function statusIn(text: string): string | undefined {
  return /(?:^|[\s(#'"[:;,])([245]\.\d{1,3}\.\d{1,3})(?![\d.]*\d)/.exec(text)?.[1];
}

function diagnosticLine(text: string): string | undefined {
  const line = text
    .split('\n')
    .find((candidate) =>
      /\b[245]\d\d[ -]|\(#[245]\.\d+\.\d+\)|said:|remote server returned|<<< |diagnostic|reason:|error:/i.test(
        candidate,
      ),
    );
  return line?.trim();
}

// Where the returned message (or its headers) starts inside a notice's text.
const RETURNED_MESSAGE =
  /^(?:[-=_*\s]*(?:original message|this is a copy of the message|returned message|message text follows|the original message (?:headers )?(?:is|are|was)? ?(?:attached|below|follows)|below (?:this line )?is a copy|unsent message below|included is a copy|a copy of the original message|original message headers|headers of the original message|start of (?:the )?returned message|here (?:is|are) the (?:first )?(?:few )?(?:lines|headers)|message headers follow|copy of (?:the )?(?:original )?message)|-{3,}.*(?:original|returned|unsent|copy).*-{3,})/i;

/** The notice part of a bounce's text: everything before the returned message. */
function noticeText(text: string): string {
  const lines = text.split('\n');
  const end = lines.findIndex(
    (line, i) =>
      RETURNED_MESSAGE.test(line.trim()) ||
      // A returned header block starts with Received:/Return-Path: at the left margin.
      (i > 0 && /^(received|return-path):/i.test(line) && !/^[\w-]+:/.test(lines[i + 1] ?? '')),
  );
  return (end < 0 ? lines : lines.slice(0, end)).join('\n');
}

/** DSN fields (`Final-Recipient:` … `Action:`) quoted in a text part, as a delivery-status body. */
function textFields(text: string): string {
  if (
    !/^\s*(final-recipient|original-recipient)\s*:/im.test(text) ||
    !/^\s*action\s*:/im.test(text)
  )
    return '';
  return text
    .split('\n')
    .map((line) => line.replace(/^\s+(?=[A-Za-z-]+\s*:)/, ''))
    .join('\n');
}

/** The lines of `text` that talk about `email` (its line and the indented or following lines). */
function textBlockFor(text: string, email: string): string | undefined {
  const lines = text.split('\n');
  const names = (line: string) =>
    line.toLowerCase().includes(email) &&
    !/^\s*(?:final|original|x-actual)-recipient\s*:/i.test(line);
  // A transcript line (Sendmail `<x>... Deferred: …`, `553 5.3.0 <x>... No such user`) is the
  // recipient's own diagnostic; prefer it to a bare list entry.
  const transcript = lines.findIndex(
    (line) => names(line) && /\.\.\.\s*\S|\b[45]\d\d[ -]/.test(line.replace(email, '')),
  );
  const index = transcript >= 0 ? transcript : lines.findIndex(names);
  if (index < 0) return undefined;
  return blockFrom(lines, index);
}

/**
 * The remote reply (`<<< 501 …`) that a Sendmail transcript section ("while talking to X:",
 * `>>> CMD`, `<<< reply`) gave just before the recipient's own verdict line: the real diagnostic.
 */
function sessionReplyFor(text: string, email: string): string | undefined {
  const lines = text.split('\n');
  const index = lines.findIndex(
    (line) => line.toLowerCase().includes(`${email}>...`) && /^\s*[245]\d\d\s/.test(line),
  );
  for (let i = index - 1; index > 0 && i >= Math.max(0, index - 4); i -= 1) {
    const line = (lines[i] ?? '').trim();
    if (line.startsWith('<<< ')) return line.slice(4).trim();
    if (!line.startsWith('>>> ')) return undefined;
  }
  return undefined;
}

function blockFrom(lines: readonly string[], index: number): string {
  const block = [lines[index] ?? ''];
  for (let i = index + 1; i < Math.min(lines.length, index + 8); i += 1) {
    const line = lines[i] ?? '';
    if (line.trim() === '') {
      if (block.length > 1) break;
      continue;
    }
    if (ADDRESS.test(line) && /^\s*<?[^\s@<>]+@/.test(line) && i > index) break;
    // Another recipient's or host's verdict in a Sendmail transcript (`554 <y@z>... `, `550 host (smtp)... `).
    if (/^\s*[245]\d\d\s+(?:<[^\s<>]+>|\S+ \(\w+\))\.\.\./.test(line)) break;
    block.push(line);
  }
  return block.join(' ').replace(/\s+/g, ' ').trim();
}

// An address a help sentence offers ("please contact <x>", "send mail to postmaster@…").
const HELP_CONTEXT =
  /contact|assistance|questions?|help ?desk|for (?:further|more) (?:information|help)|please (?:send|write|mail|forward|reply)|send (?:mail|an email|a message) to|mailto:|inquir|visit|administrator at|support at|問い合わせ|ご連絡/i;
// "could not be delivered to x" and friends, the sentence form of a failure line.
const FAILURE_SENTENCE =
  /(?:deliver(?:ed|y)?|reach(?:ed)?|sen[dt]|relay(?:ed)?|forward(?:ed)?|rejected|refused|failed|failure|not found|unknown|error|recipients?|addresse[es]?|destinations?|mailbox(?:es)?|user|宛先)[^.\n]{0,80}?(?:to|for|:|-|recipients?|address(?:es)?)?\s*[:\s]\s*<?$|(?:to|for)\s*:?\s*$/i;

// "Unknown user: x@y", "Failed recipient: x@y" — a failure label naming the address.
const FAILURE_LABEL =
  /unknown|invalid|fail|reject|refus|undeliver|not found|bad|recipient|address|mailbox|user|error|destination|rcpt/i;
const HEADER_LABEL =
  /^(from|to|cc|bcc|reply-to|sender|return-path|subject|date|x-[\w-]+|delivered-to|envelope-to)$/i;

interface TextRecipient {
  readonly email: string;
  /** Found on a line that begins with it or in `RCPT TO:` (not merely mentioned in a reply). */
  readonly strong: boolean;
  readonly block: string;
  readonly original?: string;
}

/**
 * Recipients named in a bounce's human text, in order of appearance: lines that begin with an
 * address (`<x@y>: …` Postfix/qmail, `x@y: 550 …` OpenSMTPD, indented `x@y` Exim/Gmail/Exchange
 * lists, `x@y on <date>`), SMTP transcripts (`RCPT To:<x@y>`, `550 <x@y>... User unknown`) and
 * failure sentences ending in the address. Addresses offered in help sentences never count.
 */
function recipientsInText(text: string): TextRecipient[] {
  const lines = text.split('\n');
  const found: TextRecipient[] = [];
  const add = (email: string | undefined, index: number, original?: string, strong = false) => {
    if (!email || found.some((r) => r.email === email)) return;
    const line = lines[index] ?? '';
    const before = line.slice(0, Math.max(0, line.toLowerCase().indexOf(email)));
    if (
      HELP_CONTEXT.test(before) ||
      (HELP_CONTEXT.test(lines[index - 1] ?? '') && !FAILURE_PHRASE.test(lines[index - 1] ?? ''))
    )
      return;
    found.push({
      email,
      strong,
      block: blockFrom(lines, index),
      ...(original && original !== email ? { original } : {}),
    });
  };
  lines.forEach((line, index) => {
    const leading =
      /^\s*(?:[-*>]\s*)?<?([^\s<>@():;,"]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)>?(.*)$/.exec(line);
    if (leading) {
      const rest = leading[2] ?? '';
      const expanded = /expanded from <?([^\s<>]+@[^\s<>)]+)>?/i.exec(rest)?.[1]?.toLowerCase();
      const previous = lines.slice(Math.max(0, index - 3), index).join(' ');
      const next = lines.slice(index + 1, index + 3).join(' ');
      const recipientLine =
        /^\s*(?::|\.\.\.|\s+on\s|\s*\(|\s*[245]\d\d\b|\s*-|\s*$|\s+\S.*(?:said|error|unknown|failed|rejected|refused|denied|invalid|full|not))/i.test(
          rest,
        ) || rest.trim() === '';
      const context =
        FAILURE_PHRASE.test(previous) ||
        FAILURE_PHRASE.test(next) ||
        /:\s*$/.test(lines[index - 1] ?? '') ||
        /^\s*[:(]/.test(rest) ||
        /[245]\d\d/.test(rest);
      const alone =
        rest.trim() === '' &&
        !/[\w)]\s*$/.test(line.slice(0, line.indexOf(leading[1] ?? '')).replace(/[<\s>*-]+$/, ''));
      if (recipientLine && (rest.trim() !== '' || context || alone))
        add(addressOf(leading[1]), index, expanded, true);
    }
    const labelled =
      /^\s*([A-Za-z][A-Za-z ()'-]{2,40}):\s*<?([^\s<>@]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)>?\s*$/.exec(
        line,
      );
    if (labelled && !HEADER_LABEL.test(labelled[1] ?? '') && FAILURE_LABEL.test(labelled[1] ?? ''))
      add(addressOf(labelled[2]), index);
    for (const match of line.matchAll(/\bRCPT TO:\s*<?([^\s<>]+@[^\s<>]+)>?/gi))
      add(addressOf(match[1]), index, undefined, true);
    for (const match of line.matchAll(/\b[45]\d\d[ -](?:[45]\.\d+\.\d+\s+)?<([^\s<>]+@[^\s<>]+)>/g))
      add(addressOf(match[1]), index);
    for (const match of line.matchAll(/<([^\s<>]+@[^\s<>]+)>\.\.\.\s/g))
      add(addressOf(match[1]), index);
    const sentence = new RegExp(
      `(${FAILURE_PHRASE.source})[^\\n]{0,60}?<?(${ADDRESS.source})>?`,
      'i',
    ).exec(line);
    if (sentence) add(addressOf(sentence[sentence.length - 1]), index);
    if (
      FAILURE_SENTENCE.test(line) &&
      FAILURE_PHRASE.test(lines.slice(Math.max(0, index - 1), index + 1).join(' '))
    ) {
      const nextLine = lines.slice(index + 1, index + 3).find((l) => l.trim() !== '') ?? '';
      const nextIndex = lines.indexOf(nextLine, index + 1);
      const inline = new RegExp(`^\\s*<?(${ADDRESS.source})>?`).exec(nextLine);
      if (inline) add(addressOf(inline[1]), nextIndex);
    }
  });
  return found;
}
