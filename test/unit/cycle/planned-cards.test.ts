import { describe, expect, it } from 'vitest';
import { actionControls } from '../../../shared/cycle/controls.js';
import { plannedCardsFor, plannedCardsOf } from '../../../shared/cycle/planned-cards.js';
import type { CycleState } from '../../../shared/cycle/state.js';
import type { TenantSettings } from '../../../shared/domain/tenant.js';
import { card } from './builders.js';

const HOUR = '2026010509';
const BASE: CycleState = { tenantId: 't-1', hourKey: HOUR };
const ALLOWED = { allowed: true, rule: 'default' };
const SETTINGS = { tier: 'free', features: {} } as unknown as TenantSettings;

describe('Cycle: the run cards Plan hands to Act', () => {
  const earlier = [
    card('done', { hourKey: '2026010507', type: 'follow_up', decision: ALLOWED }),
    card('done', { hourKey: '2026010508', type: 'send_email', decision: ALLOWED }),
    card('done', { hourKey: '2026010508', type: 'validate_order', decision: ALLOWED }),
    card('blocked', {
      hourKey: '2026010508',
      type: 'follow_up',
      decision: { allowed: false, rule: 'quota' },
    }),
  ];
  const run = [
    card('planned', {
      hourKey: HOUR,
      target: { contactId: 'c-1', accountId: 'a-1', email: ' Ana@Acme.example ' },
    }),
    card('planned', { hourKey: HOUR, type: 'validate_order', target: { orderId: 'o-1' } }),
    card('planned', { hourKey: HOUR, target: { contactId: 'c-1', accountId: 'a-1' } }),
  ];

  it('names the run cards and their targets once each and counts the other hours’ allowed sends', () => {
    const planned = plannedCardsFor(run, [...earlier, ...run], HOUR);

    expect(planned).toEqual({
      cardIds: run.map((c) => c.cardId),
      contactIds: ['c-1'],
      accountIds: ['a-1'],
      emails: ['ana@acme.example'],
      sendsElsewhereToday: 2,
    });
  });

  it('gives Act the same daily send usage from the run cards and the count as from the day’s cards', () => {
    const decided = [card('done', { hourKey: HOUR, decision: ALLOWED }), ...run.slice(1)];
    const planned = plannedCardsFor(run, [...earlier, ...run], HOUR);

    const fromDay = actionControls(SETTINGS, { hourKey: HOUR }, [...earlier, ...decided]);
    const handed = actionControls(
      SETTINGS,
      { hourKey: HOUR },
      decided,
      planned.sendsElsewhereToday,
    );

    expect(handed.usage).toEqual(fromDay.usage);
    expect(handed.usage).toEqual({ actionsThisHour: 1, sendsToday: 3, researchThisHour: 0 });
  });

  it('reads the hand-over back from the state, and nothing from a state without one or a malformed one', () => {
    const planned = plannedCardsFor(run, run, HOUR);

    expect(plannedCardsOf({ ...BASE, plan: { planned: 3, cards: planned } })).toEqual(planned);
    expect(plannedCardsOf({ ...BASE, plan: { planned: 3 } })).toBeUndefined();
    expect(
      plannedCardsOf({ ...BASE, plan: { cards: { ...planned, sendsElsewhereToday: -1 } } }),
    ).toBeUndefined();
    expect(plannedCardsOf(BASE)).toBeUndefined();
  });
});
