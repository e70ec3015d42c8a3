import { detectExplicitRequest } from '../policy/request-classifier.js';
import { scrubForPrompt, PROMPT_VERSION, type DraftPrompt } from './prompt.js';

/**
 * Reply analysis (issue 16, item 5): a model may summarise an inbound thread and suggest an
 * intent, for a human to review in shadow/parallel/assisted. The suggestion is recorded, never
 * acted on: whether a task may be created is decided by the deterministic explicit-request rule
 * (shared/domain/policy/request-classifier.ts) alone.
 */

/** Intents a model may suggest. */
export const REPLY_INTENTS = [
  'interested',
  'question',
  'request',
  'not_now',
  'not_interested',
  'unsubscribe',
  'other',
] as const;
export type ReplyIntent = (typeof REPLY_INTENTS)[number];

/** A model's reading of a thread. */
export interface ReplyAnalysis {
  readonly summary: string;
  readonly suggestedIntent: ReplyIntent;
}

/** What is recorded for review: the suggestion beside the rule's verdict. */
export interface ReplyReview extends ReplyAnalysis {
  readonly status: 'for_review';
  /** True only when the explicit-request rule found a request; the suggestion never sets it. */
  readonly taskAllowed: boolean;
  /** The request-classifier rule that decided `taskAllowed`. */
  readonly rule: string;
}

const THREAD_CHARS = 1_500;

/** The prompt asking for a summary and an intent; the thread is scrubbed like any prompt field. */
export function assembleReplyPrompt(thread: string): DraftPrompt {
  return {
    version: `reply-${PROMPT_VERSION}`,
    system: [
      'Summarise the customer email thread in one sentence without names, addresses or numbers.',
      `Suggest one intent from: ${REPLY_INTENTS.join(', ')}.`,
      'Answer with JSON only: {"summary": string, "intent": string}.',
    ].join('\n'),
    user: JSON.stringify({ thread: scrubForPrompt(thread, THREAD_CHARS) }),
  };
}

/** Reads a model's answer; an unknown intent becomes `other`, a missing summary is an error. */
export function parseReplyAnalysis(answer: string): ReplyAnalysis {
  const start = answer.indexOf('{');
  const end = answer.lastIndexOf('}');
  const value =
    start >= 0 && end > start ? (JSON.parse(answer.slice(start, end + 1)) as unknown) : {};
  const { summary, intent } = (value ?? {}) as { summary?: unknown; intent?: unknown };
  if (typeof summary !== 'string' || summary.trim() === '')
    throw new RangeError('answer.summary: expected a non-empty string');
  return {
    summary: scrubForPrompt(summary, 200),
    suggestedIntent: (REPLY_INTENTS as readonly unknown[]).includes(intent)
      ? (intent as ReplyIntent)
      : 'other',
  };
}

/** Pairs a model's suggestion with the explicit-request rule's verdict on the same text. */
export function reviewReply(thread: string, analysis: ReplyAnalysis): ReplyReview {
  const detection = detectExplicitRequest(thread);
  return {
    ...analysis,
    status: 'for_review',
    taskAllowed: detection.kind === 'explicit_request',
    rule: detection.rule,
  };
}

/** The deterministic mock's analysis: keyword intent and the first sentence, scrubbed. */
export function mockReplyAnswer(thread: string): string {
  const text = scrubForPrompt(thread, THREAD_CHARS).toLowerCase();
  const intent: ReplyIntent = /unsubscribe|remove me|stop (emailing|sending)/.test(text)
    ? 'unsubscribe'
    : /not interested|no thanks/.test(text)
      ? 'not_interested'
      : /next (month|quarter)|later|not right now/.test(text)
        ? 'not_now'
        : /please (send|call)|can you|could you/.test(text)
          ? 'request'
          : /\?/.test(text)
            ? 'question'
            : /interested|sounds good|let'?s/.test(text)
              ? 'interested'
              : 'other';
  const first = scrubForPrompt(thread, THREAD_CHARS).split(/(?<=[.!?])\s/)[0] ?? '';
  return JSON.stringify({ summary: first.slice(0, 160) || 'an inbound message', intent });
}
