import * as z from '../../zod.js';

/**
 * A tenant's messaging pack (DESIGN.md section 9, seeds' "approved messaging pack"): the
 * human-approved templates per touch type and recipient tier, the tone and personalization rules
 * a model is told, the forbidden claims the content checker enforces, and the footer every email
 * carries (e.g. the postal address CAN-SPAM asks for). Stored per tenant (`MESSAGING#pack`).
 */

/** Recipient tiers a template may be written for; `default` is used when no tier-specific one exists. */
export const RECIPIENT_TIERS = ['default', 'prospect', 'active', 'inactive'] as const;
export type RecipientTier = (typeof RECIPIENT_TIERS)[number];

/**
 * Placeholders a pack template may use; anything else in `{{…}}` is left in place and the content
 * checker rejects it as a leftover placeholder.
 */
export const TEMPLATE_PLACEHOLDERS = [
  'greeting',
  'firstName',
  'tenantName',
  'accountName',
  'keyMessage',
] as const;

const templateSchema = z.object({
  subject: z.string().check(z.minLength(1), z.maxLength(200)),
  /** Paragraphs, in order; the last ones are usually the sign-off. */
  body: z
    .array(z.string().check(z.minLength(1), z.maxLength(2_000)))
    .check(z.minLength(1), z.maxLength(12)),
});
/** One approved template. */
export type PackTemplate = z.output<typeof templateSchema>;

const tierTemplatesSchema = z.strictObject({
  default: templateSchema,
  prospect: z.optional(templateSchema),
  active: z.optional(templateSchema),
  inactive: z.optional(templateSchema),
});

const phraseList = z
  .array(z.string().check(z.trim(), z.minLength(2), z.maxLength(200)))
  .check(z.maxLength(200));

/** The stored pack's schema; every field has a default, so `{}` is the default pack. */
export const messagingPackSchema = z.strictObject({
  version: z._default(z.literal(1), 1),
  /** One line the model is told, e.g. "warm, concise, no jargon". */
  tone: z._default(
    z.string().check(z.minLength(1), z.maxLength(300)),
    'warm, concise and professional; plain language',
  ),
  /** Templates by touch type (the send request's `template`: `check_in`, `follow_up` …). */
  templates: z._default(
    z.record(z.string().check(z.regex(/^[a-z][a-z0-9_]{0,40}$/)), tierTemplatesSchema),
    {},
  ),
  personalization: z.prefault(
    z.strictObject({ do: z._default(phraseList, []), dont: z._default(phraseList, []) }),
    {},
  ),
  /** Approved value statements a draft may use verbatim (`{{keyMessage}}` is the first). */
  keyMessages: z._default(phraseList, []),
  /** Phrases no email may contain (case-insensitive, whole words). */
  forbiddenClaims: z._default(phraseList, []),
  /** Appended to every draft as its last paragraph; empty for none. */
  requiredFooter: z._default(z.string().check(z.maxLength(500)), ''),
  length: z.prefault(
    z.strictObject({
      minWords: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(500)), 12),
      maxWords: z._default(z.number().check(z.int(), z.minimum(10), z.maximum(1_000)), 220),
      maxSubjectChars: z._default(z.number().check(z.int(), z.minimum(10), z.maximum(200)), 90),
    }),
    {},
  ),
});

/** A messaging pack as input (a file for `agentctl messaging-pack set`). */
export type MessagingPackInput = z.input<typeof messagingPackSchema>;
/** A validated messaging pack with every default filled in. */
export type MessagingPack = z.output<typeof messagingPackSchema>;

/**
 * Today's two templates: what every tenant without a pack sends, and the template provider's
 * last fallback. Their text is the pre-drafting `email-content.ts` text.
 */
export const BUILT_IN_TEMPLATES: Readonly<Record<string, PackTemplate>> = {
  check_in: {
    subject: 'Checking in from {{tenantName}}',
    body: [
      '{{greeting}}',
      'It has been a little while since we last spoke, and I wanted to check in. Is there anything {{tenantName}} can help you with at the moment?',
      'Best regards,',
      '{{tenantName}}',
    ],
  },
  follow_up: {
    subject: 'Following up – {{tenantName}}',
    body: [
      '{{greeting}}',
      'Following up on my last note. Happy to answer any questions whenever suits you.',
      'Best regards,',
      '{{tenantName}}',
    ],
  },
};

/** The pack of a tenant that has none stored: built-in templates, no forbidden claims, no footer. */
export const DEFAULT_MESSAGING_PACK: MessagingPack = messagingPackSchema.parse({});

/** Where a field of a pack input is wrong. */
export interface PackIssue {
  readonly field: string;
  readonly message: string;
}

/** Validates a pack input; returns the pack or the first issue with its field path. */
export function parseMessagingPack(
  input: unknown,
): { ok: true; pack: MessagingPack } | { ok: false; issue: PackIssue } {
  const parsed = messagingPackSchema.safeParse(input);
  if (parsed.success) return { ok: true, pack: parsed.data };
  const issue = parsed.error.issues[0];
  return {
    ok: false,
    issue: {
      field: (issue?.path ?? []).map(String).join('.') || 'pack',
      message: issue?.message ?? 'invalid',
    },
  };
}

/**
 * The approved template for a touch type and tier: the pack's tier template, its default, then
 * the built-in one; undefined when neither the pack nor the built-ins know the touch type.
 */
export function templateFor(
  pack: MessagingPack,
  touchType: string,
  tier: RecipientTier,
): PackTemplate | undefined {
  const own = Object.hasOwn(pack.templates, touchType) ? pack.templates[touchType] : undefined;
  if (own) return own[tier] ?? own.default;
  return Object.hasOwn(BUILT_IN_TEMPLATES, touchType) ? BUILT_IN_TEMPLATES[touchType] : undefined;
}

/** The recipient tier of an account status (no account: `default`). */
export function recipientTierOf(accountStatus: string | undefined): RecipientTier {
  return accountStatus === 'prospect' || accountStatus === 'active' || accountStatus === 'inactive'
    ? accountStatus
    : 'default';
}

/** The values a template's placeholders are filled with. */
export interface TemplateValues {
  readonly tenantName: string;
  readonly firstName?: string | undefined;
  readonly accountName?: string | undefined;
  readonly keyMessage?: string | undefined;
}

/** The greeting line for a first name (`Hi Dana,`), or `Hello,` without one. */
export function greetingFor(firstName: string | undefined): string {
  return firstName ? `Hi ${firstName},` : 'Hello,';
}

/**
 * Fills a template's known placeholders. A paragraph that is only `{{keyMessage}}` or
 * `{{accountName}}` with no value is dropped; unknown placeholders are kept for the checker.
 */
export function fillTemplate(
  template: PackTemplate,
  values: TemplateValues,
): { subject: string; paragraphs: string[] } {
  const lookup: Record<string, string | undefined> = {
    greeting: greetingFor(values.firstName),
    firstName: values.firstName,
    tenantName: values.tenantName,
    accountName: values.accountName,
    keyMessage: values.keyMessage,
  };
  const fill = (text: string) =>
    text.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (whole, name: string) =>
      (TEMPLATE_PLACEHOLDERS as readonly string[]).includes(name) && lookup[name] !== undefined
        ? (lookup[name] as string)
        : whole,
    );
  const paragraphs = template.body
    .filter((paragraph) => {
      const only = /^\{\{\s*(keyMessage|accountName)\s*\}\}$/.exec(paragraph.trim());
      return !only || lookup[only[1] as string] !== undefined;
    })
    .map(fill);
  return { subject: fill(template.subject), paragraphs };
}

/** The first name of a contact's display name, if it has one that looks like a name. */
export function firstNameOf(name: string | undefined): string | undefined {
  const first = name?.trim().split(/\s+/)[0];
  return first && /^\p{L}[\p{L}'’.-]{0,40}$/u.test(first) ? first : undefined;
}
