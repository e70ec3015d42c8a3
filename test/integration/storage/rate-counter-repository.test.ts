import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counterWindow, type SendLimits } from '../../../shared/domain/send-gate.js';
import { RateCounterRepository } from '../../../shared/storage/rate-counter-repository.js';
import { createTestTable, type TestTable } from '../../helpers/local-table.js';

const LIMITS: SendLimits = {
  perHour: 20,
  perDay: 150,
  perMonth: 3_000,
  perDomainPerHour: 1_000,
  minDelaySeconds: 0,
  dayCap: 'daily_cap',
};

describe('Storage: RateCounterRepository', () => {
  let table: TestTable;
  let rates: RateCounterRepository;

  beforeAll(async () => {
    table = await createTestTable();
    rates = new RateCounterRepository(table);
  });

  afterAll(async () => {
    await table.dispose();
  });

  it('lets exactly the cap through when 40 senders reserve at once, with one UpdateItem each', async () => {
    // Prepare
    const now = new Date('2026-01-05T09:10:00.000Z');
    const window = counterWindow(now, 'UTC', 'x@a.example');
    table.requestCounts.clear();

    // Act
    const results = await Promise.all(
      Array.from({ length: 40 }, () =>
        rates.reserve('concurrent', window, LIMITS, now, { month: 0 }),
      ),
    );

    // Assess
    expect(results.filter((r) => r.reserved)).toHaveLength(20);
    expect(await rates.getDay('concurrent', '2026-01-05')).toMatchObject({
      day: 20,
      h09: 20,
      month: 20,
    });
    expect(table.requestCounts.get('UpdateItemCommand')).toBe(40);
    expect(table.requestCounts.get('TransactWriteItemsCommand')).toBeUndefined();
  });

  it('checks the per-domain hour, the month and the minimum delay in the same condition', async () => {
    // Prepare
    const now = new Date('2026-01-05T10:00:00.000Z');
    const window = counterWindow(now, 'UTC', 'x@b.example');
    const limits = { ...LIMITS, perDomainPerHour: 2, minDelaySeconds: 30 };

    // Act
    const first = await rates.reserve('windows', window, limits, now, { month: 0 });
    const tooSoon = await rates.reserve(
      'windows',
      window,
      limits,
      new Date(now.getTime() + 10_000),
      { month: 0 },
    );
    const later = new Date(now.getTime() + 31_000);
    const second = await rates.reserve(
      'windows',
      counterWindow(later, 'UTC', 'x@b.example'),
      limits,
      later,
      { month: 0 },
    );
    const third = await rates.reserve(
      'windows',
      counterWindow(later, 'UTC', 'x@b.example'),
      { ...limits, minDelaySeconds: 0 },
      later,
      { month: 0 },
    );
    const monthFull = await rates.reserve(
      'windows',
      counterWindow(later, 'UTC', 'y@c.example'),
      { ...limits, minDelaySeconds: 0, perMonth: 2 },
      later,
      { month: 0 },
    );

    // Assess
    expect([
      first.reserved,
      tooSoon.reserved,
      second.reserved,
      third.reserved,
      monthFull.reserved,
    ]).toEqual([true, false, true, false, false]);
  });

  it('carries the month forward by sealing the previous day, so a late reservation on it fails', async () => {
    // Prepare: 3 sends on the 5th.
    const day1 = new Date('2026-01-05T22:00:00.000Z');
    const window1 = counterWindow(day1, 'UTC', 'x@a.example');
    for (let i = 0; i < 3; i += 1)
      await rates.reserve('rollover', window1, LIMITS, day1, { month: 0 });
    const day2 = new Date('2026-01-06T08:00:00.000Z');
    const window2 = counterWindow(day2, 'UTC', 'x@a.example');

    // Act
    const base = await rates.carryForward('rollover', window2);
    const late = await rates.reserve('rollover', window1, LIMITS, day1, { month: 0 });
    const next = await rates.reserve('rollover', window2, LIMITS, day2, base);

    // Assess
    expect(base).toEqual({ month: 3, lastSentAt: day1.toISOString() });
    expect(late.reserved).toBe(false);
    expect(next).toMatchObject({ reserved: true, counters: { month: 4, day: 1 } });
    expect(await rates.getDay('rollover', '2026-01-05')).toMatchObject({ sealed: true, month: 3 });
  });

  it('starts a new month at zero but keeps the last send for the minimum delay', async () => {
    // Prepare
    const jan = new Date('2026-01-31T23:59:50.000Z');
    await rates.reserve('newmonth', counterWindow(jan, 'UTC', 'x@a.example'), LIMITS, jan, {
      month: 0,
    });

    // Act
    const base = await rates.carryForward(
      'newmonth',
      counterWindow(new Date('2026-02-01T00:00:05.000Z'), 'UTC', 'x@a.example'),
    );

    // Assess
    expect(base).toEqual({ month: 0, lastSentAt: jan.toISOString() });
  });

  it('gives a reserved send back when it did not happen, but never on a sealed day', async () => {
    // Prepare
    const now = new Date('2026-01-07T09:00:00.000Z');
    const window = counterWindow(now, 'UTC', 'x@a.example');
    await rates.reserve('release', window, LIMITS, now, { month: 5 });

    // Act
    const released = await rates.release('release', window);
    await rates.carryForward(
      'release',
      counterWindow(new Date('2026-01-08T09:00:00.000Z'), 'UTC', 'x@a.example'),
    );
    await rates.reserve('release', window, LIMITS, now, { month: 5 });
    const afterSeal = await rates.release('release', window);

    // Assess
    expect(released).toBe(true);
    expect(afterSeal).toBe(false);
    expect(await rates.getDay('release', '2026-01-07')).toMatchObject({ day: 0, month: 5, h09: 0 });
  });

  it('sums sends, bounces and complaints over a range of days', async () => {
    // Prepare
    const now = new Date('2026-01-10T09:00:00.000Z');
    await rates.reserve('stats', counterWindow(now, 'UTC', 'x@a.example'), LIMITS, now, {
      month: 0,
    });
    await rates.recordFeedback('stats', '2026-01-10', 'bounce', now);
    await rates.recordFeedback('stats', '2026-01-09', 'complaint', now);
    await rates.recordFeedback('stats', '2026-01-09', 'soft_bounce', now);

    // Act
    const stats = await rates.stats('stats', '2026-01-04', '2026-01-10');

    // Assess
    expect(stats).toEqual({ sends: 1, bounces: 1, softBounces: 1, complaints: 1 });
  });
});
