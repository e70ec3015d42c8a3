import { describe, expect, it } from 'vitest';
import {
  MAX_IDLE_MS,
  approvalWakeTimes,
  cardKeepsTenantBusy,
  idleHours,
  nextWakeAt,
} from '../../../shared/domain/wake.js';

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

describe('Domain: which cards keep a tenant busy', () => {
  it('does not wake the tenant hourly for research deferred for want of a provider', () => {
    expect(
      cardKeepsTenantBusy({ status: 'deferred', result: { reason: 'no_research_provider' } }),
    ).toBe(false);
  });

  it('does not wake the tenant hourly for a touch whose approval still awaits a decision', () => {
    expect(
      cardKeepsTenantBusy({ status: 'awaiting_approval', result: { approval: 'awaiting' } }),
    ).toBe(false);
  });

  it.each([
    [
      'a card whose approval was approved',
      { status: 'awaiting_approval', result: { approval: 'approved' } },
    ],
    ['a done card', { status: 'done', result: {} }],
    ['a card deferred for another reason', { status: 'deferred', result: { reason: 'window' } }],
    ['a deferred card without a reason', { status: 'deferred' }],
    ['a blocked card', { status: 'blocked', result: { reason: 'no_research_provider' } }],
  ])('keeps the tenant busy for %s', (_case, card) => {
    expect(cardKeepsTenantBusy(card)).toBe(true);
  });
});

describe('Domain: approval wake times', () => {
  it("lists the deadlines of this cycle's held cards and the earliest older open approval", () => {
    const cards = [
      { status: 'awaiting_approval', result: { approval: 'awaiting', expiresAt: at(24) } },
      { status: 'awaiting_approval', result: { approval: 'approved' } },
      { status: 'done', result: { expiresAt: at(2) } },
    ];

    expect(approvalWakeTimes(cards, at(3))).toEqual([at(24), at(3)]);
    expect(approvalWakeTimes(cards, undefined)).toEqual([at(24)]);
    expect(approvalWakeTimes([], undefined)).toEqual([]);
  });
});
