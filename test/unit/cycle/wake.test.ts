import { describe, expect, it } from 'vitest';
import { MAX_IDLE_MS, idleHours, nextWakeAt } from '../../../shared/domain/wake.js';

const HOUR = new Date('2026-01-05T08:00:00.000Z');
const NOW = new Date('2026-01-05T08:03:00.000Z');
const at = (hours: number) => new Date(HOUR.getTime() + hours * 3_600_000).toISOString();

describe('Domain: next wake time', () => {
  it('wakes a busy tenant at the next hour', () => {
    expect(nextWakeAt({ hourStart: HOUR, now: NOW, busy: true, upcoming: [at(30)] })).toEqual(
      new Date(at(1)),
    );
  });

  it('wakes an idle tenant when its earliest contact falls due or a hint expires', () => {
    expect(
      nextWakeAt({ hourStart: HOUR, now: NOW, busy: false, upcoming: [at(9), undefined, at(5)] }),
    ).toEqual(new Date(at(5)));
  });

  it('wakes an idle tenant no later than a day after its cycle hour', () => {
    expect(nextWakeAt({ hourStart: HOUR, now: NOW, busy: false, upcoming: [at(500)] })).toEqual(
      new Date(HOUR.getTime() + MAX_IDLE_MS),
    );
  });

  it('ignores instants already past and never wakes within the same hour', () => {
    expect(
      nextWakeAt({
        hourStart: HOUR,
        now: NOW,
        busy: false,
        upcoming: ['2026-01-05T07:00:00.000Z', '2026-01-05T08:30:00.000Z', 'not a date'],
      }),
    ).toEqual(new Date(at(1)));
  });
});

describe('Domain: idle hours', () => {
  it('lists the hours after a run and before its wake time or the next run, whichever is first', () => {
    const runs = [
      { hourKey: '2026010508', status: 'SUCCEEDED', nextWakeAt: at(4) },
      { hourKey: '2026010511', status: 'SUCCEEDED', nextWakeAt: at(5) },
    ];
    expect(idleHours(runs, '2026010514')).toEqual(['2026010509', '2026010510', '2026010512']);
  });

  it('calls no hour idle after a run without a wake time or a run that did not succeed', () => {
    const runs = [
      { hourKey: '2026010508', status: 'SUCCEEDED' },
      { hourKey: '2026010509', status: 'FAILED', nextWakeAt: at(5) },
    ];
    expect(idleHours(runs, '2026010514')).toEqual([]);
  });

  it('stops at the last hour of the window', () => {
    const runs = [{ hourKey: '2026010508', status: 'SUCCEEDED', nextWakeAt: at(24) }];
    expect(idleHours(runs, '2026010510')).toEqual(['2026010509', '2026010510']);
  });
});
