import { stripQuotedText } from '../policy/request-classifier.js';
import type { ParsedMessage } from './mime.js';

/** How a stop request was recognised. */
export type UnsubscribeEvidence = 'one_click_mailto' | 'reply_text';

const UNSUBSCRIBE_SUBJECT = /^\s*(?:re:\s*)?(?:unsubscribe|opt[- ]?out|remove(?: me)?|stop)\b/i;
const WHOLE_MESSAGE_STOP =
  /^\s*(?:stop|unsubscribe|remove(?: me)?|opt[- ]?out|remove me from (?:this|your) list)[\s.!]*$/i;

// Phrases that ask us to stop emailing. Negated or hypothetical uses are filtered by NOT_A_STOP.
const STOP_PHRASES: readonly RegExp[] = [
  /\b(?:please\s+)?(?:unsubscribe|remove|delete|take)\s+(?:me|us|my (?:e-?mail|address))\s+(?:from|off)\b/i,
  /\b(?:please\s+)?unsubscribe\s+(?:me|us)\b/i,
  /\b(?:stop|quit|cease)\s+(?:e-?mailing|sending (?:me|us)|contacting|spamming|messaging|writing to)\s*(?:me|us)?\b/i,
  /\b(?:do not|don't|never)\s+(?:e-?mail|contact|message|write to|send (?:me|us) (?:any )?(?:more )?e-?mails?)\s*(?:me|us)?\s*(?:again|anymore|any more|in the future)\b/i,
  /\bno longer (?:wish|want) to (?:receive|hear|get)\b/i,
  /\bopt (?:me|us) out\b/i,
  /\b(?:i|we) (?:want|would like|wish|'d like) to (?:unsubscribe|opt[- ]out)\b/i,
  /\bnot interested\b.{0,40}\b(?:remove|stop|unsubscribe)\b/i,
  /\bplease stop\b/i,
];
const NOT_A_STOP =
  /\b(?:don't|do not|didn't|did not|never)\s+(?:want|wish|need|mean)\s+to\s+(?:unsubscribe|be removed|stop)\b|\bhow (?:do|can) (?:i|we) unsubscribe\b.*\?\s*$/i;

/**
 * Recognises a request to stop emailing: the message a mail client sends to a `mailto:`
 * `List-Unsubscribe` address (subject "unsubscribe", a short or client-generated body), or a reply
 * whose own text (quoted mail and our footer excluded) says "unsubscribe", "stop", "remove me from
 * your list", "don't email me again" and the like.
 */
export function detectUnsubscribe(message: ParsedMessage): UnsubscribeEvidence | undefined {
  const own = stripQuotedText(message.text);
  if (
    UNSUBSCRIBE_SUBJECT.test(message.subject) &&
    message.inReplyTo.length === 0 &&
    own.length < 400
  )
    return 'one_click_mailto';
  if (own === '') return undefined;
  const head = own.slice(0, 800);
  if (
    WHOLE_MESSAGE_STOP.test(head.split('\n').filter((line) => line.trim() !== '')[0] ?? '') &&
    head.length < 200
  )
    return 'reply_text';
  if (NOT_A_STOP.test(head)) return undefined;
  return STOP_PHRASES.some((pattern) => pattern.test(head)) ? 'reply_text' : undefined;
}
