import type { MessagingPack } from './messaging-pack.js';

/**
 * The content checker (DESIGN.md section 9): pure rules every draft passes before it may be
 * queued. A draft that fails is redrafted once, then replaced by the template or blocked with the
 * first failure as a named violation (`draft_<check>`).
 */

/** The checks, in the order they are reported. */
export const CONTENT_CHECKS = [
  'forbidden_claim',
  'spam_trigger',
  'unsubscribe_missing',
  'footer_missing',
  'length',
  'placeholder',
  'recipient_name',
  'unsupported_number',
] as const;
export type ContentCheck = (typeof CONTENT_CHECKS)[number];

/** The violation type a failed check is audited and reported under. */
export type DraftViolationType = `draft_${ContentCheck}`;

/** The violation type of a failed check. */
export function draftViolationType(check: ContentCheck): DraftViolationType {
  return `draft_${check}`;
}

/**
 * Phrases that trip spam filters or read as pressure selling (seeds: "no spam trigger words").
 * Matched case-insensitively as whole words.
 */
export const SPAM_TRIGGER_PHRASES: readonly string[] = [
  'act now',
  'limited time',
  'click here',
  'buy now',
  'order now',
  '100% free',
  'free money',
  'risk-free',
  'no obligation',
  'winner',
  'congratulations',
  'urgent',
  'once in a lifetime',
  'cash bonus',
  'double your',
  'earn money',
  'special promotion',
  'exclusive deal',
  'this is not spam',
];

/** What the checker looks at. */
export interface ContentCheckInput {
  readonly subject: string;
  /** The draft's paragraphs as written (the pack's footer, when any, is the last one). */
  readonly paragraphs: readonly string[];
  /** The plain-text email exactly as the envelope renders it (footer and unsubscribe line included). */
  readonly renderedText: string;
  /** The unsubscribe link the envelope was rendered with. */
  readonly unsubscribeUrl: string;
  readonly pack: MessagingPack;
  /** The recipient's first name as the contact record has it; absent when unknown. */
  readonly recipientFirstName?: string | undefined;
  /**
   * Every text the draft may take numbers and dates from (the prompt's context values, the
   * tenant's name, the pack's text). A number or date in the draft that is not in here fails.
   */
  readonly facts: readonly string[];
}

/** One failed check, with what tripped it. */
export interface ContentFailure {
  readonly check: ContentCheck;
  readonly detail: string;
}

/** The checker's verdict. */
export interface ContentVerdict {
  readonly passed: boolean;
  /** Failures in {@link CONTENT_CHECKS} order; empty when the draft passed. */
  readonly failures: readonly ContentFailure[];
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function phraseMatcher(phrase: string): RegExp {
  const start = /^\w/.test(phrase) ? '\\b' : '';
  const end = /\w$/.test(phrase) ? '\\b' : '';
  return new RegExp(`${start}${escapeRegExp(phrase)}${end}`, 'i');
}

function firstPhraseIn(text: string, phrases: readonly string[]): string | undefined {
  return phrases.find((phrase) => phraseMatcher(phrase).test(text));
}

const PLACEHOLDER_PATTERN =
  /\{\{[^}]*\}\}|\{\s*[A-Za-z_]+\s*\}|\[(?:first[ _-]?name|last[ _-]?name|name|company|your name|recipient|date|insert[^\]]*)\]|<(?:FIRST_?NAME|NAME|COMPANY)>|\bTODO\b|\bTBD\b|lorem ipsum/i;

const GREETING_PATTERN =
  /^\s*(?:hi|hello|hey|dear|good (?:morning|afternoon|evening))\b[ \t]*([^,!\n:]*)[,!:]/i;
const GENERIC_ADDRESSEES = new Set(['', 'there', 'team', 'all', 'everyone', 'folks']);

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const DATE_WORD_PATTERN = new RegExp(`\\b(${[...MONTHS, ...WEEKDAYS].join('|')})\\b`, 'gi');
const NUMBER_PATTERN = /\d(?:[\d,.:/-]*\d)?/g;

/** A number as compared: digits and separators only, thousands commas and trailing zeros of decimals dropped. */
function normalizeNumber(raw: string): string {
  const noCommas = raw.replace(/,(?=\d{3}\b)/g, '');
  return /^\d+\.\d+$/.test(noCommas) ? noCommas.replace(/\.?0+$/, '') : noCommas;
}

/** The numbers (and month/weekday names) a text states. */
export function statedFigures(text: string): string[] {
  const numbers = [...text.matchAll(NUMBER_PATTERN)].map((match) => normalizeNumber(match[0]));
  const words = [...text.matchAll(DATE_WORD_PATTERN)].map((match) =>
    (match[1] as string).toLowerCase(),
  );
  return [...numbers, ...words];
}

function countWords(paragraphs: readonly string[]): number {
  return paragraphs.join(' ').split(/\s+/).filter(Boolean).length;
}

/**
 * Runs every check on a draft. Pure; the same input always gives the same verdict.
 *
 * @example
 * const verdict = checkContent({ subject, paragraphs, renderedText, unsubscribeUrl, pack, recipientFirstName: 'Dana', facts });
 * if (!verdict.passed) redraft(verdict.failures.map((f) => f.check));
 */
export function checkContent(input: ContentCheckInput): ContentVerdict {
  const { pack } = input;
  const footer = pack.requiredFooter.trim();
  const written =
    footer !== '' && input.paragraphs.at(-1)?.trim() === footer
      ? input.paragraphs.slice(0, -1)
      : input.paragraphs;
  const writtenText = [input.subject, ...written].join('\n');
  const failures: ContentFailure[] = [];

  const claim = firstPhraseIn(writtenText, pack.forbiddenClaims);
  if (claim) failures.push({ check: 'forbidden_claim', detail: `contains "${claim}"` });

  const spam = firstPhraseIn(writtenText, SPAM_TRIGGER_PHRASES);
  const letters = input.subject.replace(/[^A-Za-z]/g, '');
  if (spam) failures.push({ check: 'spam_trigger', detail: `contains "${spam}"` });
  else if (/[!?]{2,}|\$\$/.test(writtenText))
    failures.push({ check: 'spam_trigger', detail: 'repeated !, ? or $' });
  else if (letters.length >= 6 && letters === letters.toUpperCase())
    failures.push({ check: 'spam_trigger', detail: 'subject in capitals' });

  if (!input.renderedText.includes(input.unsubscribeUrl))
    failures.push({ check: 'unsubscribe_missing', detail: 'no unsubscribe link in the email' });
  if (footer !== '' && !input.renderedText.includes(footer))
    failures.push({ check: 'footer_missing', detail: 'the required footer is missing' });

  const words = countWords(written);
  if (input.subject.trim() === '' || input.subject.length > pack.length.maxSubjectChars)
    failures.push({
      check: 'length',
      detail: `subject of ${input.subject.length} characters (1-${pack.length.maxSubjectChars})`,
    });
  else if (words < pack.length.minWords || words > pack.length.maxWords)
    failures.push({
      check: 'length',
      detail: `${words} words (${pack.length.minWords}-${pack.length.maxWords})`,
    });

  const placeholder = PLACEHOLDER_PATTERN.exec(input.renderedText);
  if (placeholder)
    failures.push({ check: 'placeholder', detail: `leftover "${placeholder[0].slice(0, 40)}"` });

  const greeting = GREETING_PATTERN.exec(written[0] ?? '');
  const addressee = greeting?.[1]?.trim() ?? '';
  if (greeting && !GENERIC_ADDRESSEES.has(addressee.toLowerCase())) {
    const expected = input.recipientFirstName?.toLowerCase();
    if (addressee.toLowerCase() !== expected)
      failures.push({
        check: 'recipient_name',
        detail: expected
          ? `greets "${addressee}", the recipient is "${input.recipientFirstName}"`
          : `greets "${addressee}", the recipient's name is unknown`,
      });
  }

  const allowed = new Set(statedFigures(input.facts.join('\n')));
  const unsupported = statedFigures(writtenText).find((figure) => !allowed.has(figure));
  if (unsupported)
    failures.push({
      check: 'unsupported_number',
      detail: `"${unsupported}" is not in the context`,
    });

  return { passed: failures.length === 0, failures };
}
