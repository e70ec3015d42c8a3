import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../shared/clock.js';
import { analyseReply } from '../../../shared/drafting/analyse-reply.js';
import type { DraftingPorts } from '../../../shared/drafting/draft-touch.js';
import { ProviderCircuits } from '../../../shared/drafting/provider-circuits.js';
import {
  mockProvider,
  templateProvider,
  type DraftProvider,
} from '../../../shared/drafting/providers.js';
import { MetricTally } from '../../../infra/local/local-runtime.js';

const REQUEST = 'Hi, could you please send me the revised quote for the Elm Street appraisal?';
const NOT_NOW = 'Thanks for checking in. Not right now, maybe next quarter.';

function ports(providers: readonly DraftProvider[]) {
  const metrics = new MetricTally();
  const value: DraftingPorts = {
    providers,
    circuits: new ProviderCircuits(),
    clock: new VirtualClock('2026-01-05T15:00:00.000Z'),
    timeoutMs: 50,
    metric: metrics.sink,
  };
  return { value, metrics };
}

const failing: DraftProvider = {
  name: 'bedrock',
  metered: true,
  draft: () => Promise.reject(new Error('unused')),
  analyseReply: () => Promise.reject(new Error('ThrottlingException: slow down')),
};

describe('Drafting: reply analysis for review', () => {
  it('gives the same summary and intent for the same thread, with the explicit-request verdict beside it', async () => {
    const { value } = ports([mockProvider, templateProvider]);

    const first = await analyseReply(value, 't-1', REQUEST);
    const second = await analyseReply(value, 't-1', REQUEST);

    expect(first).toEqual(second);
    expect(first).toMatchObject({
      provider: 'mock',
      status: 'for_review',
      suggestedIntent: 'request',
      taskAllowed: true,
    });
    expect(first?.summary).toMatch(/\S/);
  });

  it('never lets a suggested intent allow a task the explicit-request rule does not find', async () => {
    const { value } = ports([mockProvider]);

    const review = await analyseReply(value, 't-1', NOT_NOW);

    expect(review).toMatchObject({ suggestedIntent: 'not_now', taskAllowed: false });
  });

  it('falls back past a failing provider, counts the failure, and skips it once its circuit is open', async () => {
    const { value, metrics } = ports([]);
    let calls = 0;
    const counted: DraftProvider = {
      ...failing,
      analyseReply: (call) => {
        calls += 1;
        return failing.analyseReply!(call);
      },
    };
    const chain = { ...value, providers: [counted, mockProvider] };

    for (let i = 0; i < 8; i += 1)
      expect(await analyseReply(chain, 't-1', REQUEST)).toMatchObject({ provider: 'mock' });

    expect(calls).toBeLessThan(8);
    expect(metrics.counts.get('DraftProviderFailures{provider=bedrock,kind=error}')).toBe(calls);
    expect(metrics.counts.get('DraftCircuitOpened{provider=bedrock}')).toBe(1);
  });

  it('answers nothing when no provider can analyse a reply (template only)', async () => {
    const { value } = ports([templateProvider]);

    expect(await analyseReply(value, 't-1', REQUEST)).toBeUndefined();
  });
});
