import { describe, expect, it } from 'vitest';
import {
  AVOID_AFTER_BLOCKS,
  AVOID_CONTACT_MS,
  AVOID_TYPE_MS,
  reflectOnCycle,
  type PlanningHint,
} from '../../../shared/domain/reflection.js';
import type { ActionCard } from '../../../shared/domain/actions.js';
import {
  NOW,
  avoidContactHint,
  avoidTypeHint,
  blockedCard,
  card,
  hoursFromNow,
  metrics,
} from './builders.js';

const ENGAGEMENT = { contacts: 10, overdue: 0, complianceRate: 1 };

function reflect(
  overrides: Partial<Parameters<typeof reflectOnCycle>[0]> = {},
): ReturnType<typeof reflectOnCycle> {
  return reflectOnCycle({
    cards: [],
    engagement: ENGAGEMENT,
    outcomesFolded: 0,
    pendingRequests: [],
    now: NOW,
    ...overrides,
  });
}

function codes(hints: readonly PlanningHint[]): string[] {
  return hints.map((hint) => hint.code);
}

describe('Domain: reflectOnCycle', () => {
  describe('metrics', () => {
    it('counts the cycle’s cards by status and copies engagement and outcomes', () => {
      // Prepare
      const cards: ActionCard[] = [
        card('done'),
        card('done'),
        card('done'),
        blockedCard('research', 'research_before_followups_exhausted'),
        card('deferred'),
        card('deferred'),
        card('failed'),
        card('planned'),
        card('executing'),
      ];

      // Act
      const reflection = reflect({
        cards,
        engagement: { contacts: 42, overdue: 7, complianceRate: 0.833333333 },
        outcomesFolded: 11,
      });

      // Assess
      expect(reflection.metrics).toEqual({
        contacts: 42,
        overdueContacts: 7,
        complianceRate: 0.8333,
        actionsPlanned: 9,
        actionsExecuted: 3,
        actionsBlocked: 1,
        actionsDeferred: 2,
        actionsFailed: 1,
        outcomesFolded: 11,
      });
    });

    it('tallies blocked cards by violation type, counting a missing one as unknown', () => {
      const reflection = reflect({
        cards: [
          blockedCard('follow_up', 'do_not_contact', { contactId: 'c-1' }),
          blockedCard('follow_up', 'do_not_contact', { contactId: 'c-2' }),
          blockedCard('research', 'research_before_followups_exhausted'),
          blockedCard('send_email', undefined),
          card('done'),
        ],
      });

      expect(reflection.blockedBy).toEqual({
        do_not_contact: 2,
        research_before_followups_exhausted: 1,
        unknown: 1,
      });
    });

    it('passes the pending requests through to the next plan', () => {
      const pendingRequests = [{ contactId: 'c-1', messageId: 'm-1', text: 'call me' }];

      expect(reflect({ pendingRequests }).pendingRequests).toEqual(pendingRequests);
    });
  });

  describe('deltas and changes', () => {
    it('marks the first reflection of a tenant and records no deltas', () => {
      const reflection = reflect();

      expect(reflection.deltas).toEqual({});
      expect(reflection.changes).toEqual(['first reflection for this tenant']);
    });

    it('reports each metric that moved since the previous reflection, with direction and size', () => {
      // Prepare
      const previous = {
        metrics: metrics({
          contacts: 10,
          overdueContacts: 4,
          complianceRate: 0.6,
          actionsPlanned: 2,
          actionsExecuted: 2,
        }),
        hints: [],
      };

      // Act
      const reflection = reflect({
        previous,
        cards: [card('done'), card('failed')],
        engagement: { contacts: 12, overdue: 1, complianceRate: 0.9 },
        outcomesFolded: 3,
      });

      // Assess
      expect(reflection.deltas).toEqual({
        contacts: 2,
        overdueContacts: -3,
        complianceRate: 0.3,
        actionsExecuted: -1,
        actionsFailed: 1,
        outcomesFolded: 3,
      });
      expect(reflection.changes).toEqual([
        'contacts rose by 2 to 12',
        'overdueContacts fell by 3 to 1',
        'complianceRate rose by 0.3 to 0.9',
        'actionsExecuted fell by 1 to 1',
        'actionsFailed rose by 1 to 1',
        'outcomesFolded rose by 3 to 3',
      ]);
    });

    it('reports nothing changed when every metric is as before', () => {
      const previous = { metrics: metrics({ contacts: 10 }), hints: [] };

      const reflection = reflect({ previous });

      expect(reflection.deltas).toEqual({});
      expect(reflection.changes).toEqual([]);
    });

    it('rounds deltas to four decimals so float noise is not reported as change', () => {
      const previous = { metrics: metrics({ contacts: 10, complianceRate: 0.1 + 0.2 }), hints: [] };

      const reflection = reflect({
        previous,
        engagement: { contacts: 10, overdue: 0, complianceRate: 0.3 },
      });

      expect(reflection.deltas).toEqual({});
    });

    it('appends one change line per violation type after the metric changes', () => {
      const reflection = reflect({
        previous: { metrics: metrics({ contacts: 10 }), hints: [] },
        cards: [
          blockedCard('research', 'research_before_followups_exhausted'),
          blockedCard('follow_up', 'do_not_contact', { contactId: 'c-1' }),
          blockedCard('follow_up', 'do_not_contact', { contactId: 'c-2' }),
        ],
      });

      expect(reflection.changes).toEqual([
        'actionsPlanned rose by 3 to 3',
        'actionsBlocked rose by 3 to 3',
        '1 action(s) blocked by research_before_followups_exhausted',
        '2 action(s) blocked by do_not_contact',
      ]);
    });
  });

  describe('hints', () => {
    it('gives no hints after a clean cycle', () => {
      expect(reflect({ cards: [card('done')] }).hints).toEqual([]);
    });

    it('asks to prioritise overdue contacts when any are overdue', () => {
      const reflection = reflect({ engagement: { contacts: 10, overdue: 3, complianceRate: 0.7 } });

      expect(reflection.hints).toEqual([
        {
          code: 'prioritise_overdue',
          detail: '3 contact(s) past the engagement window',
          overdueContacts: 3,
        },
      ]);
    });

    it(`avoids an action type blocked ${AVOID_AFTER_BLOCKS} times for one reason, for six hours`, () => {
      const cards = Array.from({ length: AVOID_AFTER_BLOCKS }, () =>
        blockedCard('research', 'research_before_followups_exhausted'),
      );

      const reflection = reflect({ cards });

      expect(AVOID_TYPE_MS).toBe(6 * 3_600_000);
      expect(reflection.hints).toEqual([
        {
          code: 'avoid_action_type',
          detail: `research was blocked ${AVOID_AFTER_BLOCKS} times by research_before_followups_exhausted`,
          actionType: 'research',
          violationType: 'research_before_followups_exhausted',
          until: hoursFromNow(6),
        },
      ]);
    });

    it.each([
      {
        case: 'a single block',
        cards: () => [blockedCard('research', 'research_before_followups_exhausted')],
      },
      {
        case: 'two blocks of one type for different reasons',
        cards: () => [
          blockedCard('research', 'research_before_followups_exhausted'),
          blockedCard('research', 'policy_error'),
        ],
      },
      {
        case: 'two blocks of the same reason on different types',
        cards: () => [
          blockedCard('research', 'unknown_action_type'),
          blockedCard('contact_discovery', 'unknown_action_type'),
        ],
      },
      {
        case: 'two blocks that target contacts',
        cards: () => [
          blockedCard('follow_up', 'recipient_suppressed', { contactId: 'c-1' }),
          blockedCard('follow_up', 'recipient_suppressed', { contactId: 'c-2' }),
        ],
      },
    ])('does not avoid an action type after $case', ({ cards }) => {
      const reflection = reflect({ cards: cards() });

      expect(codes(reflection.hints)).not.toContain('avoid_action_type');
    });

    it('avoids each contact whose outreach was blocked, for a day, naming the violation', () => {
      const reflection = reflect({
        cards: [
          blockedCard('follow_up', 'do_not_contact', { contactId: 'c-1' }),
          blockedCard('send_email', 'recipient_suppressed', { contactId: 'c-2', email: 'b@x.io' }),
        ],
      });

      expect(AVOID_CONTACT_MS).toBe(24 * 3_600_000);
      expect(reflection.hints).toEqual([
        {
          code: 'avoid_contact',
          detail: 'outreach to c-1 was blocked by do_not_contact',
          contactId: 'c-1',
          violationType: 'do_not_contact',
          until: hoursFromNow(24),
        },
        {
          code: 'avoid_contact',
          detail: 'outreach to c-2 was blocked by recipient_suppressed',
          contactId: 'c-2',
          violationType: 'recipient_suppressed',
          until: hoursFromNow(24),
        },
      ]);
    });

    it('avoids a contact blocked twice only once', () => {
      const reflection = reflect({
        cards: [
          blockedCard('follow_up', 'do_not_contact', { contactId: 'c-1' }),
          blockedCard('send_email', 'do_not_contact', { contactId: 'c-1' }),
        ],
      });

      expect(reflection.hints.filter((h) => h.code === 'avoid_contact')).toHaveLength(1);
    });

    it('does not avoid contacts of cards that were not blocked', () => {
      const reflection = reflect({
        cards: [card('failed', { target: { contactId: 'c-1' } }), card('deferred')],
      });

      expect(codes(reflection.hints)).not.toContain('avoid_contact');
    });

    it('asks to retry when actions failed', () => {
      const reflection = reflect({ cards: [card('failed'), card('failed'), card('done')] });

      expect(reflection.hints).toEqual([
        { code: 'retry_failed', detail: '2 action(s) failed', failed: 2 },
      ]);
    });

    it('orders hints as overdue, avoided types, avoided contacts, carried, then retries', () => {
      const reflection = reflect({
        engagement: { contacts: 5, overdue: 1, complianceRate: 0.8 },
        cards: [
          blockedCard('research', 'research_before_followups_exhausted'),
          blockedCard('research', 'research_before_followups_exhausted'),
          blockedCard('follow_up', 'do_not_contact', { contactId: 'c-1' }),
          card('failed'),
        ],
        previous: {
          metrics: metrics(),
          hints: [avoidContactHint('c-old', hoursFromNow(3))],
        },
      });

      expect(reflection.hints.map((h) => [h.code, 'contactId' in h ? h.contactId : ''])).toEqual([
        ['prioritise_overdue', ''],
        ['avoid_action_type', ''],
        ['avoid_contact', 'c-1'],
        ['avoid_contact', 'c-old'],
        ['retry_failed', ''],
      ]);
    });
  });

  describe('carrying hints forward', () => {
    it('carries unexpired avoid hints from the previous reflection unchanged', () => {
      const carriedType = avoidTypeHint('research', hoursFromNow(2));
      const carriedContact = avoidContactHint('c-9', hoursFromNow(20));

      const reflection = reflect({
        previous: { metrics: metrics({ contacts: 10 }), hints: [carriedType, carriedContact] },
      });

      expect(reflection.hints).toEqual([carriedType, carriedContact]);
    });

    it.each([
      { case: 'expired an hour ago', until: hoursFromNow(-1) },
      { case: 'expiring exactly now', until: hoursFromNow(0) },
    ])('drops an avoid hint $case', ({ until }) => {
      const reflection = reflect({
        previous: {
          metrics: metrics({ contacts: 10 }),
          hints: [avoidTypeHint('research', until), avoidContactHint('c-9', until)],
        },
      });

      expect(reflection.hints).toEqual([]);
    });

    it('does not carry hints that only describe the previous hour', () => {
      const reflection = reflect({
        previous: {
          metrics: metrics({ contacts: 10 }),
          hints: [
            { code: 'prioritise_overdue', detail: '4 overdue', overdueContacts: 4 },
            { code: 'retry_failed', detail: '1 failed', failed: 1 },
          ],
        },
      });

      expect(reflection.hints).toEqual([]);
    });

    it('replaces a renewed avoid hint with the fresh one instead of duplicating it', () => {
      // Prepare
      const previous = {
        metrics: metrics({ contacts: 10 }),
        hints: [
          avoidTypeHint('research', hoursFromNow(1)),
          avoidContactHint('c-1', hoursFromNow(1)),
        ],
      };

      // Act
      const reflection = reflect({
        previous,
        cards: [
          blockedCard('research', 'unknown_action_type'),
          blockedCard('research', 'unknown_action_type'),
          blockedCard('follow_up', 'recipient_suppressed', { contactId: 'c-1' }),
        ],
      });

      // Assess
      expect(reflection.hints).toEqual([
        expect.objectContaining({
          code: 'avoid_action_type',
          actionType: 'research',
          violationType: 'unknown_action_type',
          until: hoursFromNow(6),
        }),
        expect.objectContaining({
          code: 'avoid_contact',
          contactId: 'c-1',
          violationType: 'recipient_suppressed',
          until: hoursFromNow(24),
        }),
      ]);
    });

    it('keeps carried hints for other types and contacts next to renewed ones', () => {
      const reflection = reflect({
        previous: {
          metrics: metrics({ contacts: 10 }),
          hints: [
            avoidContactHint('c-1', hoursFromNow(5)),
            avoidContactHint('c-2', hoursFromNow(5)),
          ],
        },
        cards: [blockedCard('follow_up', 'do_not_contact', { contactId: 'c-1' })],
      });

      const avoided = reflection.hints.flatMap((h) =>
        h.code === 'avoid_contact' ? [[h.contactId, h.until]] : [],
      );
      expect(avoided).toEqual([
        ['c-1', hoursFromNow(24)],
        ['c-2', hoursFromNow(5)],
      ]);
    });
  });
});
