import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  localDateKey,
  localHourLabel,
  startOfNextLocalDay,
  startOfNextLocalHour,
  zonedInstant,
} from '../../../shared/domain/zoned-time.js';
import { exceededCap } from '../../../shared/domain/send-gate.js';

const DST_ZONES = [
  'America/Santiago',
  'America/Havana',
  'America/Asuncion',
  'Australia/Lord_Howe',
  'Europe/Berlin',
] as const;

function hourKey(instant: Date, timeZone: string): string {
  return `${localDateKey(instant, timeZone)}T${localHourLabel(instant, timeZone)}`;
}

describe('Domain: zoned time across daylight-saving changes', () => {
  it.each([
    {
      zone: 'America/Santiago',
      at: '2024-09-07T19:00:00.000Z',
      next: '2024-09-08T04:00:00.000Z',
      date: '2024-09-08',
      why: 'DST skips midnight',
    },
    {
      zone: 'America/Havana',
      at: '2024-03-09T17:00:00.000Z',
      next: '2024-03-10T05:00:00.000Z',
      date: '2024-03-10',
      why: 'DST skips midnight',
    },
    {
      zone: 'America/Asuncion',
      at: '2023-09-30T16:00:00.000Z',
      next: '2023-10-01T04:00:00.000Z',
      date: '2023-10-01',
      why: 'DST skips midnight',
    },
    {
      zone: 'America/Asuncion',
      at: '2024-03-23T15:00:00.000Z',
      next: '2024-03-24T04:00:00.000Z',
      date: '2024-03-24',
      why: 'DST ends at midnight and 23:00 repeats',
    },
  ])(
    'starts the next local day in $zone at $next, dated $date, when $why',
    ({ zone, at, next, date }) => {
      const start = startOfNextLocalDay(new Date(at), zone);
      expect(start.toISOString()).toBe(next);
      expect(localDateKey(start, zone)).toBe(date);
      expect(localDateKey(new Date(start.getTime() - 1), zone)).toBe(
        localDateKey(new Date(at), zone),
      );
    },
  );

  it('resolves a midnight that DST skips to the first instant after the gap', () => {
    expect(zonedInstant({ year: 2024, month: 9, day: 8 }, 'America/Santiago').toISOString()).toBe(
      '2024-09-08T04:00:00.000Z',
    );
    expect(zonedInstant({ year: 2024, month: 3, day: 10 }, 'America/Havana').toISOString()).toBe(
      '2024-03-10T05:00:00.000Z',
    );
  });

  it('steps local hours over the 30-minute Lord Howe shift in both directions', () => {
    const zone = 'Australia/Lord_Howe';
    // 2024-10-06 01:45 +10:30: 02:00–02:30 does not exist, so the next hour starts at 02:30 +11.
    const spring = startOfNextLocalHour(new Date('2024-10-05T15:15:00.000Z'), zone);
    expect(spring.toISOString()).toBe('2024-10-05T15:30:00.000Z');
    expect(hourKey(spring, zone)).toBe('2024-10-06T02');
    expect(startOfNextLocalHour(spring, zone).toISOString()).toBe('2024-10-05T16:00:00.000Z');
    // 2025-04-06 01:45 +11: 01:30–02:00 repeats, so hour 01 lasts until 02:00 +10:30.
    const autumn = startOfNextLocalHour(new Date('2025-04-05T14:45:00.000Z'), zone);
    expect(autumn.toISOString()).toBe('2025-04-05T15:30:00.000Z');
    expect(hourKey(autumn, zone)).toBe('2025-04-06T02');
  });

  it('defers a daily-cap send in Santiago to the next local day, not to the same evening', () => {
    const now = new Date('2024-09-07T23:00:00.000Z'); // 19:00 local on the eve of DST
    const limits = {
      perMonth: 1_000,
      perDay: 5,
      perHour: 100,
      perDomainPerHour: 100,
      minDelaySeconds: 0,
      dayCap: 'daily_cap' as const,
    };
    const counters = { month: 5, day: 5, hour: 0, domainHour: 0 };
    const cap = exceededCap(counters, limits, now, 'America/Santiago');
    expect(cap?.freesAt.toISOString()).toBe('2024-09-08T04:00:00.000Z');
    expect(localDateKey(cap!.freesAt, 'America/Santiago')).toBe('2024-09-08');
  });

  it('starts the hour after 01:xx on the night DST ends at the first pass of the repeated 02:00 (Berlin 2024-10-27)', () => {
    const at = new Date('2024-10-26T23:30:00.000Z'); // 01:30 CEST

    const next = startOfNextLocalHour(at, 'Europe/Berlin');

    expect(next.toISOString()).toBe('2024-10-27T00:00:00.000Z'); // 02:00 CEST, not 02:00 CET
    expect(startOfNextLocalHour(next, 'Europe/Berlin').toISOString()).toBe(
      '2024-10-27T01:00:00.000Z', // the second pass, 02:00 CET
    );
  });

  it('always starts the next local day and hour later and on a new date or hour, in every DST zone', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...DST_ZONES),
        fc.integer({ min: Date.UTC(2023, 0, 1), max: Date.UTC(2026, 0, 1) }),
        (zone, ms) => {
          const at = new Date(ms);
          const day = startOfNextLocalDay(at, zone);
          expect(day.getTime()).toBeGreaterThan(ms);
          expect(localDateKey(day, zone) > localDateKey(at, zone)).toBe(true);
          expect(localDateKey(new Date(day.getTime() - 1), zone)).toBe(localDateKey(at, zone));
          const hour = startOfNextLocalHour(at, zone);
          expect(hour.getTime()).toBeGreaterThan(ms);
          expect(hourKey(new Date(hour.getTime() - 1), zone)).toBe(hourKey(at, zone));
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
