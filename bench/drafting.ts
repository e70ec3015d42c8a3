import { performance } from 'node:perf_hooks';
import { VirtualClock } from '../shared/clock.js';
import { checkContent } from '../shared/domain/drafting/content-check.js';
import { messagingPackSchema } from '../shared/domain/drafting/messaging-pack.js';
import { draftTouch } from '../shared/drafting/draft-touch.js';
import { LIVE_DRAFT_TARGET_MS } from '../shared/drafting/drafting-runtime.js';
import { ProviderCircuits } from '../shared/drafting/provider-circuits.js';
import { mockProvider, templateProvider } from '../shared/drafting/providers.js';
import { renderDraftEmail } from '../shared/sending/email-content.js';

/** The `drafting.*` bench section. */
export interface DraftingBenchResult {
  readonly drafts: number;
  /** One mock draft end to end: context, prompt, mock model, answer parsing, checker. */
  readonly mockDraftMs: { readonly median: number; readonly p95: number; readonly max: number };
  readonly checksPerSecond: number;
  /** Stated, not measured here: one Bedrock draft (seeds: live < 3 s); also the chain's timeout. */
  readonly liveTargetMs: number;
}

const PACK = messagingPackSchema.parse({
  forbiddenClaims: ['guaranteed approval', 'lowest price', 'risk free'],
  requiredFooter: 'Northwind Appraisals, 12 Harbor Road, Springfield',
  personalization: { do: ['mention the account by name'], dont: ['mention competitors'] },
});

/** Times mock drafts of distinct contacts and the checker alone. Measures; asserts nothing. */
export async function benchDrafting(drafts = 2_000, checks = 20_000): Promise<DraftingBenchResult> {
  const ports = {
    providers: [mockProvider, templateProvider],
    circuits: new ProviderCircuits(),
    clock: new VirtualClock('2026-01-05T15:00:00Z'),
    timeoutMs: LIVE_DRAFT_TARGET_MS,
    metric: () => undefined,
  };
  const samples: number[] = [];
  for (let i = 0; i < drafts; i += 1) {
    const started = performance.now();
    await draftTouch(ports, {
      tenantId: 'bench',
      pack: PACK,
      quota: { dailyTokens: 1e9, dailyCostUsd: 1e6 },
      source: {
        tenantName: 'Northwind Appraisals',
        touchType: i % 2 ? 'follow_up' : 'check_in',
        tier: 'active',
        contact: { name: `Contact${i} Person`, lastTouchAt: '2025-12-01T10:00:00.000Z' },
        account: { name: `Account ${i % 37}`, industry: 'banking' },
        ...(i % 3 === 0 ? { inboundSummary: 'a question about the appraisal timeline' } : {}),
      },
    });
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(
      (samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0) * 1000,
    ) / 1000;

  const paragraphs = [
    'Hi Dana,',
    'I wanted to follow up on the Lakeview appraisal from 2026-01-02. Is there anything we can help with?',
    'Best regards,',
    'Northwind Appraisals',
    PACK.requiredFooter,
  ];
  const url = 'https://unsubscribe.invalid/check';
  const renderedText = renderDraftEmail({ subject: 'Following up', paragraphs }, url).text;
  const started = performance.now();
  for (let i = 0; i < checks; i += 1)
    checkContent({
      subject: 'Following up',
      paragraphs,
      renderedText,
      unsubscribeUrl: url,
      pack: PACK,
      recipientFirstName: 'Dana',
      facts: ['Northwind Appraisals', 'Lakeview', '2026-01-02'],
    });
  const seconds = (performance.now() - started) / 1000;
  return {
    drafts,
    mockDraftMs: { median: at(0.5), p95: at(0.95), max: at(1) },
    checksPerSecond: Math.round(checks / seconds),
    liveTargetMs: LIVE_DRAFT_TARGET_MS,
  };
}
