/**
 * Reading a model's answer: the JSON `{ "subject", "paragraphs" }` a draft prompt asks for,
 * tolerating a code fence or prose around it. Anything else is a {@link ModelAnswerError}, which
 * the provider chain treats like a provider error (it falls back).
 */

/** A model's draft before the envelope: subject and paragraphs. */
export interface DraftText {
  readonly subject: string;
  readonly paragraphs: readonly string[];
}

/** The model's answer is not a draft. */
export class ModelAnswerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelAnswerError';
  }
}

const MAX_PARAGRAPHS = 20;
const MAX_PARAGRAPH_CHARS = 2_000;

/** Parses a model's answer into a draft; throws {@link ModelAnswerError} naming what is wrong. */
export function parseModelDraft(answer: string): DraftText {
  const start = answer.indexOf('{');
  const end = answer.lastIndexOf('}');
  if (start < 0 || end <= start) throw new ModelAnswerError('answer: no JSON object');
  let value: unknown;
  try {
    value = JSON.parse(answer.slice(start, end + 1));
  } catch {
    throw new ModelAnswerError('answer: not valid JSON');
  }
  const { subject, paragraphs } = (value ?? {}) as { subject?: unknown; paragraphs?: unknown };
  if (typeof subject !== 'string' || subject.trim() === '')
    throw new ModelAnswerError('answer.subject: expected a non-empty string');
  if (
    !Array.isArray(paragraphs) ||
    paragraphs.length === 0 ||
    paragraphs.length > MAX_PARAGRAPHS ||
    !paragraphs.every(
      (p) => typeof p === 'string' && p.trim() !== '' && p.length <= MAX_PARAGRAPH_CHARS,
    )
  )
    throw new ModelAnswerError(
      `answer.paragraphs: expected 1-${MAX_PARAGRAPHS} non-empty strings of at most ${MAX_PARAGRAPH_CHARS} characters`,
    );
  return {
    subject: subject.replace(/\s+/g, ' ').trim(),
    paragraphs: (paragraphs as string[]).map((p) => p.trim()),
  };
}
