/** What a template is rendered with. */
export interface EmailContext {
  readonly tenantName: string;
  readonly contactName?: string;
  /** Subject from the send request; the template's own when absent. */
  readonly subject?: string;
  /** The signed one-click unsubscribe link (also in the `List-Unsubscribe` header). */
  readonly unsubscribeUrl: string;
}

/** A rendered email body. */
export interface EmailContent {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

interface Template {
  readonly subject: (context: EmailContext) => string;
  readonly body: (context: EmailContext) => readonly string[];
}

const greeting = (context: EmailContext) =>
  context.contactName ? `Hi ${context.contactName.split(/\s+/)[0]},` : 'Hello,';

/**
 * The templates a send request may name (`template`). Deliberately plain: the LLM drafting of a
 * later issue replaces the bodies, not the envelope (unsubscribe link and headers stay here).
 */
export const EMAIL_TEMPLATES: Readonly<Record<string, Template>> = {
  check_in: {
    subject: (context) => `Checking in from ${context.tenantName}`,
    body: (context) => [
      greeting(context),
      `It has been a little while since we last spoke, and I wanted to check in. Is there anything ${context.tenantName} can help you with at the moment?`,
      'Best regards,',
      context.tenantName,
    ],
  },
  follow_up: {
    subject: (context) => `Following up – ${context.tenantName}`,
    body: (context) => [
      greeting(context),
      'Following up on my last note. Happy to answer any questions whenever suits you.',
      'Best regards,',
      context.tenantName,
    ],
  },
};

/** True when `template` names a known template. */
export function isKnownTemplate(template: string): boolean {
  return Object.hasOwn(EMAIL_TEMPLATES, template);
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Renders a template to text and HTML, each ending with a visible unsubscribe link. Throws a
 * `RangeError` for an unknown template (the caller treats the message as poison).
 */
export function renderEmail(template: string, context: EmailContext): EmailContent {
  const definition = isKnownTemplate(template) ? EMAIL_TEMPLATES[template] : undefined;
  if (!definition) throw new RangeError(`unknown email template "${template}"`);
  return renderEnvelope(
    context.subject ?? definition.subject(context),
    definition.body(context),
    context.unsubscribeUrl,
  );
}

/** A draft's own text (shared/drafting): subject and paragraphs, without the envelope. */
export interface DraftBody {
  readonly subject: string;
  readonly paragraphs: readonly string[];
}

/**
 * Renders a draft inside the envelope every email shares: the paragraphs, then the visible
 * unsubscribe link (the `List-Unsubscribe` headers are the deliver stage's). The content checker
 * checks exactly this rendering before a draft is queued.
 */
export function renderDraftEmail(draft: DraftBody, unsubscribeUrl: string): EmailContent {
  return renderEnvelope(draft.subject, draft.paragraphs, unsubscribeUrl);
}

function renderEnvelope(
  subject: string,
  paragraphs: readonly string[],
  unsubscribeUrl: string,
): EmailContent {
  const footer = `You can unsubscribe from these emails at any time: ${unsubscribeUrl}`;
  const text = `${paragraphs.join('\n\n')}\n\n--\n${footer}\n`;
  const html = [
    '<!doctype html><html><body>',
    ...paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`),
    `<hr><p style="font-size:12px;color:#666">Don't want these emails? <a href="${escapeHtml(unsubscribeUrl)}">Unsubscribe</a>.</p>`,
    '</body></html>',
  ].join('');
  return { subject, text, html };
}
