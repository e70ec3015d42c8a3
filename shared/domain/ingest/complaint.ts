import { stripQuotedText } from '../policy/request-classifier.js';
import { headerValue, type ParsedMessage } from './mime.js';

/** A complaint or urgency signal found in a message. */
export interface ComplaintSignal {
  readonly complaint: boolean;
  readonly urgent: boolean;
  /** The words that triggered it (first match), for operators. */
  readonly matched: string;
}

const COMPLAINT =
  /\b(?:unacceptable|disappointed|disappointing|frustrat(?:ed|ing)|complain(?:t|ing)?|furious|appalled|outrageous|ridiculous|terrible (?:service|experience)|poor service|not happy|unhappy|escalat(?:e|ing|ion)|legal action|lawyer|attorney|refund|cancel (?:our|my|the) (?:account|contract|service|order)|still (?:haven't|have not|not|hasn't|has not) (?:received|heard|gotten|arrived|been)|(?:second|third|fourth|fifth|\d+(?:st|nd|rd|th)) (?:time|request|reminder) (?:i|we)|been waiting (?:for )?(?:over |more than )?(?:a|two|three|\d+) (?:days?|weeks?)|no one has (?:responded|replied|called)|nobody (?:has )?(?:responded|replied|called))\b/i;
const URGENT =
  /\b(?:urgent(?:ly)?|asap|a\.s\.a\.p\.|immediately|emergency|time[- ]sensitive|as soon as possible|right away|closing (?:is )?(?:tomorrow|today|this (?:morning|afternoon))|by end of (?:day|today)|eod today)\b/i;

/**
 * Finds a complaint (dissatisfaction, escalation, refund, "third time I ask") or urgency
 * ("urgent", "ASAP", "closing is tomorrow", `X-Priority: 1`, `Importance: high`) in the subject or
 * the writer's own text. Quoted earlier mail never counts.
 */
export function detectComplaintOrUrgency(message: ParsedMessage): ComplaintSignal | undefined {
  const own = `${message.subject.replace(/^(?:re|fw|fwd|aw|sv):\s*/gi, '')}\n${stripQuotedText(message.text)}`;
  const complaint = COMPLAINT.exec(own);
  const urgentText = URGENT.exec(own);
  const priority = headerValue(message, 'x-priority')?.trim();
  const importance = headerValue(message, 'importance')?.trim().toLowerCase();
  const urgentHeader =
    (priority !== undefined && /^[12]\b/.test(priority)) ||
    importance === 'high' ||
    /^urgent$/i.test(headerValue(message, 'priority')?.trim() ?? '');
  if (!complaint && !urgentText && !urgentHeader) return undefined;
  return {
    complaint: !!complaint,
    urgent: !!urgentText || urgentHeader,
    matched: (
      complaint?.[0] ??
      urgentText?.[0] ??
      (importance === 'high' ? 'Importance: high' : `X-Priority: ${priority ?? ''}`)
    ).trim(),
  };
}

/** An ARF feedback report (RFC 5965): a mailbox provider says a recipient complained. */
export interface FeedbackReport {
  /** `abuse`, `fraud`, `virus`, `auth-failure`, `not-spam`, `opt-out`, `other` (lower-cased). */
  readonly feedbackType: string;
  /** `Original-Rcpt-To` addresses: who complained (lower-cased), when the report names them. */
  readonly recipients: readonly string[];
  /** `Original-Mail-From`, when given. */
  readonly originalMailFrom?: string;
  /** `Reported-Domain`, `Source-IP`, `User-Agent`, when given. */
  readonly reportedDomain?: string;
  readonly sourceIp?: string;
  readonly userAgent?: string;
}

/**
 * Reads the machine part of an ARF report (`message/feedback-report`, fields case-insensitive).
 * When the part is missing, the returned message's `To` names the complainer.
 */
export function parseFeedbackReport(
  fields: string | undefined,
  returnedHeaders?: string,
): FeedbackReport {
  const values = new Map<string, string[]>();
  for (const line of (fields ?? '')
    .replace(/\r\n?/g, '\n')
    .replace(/\n[ \t]+/g, ' ')
    .split('\n')) {
    const match = /^\s*([A-Za-z-]+)\s*:\s*(.*)$/.exec(line);
    if (!match?.[1]) continue;
    const key = match[1].toLowerCase();
    values.set(key, [...(values.get(key) ?? []), (match[2] ?? '').trim()]);
  }
  const addresses = (text: string) =>
    [...text.matchAll(/[^\s<>@;,"]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g)].map((m) =>
      m[0].toLowerCase(),
    );
  let recipients = [...new Set((values.get('original-rcpt-to') ?? []).flatMap(addresses))];
  if (recipients.length === 0) {
    const to = /^to:\s*(.+)$/im.exec(returnedHeaders ?? '')?.[1];
    recipients = to ? [...new Set(addresses(to))] : [];
  }
  const first = (key: string) => values.get(key)?.[0];
  const mailFrom = first('original-mail-from');
  const domain = first('reported-domain');
  const ip = first('source-ip');
  const agent = first('user-agent');
  return {
    feedbackType: (first('feedback-type') ?? 'abuse').toLowerCase(),
    recipients,
    ...(mailFrom ? { originalMailFrom: addresses(mailFrom)[0] ?? mailFrom } : {}),
    ...(domain ? { reportedDomain: domain.toLowerCase() } : {}),
    ...(ip ? { sourceIp: ip } : {}),
    ...(agent ? { userAgent: agent.slice(0, 200) } : {}),
  };
}
