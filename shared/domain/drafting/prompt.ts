import { redactString } from '../../observability/redaction.js';
import type { ContentCheck } from './content-check.js';
import { firstNameOf, type MessagingPack, type RecipientTier } from './messaging-pack.js';

/**
 * Prompt assembly (DESIGN.md section 9): a prompt is built only from the allow-listed fields of
 * {@link DraftContext}, each scrubbed (secret shapes, email addresses, phone numbers, URLs and
 * long token-like strings removed) and bounded. The recipient is named by first name only; no
 * address, phone or id of anyone is ever in a prompt.
 */

/** Prompt layout version; part of the mock's input and recorded with a draft. */
export const PROMPT_VERSION = 'draft-v1';

const MAX_FIELD_CHARS = 300;
const MAX_LIST_ITEMS = 5;

/** The facts a draft may be written from: the allow-list. Nothing else reaches a model. */
export interface DraftContext {
  readonly tenantName: string;
  /** The send request's template name (`check_in`, `follow_up` …). */
  readonly touchType: string;
  readonly tier: RecipientTier;
  readonly recipient: { readonly firstName?: string; readonly title?: string };
  readonly account?: { readonly name?: string; readonly industry?: string };
  /** The contact's last touches, newest first, as dates (`yyyy-MM-dd`). */
  readonly lastTouches: readonly {
    readonly direction: 'outbound' | 'inbound';
    readonly on: string;
  }[];
  /** Open items with the contact (tasks, questions), one line each. */
  readonly openItems: readonly string[];
  /** Order and deal state, one line each (`order 1042: shipped`, `deal Renewal: proposal`). */
  readonly orderAndDealState: readonly string[];
  /** A summary of the latest inbound thread, when there is one. */
  readonly inboundSummary?: string;
}

/** What a caller may offer; {@link buildDraftContext} keeps only the allow-listed parts. */
export interface DraftContextSource {
  readonly tenantName: string;
  readonly touchType: string;
  readonly tier: RecipientTier;
  readonly contact?: {
    readonly name?: string | undefined;
    readonly title?: string | undefined;
    readonly lastTouchAt?: string | undefined;
    readonly lastInboundAt?: string | undefined;
  };
  readonly account?: { readonly name?: string | undefined; readonly industry?: string | undefined };
  readonly openItems?: readonly string[];
  readonly orderAndDealState?: readonly string[];
  readonly inboundSummary?: string | undefined;
}

const EMAIL_PATTERN = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
const URL_PATTERN = /\b(?:https?:\/\/|www\.)\S+/gi;
const PHONE_PATTERN = /\+?\d[\d\s().-]{7,}\d/g;
/** Long runs of token-ish characters with a digit or `_` in them (API keys, session ids, hashes). */
const TOKEN_LIKE_PATTERN = /\b(?=[A-Za-z0-9_-]*[\d_])[A-Za-z0-9_-]{20,}\b/g;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Scrubs one free-text value for a prompt: known secrets and secret shapes (the shared redactor),
 * then addresses, URLs, phone numbers and token-like strings; collapsed whitespace; bounded.
 */
export function scrubForPrompt(text: string, maxChars = MAX_FIELD_CHARS): string {
  return redactString(text)
    .replace(EMAIL_PATTERN, '[email]')
    .replace(URL_PATTERN, '[link]')
    .replace(PHONE_PATTERN, (match) => (ISO_DATE.test(match) ? match : '[phone]'))
    .replace(TOKEN_LIKE_PATTERN, '[redacted]')
    .replace(/\[REDACTED\]/g, '[redacted]')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, maxChars);
}

function day(instant: string | undefined): string | undefined {
  return instant && /^\d{4}-\d{2}-\d{2}/.test(instant) ? instant.slice(0, 10) : undefined;
}

function lines(values: readonly string[] | undefined): string[] {
  return (values ?? [])
    .map((value) => scrubForPrompt(value, 160))
    .filter(Boolean)
    .slice(0, MAX_LIST_ITEMS);
}

/** Keeps the allow-listed fields of a source, scrubbed and bounded (PII minimised). */
export function buildDraftContext(source: DraftContextSource): DraftContext {
  const name = firstNameOf(source.contact?.name);
  const title = source.contact?.title ? scrubForPrompt(source.contact.title, 80) : undefined;
  const touches = [
    { direction: 'outbound' as const, on: day(source.contact?.lastTouchAt) },
    { direction: 'inbound' as const, on: day(source.contact?.lastInboundAt) },
  ]
    .filter((touch): touch is { direction: 'outbound' | 'inbound'; on: string } => !!touch.on)
    .sort((a, b) => b.on.localeCompare(a.on));
  const accountName = source.account?.name ? scrubForPrompt(source.account.name, 120) : undefined;
  const industry = source.account?.industry
    ? scrubForPrompt(source.account.industry, 60)
    : undefined;
  const summary = source.inboundSummary ? scrubForPrompt(source.inboundSummary) : undefined;
  return {
    tenantName: scrubForPrompt(source.tenantName, 120),
    touchType: source.touchType.replace(/[^a-z0-9_]/g, '').slice(0, 40),
    tier: source.tier,
    recipient: { ...(name ? { firstName: name } : {}), ...(title ? { title } : {}) },
    ...(accountName || industry
      ? {
          account: {
            ...(accountName ? { name: accountName } : {}),
            ...(industry ? { industry } : {}),
          },
        }
      : {}),
    lastTouches: touches,
    openItems: lines(source.openItems),
    orderAndDealState: lines(source.orderAndDealState),
    ...(summary ? { inboundSummary: summary } : {}),
  };
}

/** Every text value of a context (what a draft's numbers and dates may come from). */
export function contextFacts(context: DraftContext): string[] {
  return [
    context.tenantName,
    context.recipient.firstName ?? '',
    context.recipient.title ?? '',
    context.account?.name ?? '',
    context.account?.industry ?? '',
    ...context.lastTouches.map((touch) => touch.on),
    ...context.openItems,
    ...context.orderAndDealState,
    context.inboundSummary ?? '',
  ].filter(Boolean);
}

/** A prompt for a chat model: the instructions and the one user turn. */
export interface DraftPrompt {
  readonly version: string;
  readonly system: string;
  readonly user: string;
}

/**
 * The prompt for one draft: the pack's tone, personalization rules, forbidden claims and key
 * messages in the instructions; the context as JSON in the user turn; on a redraft, the checks
 * the previous draft failed. The model answers with JSON `{ "subject", "paragraphs" }`.
 */
export function assembleDraftPrompt(
  context: DraftContext,
  pack: MessagingPack,
  failedChecks: readonly ContentCheck[] = [],
): DraftPrompt {
  const rules = [
    `You draft one short B2B email on behalf of ${context.tenantName}. Tone: ${scrubForPrompt(pack.tone)}.`,
    'Write only from the facts given. Do not invent prices, discounts, dates, numbers or commitments.',
    'Greet the recipient by the first name given, or write "Hello," when none is given. No placeholders.',
    'Do not add an unsubscribe line or a footer; they are added for you.',
    ...pack.personalization.do.map((rule) => `Do: ${scrubForPrompt(rule, 160)}`),
    ...pack.personalization.dont.map((rule) => `Don't: ${scrubForPrompt(rule, 160)}`),
    ...(pack.forbiddenClaims.length > 0
      ? [
          `Never claim or say: ${pack.forbiddenClaims.map((c) => scrubForPrompt(c, 80)).join('; ')}.`,
        ]
      : []),
    ...(pack.keyMessages.length > 0
      ? [
          `Approved statements you may use: ${pack.keyMessages.map((m) => scrubForPrompt(m, 200)).join(' | ')}`,
        ]
      : []),
    `Between ${pack.length.minWords} and ${pack.length.maxWords} words; a subject of at most ${pack.length.maxSubjectChars} characters.`,
    'Answer with JSON only: {"subject": string, "paragraphs": string[]}, the sign-off as the last paragraphs.',
  ];
  const user = JSON.stringify({
    task: `Write the ${context.touchType} email.`,
    context,
    ...(failedChecks.length > 0
      ? { previousDraftFailed: failedChecks, instruction: 'Fix these problems.' }
      : {}),
  });
  return { version: PROMPT_VERSION, system: rules.join('\n'), user };
}
