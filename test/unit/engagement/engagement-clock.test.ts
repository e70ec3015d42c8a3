import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ENGAGEMENT_WINDOW_DAYS,
  TOUCH_ACTORS,
  TOUCH_TYPES,
  computeAccountClock,
  computeClock,
  recordTouch,
  refreshClock,
  touchSchema,
  type EngagementClock,
  type Touch,
} from '../../../shared/domain/engagement/engagement-clock.js';
import { ValidationError } from '../../../shared/errors.js';

const DAY = 86_400_000;
const CREATED = '2026-01-01T00:00:00.000Z';
const CREATED_MS = Date.parse(CREATED);

function at(days: number): string {
  return new Date(CREATED_MS + days * DAY).toISOString();
}

function touch(days: number, type: Touch['type'] = 'email_out', by: Touch['by'] = 'agent'): Touch {
  return { type, at: at(days), by };
}

const touchArb: fc.Arbitrary<Touch> = fc.record({
  type: fc.constantFrom(...TOUCH_TYPES),
  by: fc.constantFrom(...TOUCH_ACTORS),
  // Whole minutes across a year, so equal instants (ties) do occur.
  at: fc
    .integer({ min: 0, max: 365 * 24 * 60 })
    .map((minutes) => new Date(CREATED_MS + minutes * 60_000).toISOString()),
});

const nowArb = fc.integer({ min: 0, max: 500 * DAY }).map((ms) => new Date(CREATED_MS + ms));

describe('Domain: engagementClock', () => {
  describe('computeClock', () => {
    it.each([
      {
        case: 'a new contact inside its first window',
        touches: [],
        nowDays: 10,
        due: at(21),
        status: 'compliant',
        daysOverdue: 0,
      },
      {
        case: 'a new contact never touched after its window',
        touches: [],
        nowDays: 25,
        due: at(21),
        status: 'overdue',
        daysOverdue: 4,
      },
      {
        case: 'a contact touched 20 days ago',
        touches: [touch(5)],
        nowDays: 25,
        due: at(26),
        status: 'compliant',
        daysOverdue: 0,
      },
      {
        case: 'a contact exactly at its due instant',
        touches: [touch(5)],
        nowDays: 26,
        due: at(26),
        status: 'compliant',
        daysOverdue: 0,
      },
      {
        case: 'a contact one hour past due',
        touches: [touch(5)],
        nowDays: 26 + 1 / 24,
        due: at(26),
        status: 'overdue',
        daysOverdue: 1,
      },
      {
        case: 'the latest of unordered touches',
        touches: [touch(30), touch(2), touch(12)],
        nowDays: 40,
        due: at(51),
        status: 'compliant',
        daysOverdue: 0,
      },
      {
        case: 'a touch before the contact was created',
        touches: [touch(-10)],
        nowDays: 15,
        due: at(11),
        status: 'overdue',
        daysOverdue: 4,
      },
    ])('computes $case', ({ touches, nowDays, due, status, daysOverdue }) => {
      const clock = computeClock(touches, { now: new Date(at(nowDays)), createdAt: CREATED });

      expect(clock).toMatchObject({ nextDueAt: due, status, daysOverdue });
    });

    it('accepts a single last touch and keeps it on the clock', () => {
      const last = touch(3, 'call', 'human');

      const clock = computeClock(last, { now: new Date(at(4)), createdAt: CREATED });

      expect(clock).toEqual({
        lastTouch: last,
        nextDueAt: at(24),
        status: 'compliant',
        daysOverdue: 0,
      });
    });

    it('uses the window it is given', () => {
      const clock = computeClock([touch(0)], {
        now: new Date(at(8)),
        createdAt: CREATED,
        windowDays: 7,
      });

      expect(clock).toMatchObject({ nextDueAt: at(7), status: 'overdue', daysOverdue: 1 });
    });

    it('normalises instants with offsets to UTC', () => {
      const clock = computeClock(
        [{ type: 'email_in', at: '2026-01-02T01:00:00+01:00', by: 'contact' }],
        {
          now: new Date(at(2)),
          createdAt: CREATED,
        },
      );

      expect(clock.lastTouch?.at).toBe('2026-01-02T00:00:00.000Z');
    });

    it('breaks a tie at the same instant by the stronger touch', () => {
      const email = touch(4, 'email_out', 'agent');
      const meeting = touch(4, 'meeting', 'human');

      const one = computeClock([email, meeting], { now: new Date(at(5)), createdAt: CREATED });
      const other = computeClock([meeting, email], { now: new Date(at(5)), createdAt: CREATED });

      expect(one.lastTouch).toEqual(meeting);
      expect(other).toEqual(one);
    });

    it.each([
      {
        case: 'an unreadable touch instant',
        run: () =>
          computeClock([{ type: 'call', at: 'soon', by: 'agent' }], {
            now: new Date(at(1)),
            createdAt: CREATED,
          }),
        field: 'touch.at',
      },
      {
        case: 'an unreadable creation instant',
        run: () => computeClock([], { now: new Date(at(1)), createdAt: 'yesterday' }),
        field: 'createdAt',
      },
      {
        case: 'a zero window',
        run: () => computeClock([], { now: new Date(at(1)), createdAt: CREATED, windowDays: 0 }),
        field: 'windowDays',
      },
      {
        case: 'an unknown touch type',
        run: () =>
          computeClock([{ type: 'fax', at: at(0), by: 'agent' } as unknown as Touch], {
            now: new Date(at(1)),
            createdAt: CREATED,
          }),
        field: 'touch.type',
      },
    ])('rejects $case naming the field', ({ run, field }) => {
      expect(run).toThrow(ValidationError);
      expect(run).toThrow(new RegExp(`^${field.replace('.', '\\.')}: `));
    });

    it('defaults to the 21-day window of the seeds', () => {
      expect(DEFAULT_ENGAGEMENT_WINDOW_DAYS).toBe(21);
    });
  });

  describe('recordTouch', () => {
    it('moves the clock forward for a newer touch', () => {
      const clock = computeClock([touch(1)], { now: new Date(at(30)), createdAt: CREATED });

      const next = recordTouch(clock, touch(29, 'email_in', 'contact'), { now: new Date(at(30)) });

      expect(next).toEqual({
        lastTouch: touch(29, 'email_in', 'contact'),
        nextDueAt: at(50),
        status: 'compliant',
        daysOverdue: 0,
      });
    });

    it('ignores a touch older than the last one (out-of-order delivery)', () => {
      const clock = computeClock([touch(20)], { now: new Date(at(25)), createdAt: CREATED });

      const next = recordTouch(clock, touch(3), { now: new Date(at(25)) });

      expect(next).toEqual(clock);
    });

    it('replaces the creation baseline of a never-touched contact', () => {
      const clock = computeClock([], { now: new Date(at(30)), createdAt: CREATED });

      const next = recordTouch(clock, touch(28), { now: new Date(at(30)) });

      expect(clock.status).toBe('overdue');
      expect(next).toMatchObject({ nextDueAt: at(49), status: 'compliant' });
    });

    it('is idempotent: recording the same touch twice changes nothing more', () => {
      const clock = computeClock([], { now: new Date(at(2)), createdAt: CREATED });
      const once = recordTouch(clock, touch(1), { now: new Date(at(2)) });

      expect(recordTouch(once, touch(1), { now: new Date(at(2)) })).toEqual(once);
    });
  });

  it('refreshClock re-judges a stored clock at a later instant', () => {
    const clock = computeClock([touch(0)], { now: new Date(at(1)), createdAt: CREATED });

    expect(refreshClock(clock, new Date(at(23)))).toMatchObject({
      nextDueAt: at(21),
      status: 'overdue',
      daysOverdue: 2,
    });
  });

  describe('computeAccountClock', () => {
    it('follows the most recent touch across the account contacts', () => {
      const contacts: EngagementClock[] = [
        computeClock([touch(2)], { now: new Date(at(30)), createdAt: CREATED }),
        computeClock([touch(15, 'call', 'human')], { now: new Date(at(30)), createdAt: CREATED }),
        computeClock([], { now: new Date(at(30)), createdAt: CREATED }),
      ];

      const account = computeAccountClock(contacts, { now: new Date(at(30)), createdAt: CREATED });

      expect(account).toEqual({
        lastTouch: touch(15, 'call', 'human'),
        nextDueAt: at(36),
        status: 'compliant',
        daysOverdue: 0,
      });
    });

    it('runs from the account creation when no contact was touched', () => {
      const account = computeAccountClock([], { now: new Date(at(22)), createdAt: CREATED });

      expect(account).toMatchObject({ nextDueAt: at(21), status: 'overdue', daysOverdue: 1 });
    });
  });

  it('parses touches at the boundary and rejects unknown types', () => {
    expect(
      touchSchema.parse({ type: 'call', at: '2026-01-01T10:00:00+02:00', by: 'human' }).at,
    ).toBe('2026-01-01T08:00:00.000Z');
    expect(touchSchema.safeParse({ type: 'fax', at: CREATED, by: 'human' }).success).toBe(false);
  });

  describe('properties over random touch histories', () => {
    it('gives the same clock whatever order the touches are recorded in', () => {
      fc.assert(
        fc.property(
          fc.array(touchArb, { maxLength: 15 }).chain((touches) =>
            fc.tuple(
              fc.constant(touches),
              fc.shuffledSubarray(touches, {
                minLength: touches.length,
                maxLength: touches.length,
              }),
            ),
          ),
          nowArb,
          ([touches, shuffled], now) => {
            const start = computeClock([], { now, createdAt: CREATED });
            const fold = (list: readonly Touch[]) =>
              list.reduce((clock, next) => recordTouch(clock, next, { now }), start);

            expect(fold(shuffled)).toEqual(fold(touches));
            if (touches.length > 0)
              expect(fold(touches)).toEqual(computeClock(touches, { now, createdAt: CREATED }));
          },
        ),
      );
    });

    it('is idempotent: applying every touch again changes nothing', () => {
      fc.assert(
        fc.property(fc.array(touchArb, { minLength: 1, maxLength: 10 }), nowArb, (touches, now) => {
          const once = computeClock(touches, { now, createdAt: CREATED });

          const twice = touches.reduce((clock, next) => recordTouch(clock, next, { now }), once);

          expect(twice).toEqual(once);
        }),
      );
    });

    it('puts nextDueAt at the latest touch plus the window', () => {
      fc.assert(
        fc.property(
          fc.array(touchArb, { minLength: 1, maxLength: 15 }),
          nowArb,
          fc.integer({ min: 1, max: 90 }),
          (touches, now, windowDays) => {
            const latest = Math.max(...touches.map((t) => Date.parse(t.at)));

            const clock = computeClock(touches, { now, createdAt: CREATED, windowDays });

            expect(Date.parse(clock.nextDueAt)).toBe(latest + windowDays * DAY);
            expect(Date.parse(clock.lastTouch?.at ?? '')).toBe(latest);
          },
        ),
      );
    });

    it('is overdue iff now is after nextDueAt, with days overdue rounded up', () => {
      fc.assert(
        fc.property(fc.array(touchArb, { maxLength: 10 }), nowArb, (touches, now) => {
          const clock = computeClock(touches, { now, createdAt: CREATED });
          const lateMs = now.getTime() - Date.parse(clock.nextDueAt);

          expect(clock.status === 'overdue').toBe(lateMs > 0);
          expect(clock.daysOverdue).toBe(lateMs > 0 ? Math.ceil(lateMs / DAY) : 0);
          expect(clock.status === 'overdue').toBe(clock.daysOverdue >= 1);
        }),
      );
    });
  });
});
