import { describe, expect, it } from 'vitest';
import {
  BUILT_IN_TEMPLATES,
  DEFAULT_MESSAGING_PACK,
  fillTemplate,
  messagingPackSchema,
  parseMessagingPack,
  templateFor,
} from '../../../shared/domain/drafting/messaging-pack.js';
import { renderEmail, renderDraftEmail } from '../../../shared/sending/email-content.js';
import {
  reviewReply,
  mockReplyAnswer,
  parseReplyAnalysis,
} from '../../../shared/domain/drafting/reply-analysis.js';

describe('Domain: messaging pack', () => {
  it('renders the built-in templates exactly as the pre-drafting sender did', () => {
    // Act
    for (const [touchType, template] of Object.entries(BUILT_IN_TEMPLATES)) {
      const filled = fillTemplate(template, { tenantName: 'Northwind', firstName: 'Dana' });
      const drafted = renderDraftEmail(filled, 'https://u.example/x');
      const legacy = renderEmail(touchType, {
        tenantName: 'Northwind',
        contactName: 'Dana Whitfield',
        unsubscribeUrl: 'https://u.example/x',
      });

      // Assess
      expect(drafted).toEqual(legacy);
    }
  });

  it("picks the tier's template, then the pack's default, then the built-in one", () => {
    // Prepare
    const pack = messagingPackSchema.parse({
      templates: {
        check_in: {
          default: { subject: 'Default', body: ['{{greeting}}'] },
          active: { subject: 'Active', body: ['{{greeting}}'] },
        },
      },
    });

    // Act / Assess
    expect(templateFor(pack, 'check_in', 'active')?.subject).toBe('Active');
    expect(templateFor(pack, 'check_in', 'prospect')?.subject).toBe('Default');
    expect(templateFor(pack, 'follow_up', 'active')?.subject).toBe('Following up – {{tenantName}}');
    expect(templateFor(DEFAULT_MESSAGING_PACK, 'broadcast', 'default')).toBeUndefined();
  });

  it('keeps an unknown placeholder for the checker and drops an empty key-message paragraph', () => {
    // Act
    const filled = fillTemplate(
      {
        subject: 'Hi {{firstName}}',
        body: ['{{greeting}}', '{{keyMessage}}', 'See {{discountCode}}.'],
      },
      { tenantName: 'Northwind' },
    );

    // Assess
    expect(filled).toEqual({
      subject: 'Hi {{firstName}}',
      paragraphs: ['Hello,', 'See {{discountCode}}.'],
    });
  });

  it('names the field of a bad pack', () => {
    expect(parseMessagingPack({ forbiddenClaims: ['x'] })).toMatchObject({
      ok: false,
      issue: { field: 'forbiddenClaims.0' },
    });
    expect(parseMessagingPack({ tone: 'calm', colour: 'blue' })).toMatchObject({
      ok: false,
      issue: { field: 'pack' },
    });
  });
});

describe('Domain: reply analysis', () => {
  it('records a suggested request for review without allowing a task the explicit-request rule did not find', () => {
    // Prepare: the model reads a request into a polite thank-you.
    const thread = 'Thanks for the update, all good on our side.';
    const analysis = parseReplyAnalysis('{"summary":"customer thanks us","intent":"request"}');

    // Act
    const review = reviewReply(thread, analysis);

    // Assess
    expect(review).toMatchObject({
      status: 'for_review',
      suggestedIntent: 'request',
      taskAllowed: false,
    });
  });

  it('allows a task only where the deterministic rule finds an explicit request', () => {
    // Prepare
    const thread = 'Could you please call me tomorrow about the Lakeview appraisal?';

    // Act
    const review = reviewReply(thread, parseReplyAnalysis(mockReplyAnswer(thread)));

    // Assess
    expect(review.taskAllowed).toBe(true);
    expect(review.suggestedIntent).toBe('request');
  });
});
