import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PRIORITY_WEIGHTS,
  rankCandidate,
  selectNextContactsToTouch,
  type TouchCandidate,
} from '../../../shared/domain/engagement/contact-selection.js';
import { TOUCH_ACTORS, TOUCH_TYPES } from '../../../shared/domain/engagement/engagement-clock.js';

const DAY = 86_400_000;
const NOW = new Date('2026-03-01T12:00:00.000Z');

function daysAgo(days: number): string {
  return new Date(NOW.getTime() - days * DAY).toISOString();
}

/** A contact last emailed `lastTouchDaysAgo` days ago (21-day window: 22 days ago is 1 day overdue). */
function candidate(
  contactId: string,
  lastTouchDaysAgo: number,
  extra: Partial<TouchCandidate> = {},
): TouchCandidate {
  return {
    contactId,
    createdAt: daysAgo(400),
    lastTouch: { type: 'email_out', at: daysAgo(lastTouchDaysAgo), by: 'agent' },
    ...extra,
  };
}

describe('Domain: selectNextContactsToTouch', () => {
  it('ranks the most overdue contact first', () => {
    const candidates = [candidate('a', 25), candidate('b', 40), candidate('c', 30)];

    const selected = selectNextContactsToTouch(candidates, { now: NOW, limit: 10 });

    expect(selected.map((ranked) => ranked.contact.contactId)).toEqual(['b', 'c', 'a']);
    expect(selected.map((ranked) => ranked.daysOverdue)).toEqual([19, 9, 4]);
  });

  it.each([
    {
      case: 'account value',
      better: candidate('z', 30, { accountValue: 1_000_000 }),
      worse: candidate('a', 30, { accountValue: 1_000 }),
    },
    {
      case: 'open deals and orders',
      better: candidate('z', 30, { openDeals: 2, openOrders: 1 }),
      worse: candidate('a', 30, { openDeals: 1 }),
    },
    {
      case: 'a recent inbound message',
      better: candidate('z', 30, { lastInboundAt: daysAgo(2) }),
      worse: candidate('a', 30, { lastInboundAt: daysAgo(20) }),
    },
  ])('orders contacts equally overdue by $case', ({ better, worse }) => {
    const selected = selectNextContactsToTouch([worse, better], { now: NOW, limit: 2 });

    expect(selected.map((ranked) => ranked.contact.contactId)).toEqual([
      better.contactId,
      worse.contactId,
    ]);
  });

  it('lets one more day overdue outweigh every other factor combined', () => {
    const rich = candidate('rich', 30, {
      accountValue: 1e12,
      openDeals: 50,
      lastInboundAt: daysAgo(1),
    });
    const later = candidate('later', 31);

    const selected = selectNextContactsToTouch([rich, later], { now: NOW, limit: 2 });

    expect(selected[0]?.contact.contactId).toBe('later');
    const w = PRIORITY_WEIGHTS;
    expect(
      w.accountValue * w.accountValueLogCap + w.openItem * w.openItemsCap + w.recentInbound,
    ).toBeLessThan(w.daysOverdue);
  });

  it('breaks equal scores by contact id', () => {
    const selected = selectNextContactsToTouch(
      [candidate('c-2', 30), candidate('c-10', 30), candidate('c-1', 30)],
      {
        now: NOW,
        limit: 3,
      },
    );

    expect(selected.map((ranked) => ranked.contact.contactId)).toEqual(['c-1', 'c-10', 'c-2']);
  });

  it.each([
    { case: 'suppressed', extra: { suppressed: true } },
    { case: 'on a do-not-contact list', extra: { doNotContact: true } },
  ])('leaves out a contact that is $case', ({ extra }) => {
    const selected = selectNextContactsToTouch(
      [candidate('blocked', 60, extra), candidate('ok', 25)],
      { now: NOW, limit: 5 },
    );

    expect(selected.map((ranked) => ranked.contact.contactId)).toEqual(['ok']);
  });

  it('leaves out contacts that are not overdue', () => {
    const selected = selectNextContactsToTouch([candidate('fresh', 3), candidate('due-now', 21)], {
      now: NOW,
      limit: 5,
    });

    expect(selected).toEqual([]);
  });

  it('counts a never-touched contact from its creation', () => {
    const selected = selectNextContactsToTouch([{ contactId: 'new', createdAt: daysAgo(24) }], {
      now: NOW,
      limit: 5,
    });

    expect(selected[0]).toMatchObject({ daysOverdue: 3, clock: { status: 'overdue' } });
  });

  it.each([
    { case: 'caps the result at the limit', limit: 2, expected: 2 },
    { case: 'selects none for a zero limit', limit: 0, expected: 0 },
    { case: 'selects none for a negative limit', limit: -3, expected: 0 },
    { case: 'selects none for a limit that is not a number', limit: Number.NaN, expected: 0 },
    { case: 'rounds a fractional limit down', limit: 2.9, expected: 2 },
  ])('$case', ({ limit, expected }) => {
    const candidates = [candidate('a', 25), candidate('b', 26), candidate('c', 27)];

    expect(selectNextContactsToTouch(candidates, { now: NOW, limit })).toHaveLength(expected);
  });

  it('counts a contact listed twice once, with its best score', () => {
    const selected = selectNextContactsToTouch([candidate('dup', 25), candidate('dup', 40)], {
      now: NOW,
      limit: 5,
    });

    expect(selected).toHaveLength(1);
    expect(selected[0]?.daysOverdue).toBe(19);
  });

  it('explains the score by its factors', () => {
    const ranked = rankCandidate(
      candidate('a', 23, { accountValue: 999, openOrders: 2, lastInboundAt: daysAgo(1) }),
      { now: NOW },
    );

    expect(ranked.factors).toEqual({
      overdue: 200,
      accountValue: 15,
      openItems: 8,
      recentInbound: 20,
    });
    expect(ranked.score).toBe(243);
  });

  it('boosts a contact whose last touch was their own message', () => {
    const ranked = rankCandidate(
      {
        contactId: 'a',
        createdAt: daysAgo(100),
        lastTouch: { type: 'email_in', at: daysAgo(3), by: 'contact' },
      },
      { now: NOW },
    );

    expect(ranked.factors.recentInbound).toBe(PRIORITY_WEIGHTS.recentInbound);
  });

  it('returns the caller’s candidate objects so extra fields pass through', () => {
    const withEmail = { ...candidate('a', 30), email: 'a@x.example' };

    const [selected] = selectNextContactsToTouch([withEmail], { now: NOW, limit: 1 });

    expect(selected?.contact.email).toBe('a@x.example');
  });

  it('selects at most limit overdue, contactable contacts, sorted by score', () => {
    const candidateArb: fc.Arbitrary<TouchCandidate> = fc.record(
      {
        contactId: fc.stringMatching(/^c-[0-9]{1,3}$/),
        createdAt: fc.integer({ min: 0, max: 200 }).map(daysAgo),
        lastTouch: fc.record({
          type: fc.constantFrom(...TOUCH_TYPES),
          by: fc.constantFrom(...TOUCH_ACTORS),
          at: fc.integer({ min: 0, max: 120 * 24 }).map((hours) => daysAgo(hours / 24)),
        }),
        lastInboundAt: fc.integer({ min: 0, max: 60 }).map(daysAgo),
        accountValue: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e10, noNaN: true })),
        openDeals: fc.nat(8),
        openOrders: fc.nat(8),
        suppressed: fc.boolean(),
        doNotContact: fc.boolean(),
      },
      { requiredKeys: ['contactId', 'createdAt'] },
    );

    fc.assert(
      fc.property(
        fc.array(candidateArb, { maxLength: 40 }),
        fc.integer({ min: -2, max: 15 }),
        (candidates, limit) => {
          const selected = selectNextContactsToTouch(candidates, { now: NOW, limit });

          expect(selected.length).toBeLessThanOrEqual(Math.max(limit, 0));
          expect(new Set(selected.map((ranked) => ranked.contact.contactId)).size).toBe(
            selected.length,
          );
          for (const ranked of selected) {
            expect(ranked.clock.status).toBe('overdue');
            expect(ranked.contact.suppressed === true || ranked.contact.doNotContact === true).toBe(
              false,
            );
          }
          for (let index = 1; index < selected.length; index += 1) {
            const previous = selected[index - 1];
            const current = selected[index];
            if (!previous || !current) continue;
            expect(previous.score).toBeGreaterThanOrEqual(current.score);
            expect(previous.daysOverdue).toBeGreaterThanOrEqual(current.daysOverdue);
          }
        },
      ),
    );
  });
});
