import { describe, expect, it } from 'vitest';
import type { CycleState } from '../../../shared/cycle/state.js';
import { handedCardsOf } from '../../../shared/cycle/handed-cards.js';
import { reflectedCardOf } from '../../../shared/domain/reflected-card.js';
import { reflectOnCycle } from '../../../shared/domain/reflection.js';
import { approvalWakeTimes, cardKeepsTenantBusy } from '../../../shared/domain/wake.js';
import { NOW, blockedCard, card } from './builders.js';

const BASE: CycleState = { tenantId: 't-1', hourKey: '2026010509' };

describe('Cycle: the run cards Act hands to Reflect', () => {
  const cards = [
    card('done', {
      type: 'send_email',
      target: { contactId: 'c-1' },
      result: { queued: true, draft: { subject: 'Hello', paragraphs: ['a long body'] } },
    }),
    blockedCard('follow_up', 'quiet_hours', { contactId: 'c-2' }),
    blockedCard('research', 'research_budget'),
    card('deferred', { result: { reason: 'send_window', detail: 'outside the window' } }),
    card('awaiting_approval', {
      result: { approval: 'awaiting', expiresAt: '2026-01-05T12:00:00.000Z', proposalId: 'p' },
    }),
  ];

  it('keeps only what Reflect reads: no drafts, history or payload travel in the step state', () => {
    const [sent] = cards.map(reflectedCardOf);

    expect(sent).toEqual({ status: 'done', type: 'send_email', target: { contactId: 'c-1' } });
  });

  it('reflects on and wakes for the handed cards exactly as for the stored ones', () => {
    const handed = handedCardsOf({
      ...BASE,
      act: { executed: 1, cards: cards.map(reflectedCardOf) },
    });
    expect(handed).toBeDefined();
    const reflect = (list: NonNullable<typeof handed>) =>
      reflectOnCycle({
        cards: list,
        engagement: { contacts: 3, overdue: 1, complianceRate: 0.5 },
        outcomesFolded: 0,
        pendingRequests: [],
        now: NOW,
      });

    expect(reflect(handed ?? [])).toEqual(reflect(cards));
    expect(handed?.map(cardKeepsTenantBusy)).toEqual(cards.map(cardKeepsTenantBusy));
    expect(approvalWakeTimes(handed ?? [], undefined)).toEqual(['2026-01-05T12:00:00.000Z']);
  });

  it.each([
    { case: 'no Act result', state: BASE },
    {
      case: 'an Act result without cards (a card was claimed elsewhere)',
      state: { ...BASE, act: { skipped: 1 } },
    },
    {
      case: 'a malformed list',
      state: { ...BASE, act: { cards: [{ status: 'lost', type: 'send_email', target: {} }] } },
    },
  ])('leaves Reflect to read the cards itself given $case', ({ state }) => {
    expect(handedCardsOf(state)).toBeUndefined();
  });
});
