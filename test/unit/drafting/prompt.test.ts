import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  assembleDraftPrompt,
  buildDraftContext,
  scrubForPrompt,
  type DraftContextSource,
} from '../../../shared/domain/drafting/prompt.js';
import { messagingPackSchema } from '../../../shared/domain/drafting/messaging-pack.js';
import { mockModelAnswer } from '../../../shared/domain/drafting/mock-draft.js';

/** Secret-shaped strings of the kinds the redactor knows, plus addresses and phone numbers. */
const secretArb = fc.oneof(
  fc.stringMatching(/^AKIA[A-Z0-9]{16}$/),
  fc.stringMatching(/^ya29\.[A-Za-z0-9_-]{30}$/),
  fc.stringMatching(/^1\/\/0[A-Za-z0-9_-]{30}$/),
  fc.stringMatching(/^sk-[A-Za-z0-9]{32}$/),
  fc.stringMatching(/^Bearer [A-Za-z0-9]{24}$/),
  fc.stringMatching(/^ghp_[A-Za-z0-9]{36}$/),
  fc.stringMatching(/^refresh_token=[A-Za-z0-9]{20}$/),
  fc.stringMatching(/^[a-z]{3,8}@[a-z]{3,8}\.example$/),
  fc.stringMatching(/^\+1 555 [0-9]{3} [0-9]{4}$/),
);
const wordsArb = fc
  .array(fc.stringMatching(/^[A-Za-z]{2,9}$/), { minLength: 0, maxLength: 6 })
  .map((w) => w.join(' '));
/** Free text with a secret spliced into it somewhere. */
const withSecret = fc
  .tuple(wordsArb, secretArb, wordsArb)
  .map(([a, s, b]) => ({ text: `${a} ${s} ${b}`, secret: s }));

const sourceArb = (tenantName: string) =>
  fc
    .record({
      name: withSecret,
      title: withSecret,
      account: withSecret,
      summary: withSecret,
      item: withSecret,
      deal: withSecret,
    })
    .map(({ name, title, account, summary, item, deal }) => ({
      secrets: [
        name.secret,
        title.secret,
        account.secret,
        summary.secret,
        item.secret,
        deal.secret,
      ],
      source: {
        tenantName,
        touchType: 'follow_up',
        tier: 'active',
        contact: {
          name: `Dana ${name.text}`,
          title: title.text,
          lastTouchAt: '2025-12-01T10:00:00.000Z',
        },
        account: { name: account.text, industry: 'banking' },
        openItems: [item.text],
        orderAndDealState: [deal.text],
        inboundSummary: summary.text,
      } satisfies DraftContextSource,
    }));

const PACK = messagingPackSchema.parse({
  forbiddenClaims: ['guaranteed approval'],
  personalization: { do: ['mention their last order'] },
});

describe('Domain: draft prompt assembly', () => {
  it('never puts a secret-shaped string, an address or a phone number into a prompt', () => {
    fc.assert(
      fc.property(sourceArb('Northwind Appraisals'), ({ source, secrets }) => {
        const prompt = assembleDraftPrompt(buildDraftContext(source), PACK, ['forbidden_claim']);
        const text = `${prompt.system}\n${prompt.user}`;
        for (const secret of secrets) expect(text).not.toContain(secret);
        expect(text).not.toMatch(/@[a-z]+\.example/);
      }),
      { numRuns: 300 },
    );
  });

  it("never carries another tenant's data into a tenant's prompt or mock draft", () => {
    const marker = fc.stringMatching(/^[A-Z][a-z]{3,8}[A-Z][a-z]{3,8}$/);
    fc.assert(
      fc.property(
        sourceArb('Northwind Appraisals'),
        sourceArb('Summit Lending'),
        marker,
        ({ source: a }, { source: b }, tag) => {
          // Prepare: tenant B's data carries a marker; B is drafted first, in the same process.
          const tenantB = {
            ...b,
            account: { name: `${tag} Holdings` },
            inboundSummary: `${tag} asked about pricing`,
          };
          const contextB = buildDraftContext(tenantB);
          mockModelAnswer(assembleDraftPrompt(contextB, PACK), contextB, PACK);

          // Act
          const contextA = buildDraftContext(a);
          const promptA = assembleDraftPrompt(contextA, PACK);
          const draftA = mockModelAnswer(promptA, contextA, PACK);

          // Assess
          for (const text of [promptA.system, promptA.user, draftA]) {
            expect(text).not.toContain(tag);
            expect(text).not.toContain('Summit Lending');
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps only the allow-listed fields and names the recipient by first name only', () => {
    // Prepare
    const source = {
      tenantName: 'Northwind Appraisals',
      touchType: 'check_in',
      tier: 'default',
      contact: {
        name: 'Dana Whitfield',
        title: 'Loan officer',
        lastTouchAt: '2025-12-01T10:00:00.000Z',
      },
      email: 'dana@lakeview.example',
      phone: '+1 555 010 2000',
      contactId: 'c-1',
    } as DraftContextSource;

    // Act
    const context = buildDraftContext(source);

    // Assess
    expect(context).toEqual({
      tenantName: 'Northwind Appraisals',
      touchType: 'check_in',
      tier: 'default',
      recipient: { firstName: 'Dana', title: 'Loan officer' },
      lastTouches: [{ direction: 'outbound', on: '2025-12-01' }],
      openItems: [],
      orderAndDealState: [],
    });
  });

  it('scrubs addresses, links, phone numbers and token-like strings from free text', () => {
    expect(
      scrubForPrompt(
        'Mail dana@lakeview.example, see https://x.example/a?b=c, call +1 (555) 010-2000, ref a1b2c3d4e5f6g7h8i9j0k1',
      ),
    ).toBe('Mail [email], see [link] call [phone], ref [redacted]');
  });
});
