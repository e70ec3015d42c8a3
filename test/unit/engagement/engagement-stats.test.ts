import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { engagementStats } from '../../../shared/domain/engagement/engagement-stats.js';

const NOW = new Date('2026-03-01T12:00:00.000Z');

function due(offsetHours: number): { nextDueAt: string } {
  return { nextDueAt: new Date(NOW.getTime() + offsetHours * 3_600_000).toISOString() };
}

describe('Domain: engagementStats', () => {
  it.each([
    {
      case: 'no contacts as fully compliant',
      clocks: [],
      expected: { contacts: 0, compliant: 0, overdue: 0, complianceRate: 1 },
    },
    {
      case: 'all compliant',
      clocks: [due(1), due(48)],
      expected: { contacts: 2, compliant: 2, overdue: 0, complianceRate: 1 },
    },
    {
      case: 'a clock due exactly now as compliant',
      clocks: [due(0)],
      expected: { contacts: 1, compliant: 1, overdue: 0, complianceRate: 1 },
    },
    {
      case: 'a mix',
      clocks: [due(-1), due(5), due(-200), due(10)],
      expected: { contacts: 4, compliant: 2, overdue: 2, complianceRate: 0.5 },
    },
    {
      case: 'an unreadable due date as overdue',
      clocks: [{ nextDueAt: 'never' }, due(5)],
      expected: { contacts: 2, compliant: 1, overdue: 1, complianceRate: 0.5 },
    },
  ])('counts $case', ({ clocks, expected }) => {
    expect(engagementStats(clocks, NOW)).toEqual(expected);
  });

  it('judges by nextDueAt, not by a stale stored status', () => {
    const stale = { ...due(-5), status: 'compliant' as const, daysOverdue: 0 };

    expect(engagementStats([stale], NOW).overdue).toBe(1);
  });

  it('keeps counts summing to the total and the rate in [0, 1]', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -1_000, max: 1_000 }).map(due), { maxLength: 60 }),
        (clocks) => {
          const stats = engagementStats(clocks, NOW);

          expect(stats.compliant + stats.overdue).toBe(stats.contacts);
          expect(stats.contacts).toBe(clocks.length);
          expect(stats.complianceRate).toBeGreaterThanOrEqual(0);
          expect(stats.complianceRate).toBeLessThanOrEqual(1);
          if (stats.contacts > 0)
            expect(stats.complianceRate).toBe(stats.compliant / stats.contacts);
        },
      ),
    );
  });
});
