import { describe, expect, it } from 'vitest';
import { checkContent, statedFigures } from '../../../shared/domain/drafting/content-check.js';
import { messagingPackSchema } from '../../../shared/domain/drafting/messaging-pack.js';
import { renderDraftEmail } from '../../../shared/sending/email-content.js';

const URL = 'https://unsubscribe.invalid/check';
const PACK = messagingPackSchema.parse({
  forbiddenClaims: ['guaranteed approval', 'lowest price'],
  requiredFooter: 'Northwind Appraisals, 12 Harbor Road, Springfield',
});
const GOOD = [
  'Hi Dana,',
  'I wanted to check in after your note on 2026-01-02 about the Lakeview appraisal. Is there anything we can help you with this week?',
  'Best regards,',
  'Northwind Appraisals',
  PACK.requiredFooter,
];
const FACTS = ['Northwind Appraisals', '2026-01-02', 'Lakeview'];

function verdictOf(
  paragraphs: readonly string[],
  options: { subject?: string; render?: (text: string) => string; name?: string } = {},
) {
  const subject = options.subject ?? 'Checking in – Northwind Appraisals';
  const rendered = renderDraftEmail({ subject, paragraphs }, URL).text;
  return checkContent({
    subject,
    paragraphs,
    renderedText: options.render ? options.render(rendered) : rendered,
    unsubscribeUrl: URL,
    pack: PACK,
    recipientFirstName: options.name ?? 'Dana',
    facts: FACTS,
  });
}

const replace = (index: number, text: string) => GOOD.map((p, i) => (i === index ? text : p));

describe('Domain: content checker', () => {
  it('passes a draft that keeps every rule', () => {
    // Act
    const verdict = verdictOf(GOOD);

    // Assess
    expect(verdict).toEqual({ passed: true, failures: [] });
  });

  it.each([
    {
      case: 'a forbidden claim of the pack, in other casing',
      paragraphs: replace(
        1,
        'We offer GUARANTEED approval on every file you send our way this month.',
      ),
      check: 'forbidden_claim',
    },
    {
      case: 'a spam trigger phrase',
      paragraphs: replace(
        1,
        'Act now and reply to this email so we can book your next appraisal slot soon.',
      ),
      check: 'spam_trigger',
    },
    {
      case: 'repeated exclamation marks',
      paragraphs: replace(
        1,
        'It was great to hear from you!! Is there anything we can do for you this week?',
      ),
      check: 'spam_trigger',
    },
    {
      case: 'a subject in capitals',
      paragraphs: GOOD,
      subject: 'CHECKING IN FROM NORTHWIND',
      check: 'spam_trigger',
    },
    {
      case: 'an email without the unsubscribe link',
      paragraphs: GOOD,
      render: (text: string) => text.replace(URL, ''),
      check: 'unsubscribe_missing',
    },
    {
      case: 'a draft without the required footer',
      paragraphs: GOOD.slice(0, -1),
      check: 'footer_missing',
    },
    {
      case: 'a body too short',
      paragraphs: ['Hi Dana,', 'Any news?', PACK.requiredFooter],
      check: 'length',
    },
    {
      case: 'a subject too long',
      paragraphs: GOOD,
      subject: `Checking in ${'about the appraisal '.repeat(6)}`,
      check: 'length',
    },
    {
      case: 'a leftover mustache placeholder',
      paragraphs: replace(
        1,
        'I wanted to check in about {{accountName}} and whether anything is needed this week from us.',
      ),
      check: 'placeholder',
    },
    {
      case: 'a leftover bracket placeholder',
      paragraphs: replace(0, 'Hi [First Name],'),
      check: 'placeholder',
    },
    {
      case: "another person's name in the greeting",
      paragraphs: replace(0, 'Hi Marcus,'),
      check: 'recipient_name',
    },
    {
      case: 'a price the context does not hold',
      paragraphs: replace(
        1,
        'Our appraisals now start at $450 and we would love to book your next one this week.',
      ),
      check: 'unsupported_number',
    },
    {
      case: 'a discount the context does not hold',
      paragraphs: replace(
        1,
        'We can take 15% off your next appraisal if you book with us during this week.',
      ),
      check: 'unsupported_number',
    },
    {
      case: 'a weekday the context does not hold',
      paragraphs: replace(
        1,
        'I will call you on Thursday to talk through the Lakeview appraisal and the next steps.',
      ),
      check: 'unsupported_number',
    },
  ])('fails $case with $check', ({ paragraphs, subject, render, check }) => {
    // Act
    const verdict = verdictOf(paragraphs, {
      ...(subject ? { subject } : {}),
      ...(render ? { render } : {}),
    });

    // Assess
    expect(verdict.passed).toBe(false);
    expect(verdict.failures.map((failure) => failure.check)).toContain(check);
  });

  it('accepts a generic greeting when the recipient has no known name, and rejects a named one', () => {
    // Act
    const generic = verdictOf(replace(0, 'Hello there,'), { name: '' });
    const named = checkContent({
      subject: 'Checking in',
      paragraphs: replace(0, 'Hi Dana,'),
      renderedText: renderDraftEmail(
        { subject: 'Checking in', paragraphs: replace(0, 'Hi Dana,') },
        URL,
      ).text,
      unsubscribeUrl: URL,
      pack: PACK,
      facts: FACTS,
    });

    // Assess
    expect(generic.passed).toBe(true);
    expect(named.failures.map((failure) => failure.check)).toEqual(['recipient_name']);
  });

  it('reads thousands separators and trailing decimal zeros as the same number', () => {
    expect(statedFigures('1,200 and 3.50 on Monday')).toEqual(['1200', '3.5', 'monday']);
  });
});
