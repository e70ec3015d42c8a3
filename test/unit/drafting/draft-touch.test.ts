import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../shared/clock.js';
import {
  messagingPackSchema,
  type MessagingPackInput,
} from '../../../shared/domain/drafting/messaging-pack.js';
import {
  draftTouch,
  type DraftingPorts,
  type UsageLedger,
} from '../../../shared/drafting/draft-touch.js';
import { ProviderCircuits } from '../../../shared/drafting/provider-circuits.js';
import {
  mockProvider,
  templateProvider,
  type DraftProvider,
} from '../../../shared/drafting/providers.js';
import type { DraftContextSource } from '../../../shared/domain/drafting/prompt.js';
import { MetricTally } from '../../../infra/local/local-runtime.js';

const SOURCE: DraftContextSource = {
  tenantName: 'Northwind Appraisals',
  touchType: 'follow_up',
  tier: 'active',
  contact: { name: 'Dana Whitfield', lastTouchAt: '2025-12-01T10:00:00.000Z' },
  account: { name: 'Lakeview Bank', industry: 'banking' },
};
const QUOTA = { dailyTokens: 100_000, dailyCostUsd: 1 };

function ports(providers: readonly DraftProvider[], overrides: Partial<DraftingPorts> = {}) {
  const metrics = new MetricTally();
  const clock = new VirtualClock('2026-01-05T15:00:00.000Z');
  const value: DraftingPorts = {
    providers,
    circuits: new ProviderCircuits(),
    clock,
    timeoutMs: 50,
    metric: metrics.sink,
    ...overrides,
  };
  return { ports: value, metrics, clock };
}

const failing = (
  name: string,
  error = new Error('model unavailable'),
): DraftProvider & { calls: number } => {
  const provider = {
    name,
    metered: false,
    calls: 0,
    draft() {
      provider.calls += 1;
      return Promise.reject(error);
    },
  };
  return provider;
};

const hanging = (name: string): DraftProvider => ({
  name,
  metered: false,
  draft: ({ signal }) =>
    new Promise((_, reject) =>
      signal.addEventListener('abort', () => reject(new Error('aborted'))),
    ),
});

const writing = (
  name: string,
  paragraphs: string[],
  metered = false,
): DraftProvider & { calls: number } => {
  const provider = {
    name,
    metered,
    calls: 0,
    draft() {
      provider.calls += 1;
      return Promise.resolve({
        text: { subject: 'Following up – Northwind Appraisals', paragraphs },
        usage: { inputTokens: 1_000, outputTokens: 200 },
      });
    },
  };
  return provider;
};

const pack = (input: MessagingPackInput = {}) => messagingPackSchema.parse(input);

describe('Drafting: draftTouch', () => {
  it('gives the same mock draft for the same inputs and a different one for another contact', async () => {
    // Prepare
    const { ports: p } = ports([mockProvider, templateProvider]);
    const input = { tenantId: 't1', pack: pack(), quota: QUOTA, source: SOURCE };

    // Act
    const first = await draftTouch(p, input);
    const again = await draftTouch(p, input);
    const other = await draftTouch(p, {
      ...input,
      source: {
        ...SOURCE,
        contact: { name: 'Priya Raman', lastTouchAt: '2025-11-02T10:00:00.000Z' },
      },
    });

    // Assess
    expect(first.kind).toBe('drafted');
    expect(again).toEqual(first);
    expect(first.kind === 'drafted' && first.draft).toMatchObject({ provider: 'mock', checks: [] });
    expect(first.kind === 'drafted' && first.draft.paragraphs[0]).toBe('Hi Dana,');
    expect(other.kind === 'drafted' && other.draft.paragraphs[0]).toBe('Hi Priya,');
  });

  it('falls back in order after a provider error, naming the provider it fell back from', async () => {
    // Prepare
    const broken = failing('bedrock');
    const { ports: p, metrics } = ports([broken, mockProvider, templateProvider]);

    // Act
    const result = await draftTouch(p, {
      tenantId: 't1',
      pack: pack(),
      quota: QUOTA,
      source: SOURCE,
    });

    // Assess
    expect(broken.calls).toBe(1);
    expect(result.kind === 'drafted' && result.draft).toMatchObject({
      provider: 'mock',
      fallbackFrom: 'bedrock',
    });
    expect(metrics.counts.get('DraftProviderFailures{provider=bedrock,kind=error}')).toBe(1);
  });

  it('falls back after a timeout to the next provider, down to the template', async () => {
    // Prepare
    const { ports: p, metrics } = ports([hanging('bedrock'), failing('mock'), templateProvider]);

    // Act
    const result = await draftTouch(p, {
      tenantId: 't1',
      pack: pack(),
      quota: QUOTA,
      source: SOURCE,
    });

    // Assess
    expect(result.kind === 'drafted' && result.draft).toMatchObject({
      provider: 'template',
      fallbackFrom: 'bedrock',
      subject: 'Following up – Northwind Appraisals',
    });
    expect(metrics.counts.get('DraftProviderFailures{provider=bedrock,kind=timeout}')).toBe(1);
    expect(metrics.counts.get('DraftProviderFailures{provider=mock,kind=error}')).toBe(1);
  });

  it('opens a provider circuit after five failures, skips it while open and tries it again after the cool-down', async () => {
    // Prepare
    const broken = failing('bedrock');
    const { ports: p, metrics, clock } = ports([broken, templateProvider]);
    const input = { tenantId: 't1', pack: pack(), quota: QUOTA, source: SOURCE };

    // Act
    for (let i = 0; i < 5; i += 1) await draftTouch(p, input);
    const callsWhenOpened = broken.calls;
    const whileOpen = await draftTouch(p, input);
    clock.advance({ minutes: 6 });
    await draftTouch(p, input);

    // Assess
    expect(callsWhenOpened).toBe(5);
    expect(metrics.counts.get('DraftCircuitOpened{provider=bedrock}')).toBe(1);
    expect(whileOpen.kind === 'drafted' && whileOpen.draft.provider).toBe('template');
    expect(metrics.counts.get('DraftFallbacks{from=bedrock,reason=circuit_open}')).toBe(1);
    expect(broken.calls).toBe(6);
  });

  it('closes the circuit when the trial call after the cool-down succeeds', async () => {
    // Prepare
    let healthy = false;
    const flaky: DraftProvider = {
      name: 'bedrock',
      metered: false,
      draft: (call) => (healthy ? mockProvider.draft(call) : Promise.reject(new Error('down'))),
    };
    const { ports: p, clock } = ports([flaky, templateProvider]);
    const input = { tenantId: 't1', pack: pack(), quota: QUOTA, source: SOURCE };
    for (let i = 0; i < 5; i += 1) await draftTouch(p, input);

    // Act
    clock.advance({ minutes: 6 });
    healthy = true;
    const trial = await draftTouch(p, input);

    // Assess
    expect(trial.kind === 'drafted' && trial.draft.provider).toBe('bedrock');
    expect(p.circuits.isOpen('bedrock', clock.now())).toBe(false);
  });

  it('redrafts a failing draft once, then falls back to the template with the failed checks recorded', async () => {
    // Prepare
    const claims = writing('bedrock', [
      'Hi Dana,',
      'Our appraisals come with guaranteed approval, so there is nothing to worry about at all.',
      'Best regards,',
      'Northwind Appraisals',
    ]);
    const { ports: p } = ports([claims, mockProvider, templateProvider]);

    // Act
    const result = await draftTouch(p, {
      tenantId: 't1',
      pack: pack({ forbiddenClaims: ['guaranteed approval'] }),
      quota: QUOTA,
      source: SOURCE,
    });

    // Assess
    expect(claims.calls).toBe(2);
    expect(result.kind === 'drafted' && result.draft).toMatchObject({
      provider: 'template',
      fallbackFrom: 'bedrock',
      checks: ['forbidden_claim'],
    });
  });

  it('blocks the touch with a named violation when the template fails the checker too', async () => {
    // Prepare: the pack's own key message breaks its forbidden-claims list.
    const conflicted = pack({
      keyMessages: ['We guarantee approval within a week.'],
      forbiddenClaims: ['guarantee'],
      templates: {
        follow_up: {
          default: {
            subject: 'Following up',
            body: ['{{greeting}}', '{{keyMessage}}', 'Best regards,', '{{tenantName}}'],
          },
        },
      },
    });
    const { ports: p, metrics } = ports([mockProvider, templateProvider]);

    // Act
    const result = await draftTouch(p, {
      tenantId: 't1',
      pack: conflicted,
      quota: QUOTA,
      source: SOURCE,
    });

    // Assess
    expect(result).toMatchObject({
      kind: 'blocked',
      violation: { type: 'draft_forbidden_claim', reason: 'forbidden_claim: contains "guarantee"' },
      draft: { provider: 'template', fallbackFrom: 'mock' },
    });
    expect(metrics.counts.get('DraftsBlocked{violation=draft_forbidden_claim}')).toBe(1);
  });

  it('skips a metered provider once the tenant reached its daily token quota and notes the violation', async () => {
    // Prepare
    const used = new Map<string, number>();
    const ledger: UsageLedger = {
      get: (tenantId, day) =>
        Promise.resolve({ tokens: used.get(`${tenantId}:${day}`) ?? 0, costUsd: 0, calls: 0 }),
      add: (tenantId, day, usage) => {
        const key = `${tenantId}:${day}`;
        used.set(key, (used.get(key) ?? 0) + usage.inputTokens + usage.outputTokens);
        return Promise.resolve();
      },
    };
    const metered = writing(
      'bedrock',
      [
        'Hi Dana,',
        'Just following up on my last note about Lakeview Bank. Is there anything you need from us?',
        'Best regards,',
        'Northwind Appraisals',
      ],
      true,
    );
    const { ports: p, metrics } = ports([metered, templateProvider], {
      usage: ledger,
      pricing: { bedrock: { inputPerMillionUsd: 0.25, outputPerMillionUsd: 1.25 } },
    });
    const input = {
      tenantId: 't1',
      pack: pack(),
      quota: { dailyTokens: 1_000, dailyCostUsd: 1 },
      source: SOURCE,
    };

    // Act
    const first = await draftTouch(p, input);
    const second = await draftTouch(p, input);

    // Assess
    expect(first.kind === 'drafted' && first.draft.provider).toBe('bedrock');
    expect(second.kind === 'drafted' && second.draft.provider).toBe('template');
    expect(second.kind === 'drafted' && second.notes[0]?.type).toBe('llm_budget_exceeded');
    expect(metered.calls).toBe(1);
    expect(metrics.counts.get('DraftTokens{tenant_id=t1}')).toBe(1_200);
    expect(metrics.counts.get('DraftCostMicroUsd{tenant_id=t1}')).toBe(500);
  });

  it('reports an unknown touch type as unavailable instead of inventing a draft', async () => {
    // Prepare
    const { ports: p } = ports([templateProvider]);

    // Act
    const result = await draftTouch(p, {
      tenantId: 't1',
      pack: pack(),
      quota: QUOTA,
      source: { ...SOURCE, touchType: 'broadcast' },
    });

    // Assess
    expect(result).toEqual({
      kind: 'unavailable',
      reason: 'no template for touch type "broadcast"',
    });
  });
});
