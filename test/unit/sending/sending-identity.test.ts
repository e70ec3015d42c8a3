import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/errors.js';
import { WARM_UP_LADDER } from '../../../shared/domain/sending-settings.js';
import {
  identityCap,
  identityCapExceeded,
  identityDateKey,
  identityWarmUpStatus,
  sendingIdentityOf,
  type IdentityWarmUpState,
} from '../../../shared/domain/sending-identity.js';

const NOW = new Date('2026-01-12T10:00:00.000Z');
const ON = { enabled: true, phaseDays: 7 };
const OFF = { enabled: false, phaseDays: 7 };
const HEALTHY = { sends: 200, bounces: 2, softBounces: 5, complaints: 0 };
const BOUNCING = { sends: 40, bounces: 3, softBounces: 0, complaints: 0 };
const daysBefore = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();

describe('Domain: sendingIdentityOf', () => {
  it.each([
    { case: 'a plain address', from: 'agent@northwind.example', identity: 'northwind.example' },
    {
      case: 'mixed case and a subdomain',
      from: 'Agent@Mail.NorthWind.Example',
      identity: 'mail.northwind.example',
    },
    { case: 'a trailing dot', from: 'agent@northwind.example.', identity: 'northwind.example' },
    { case: 'a quoted local part with @', from: '"a@b"@acme.example', identity: 'acme.example' },
  ])('takes the From domain of $case', ({ from, identity }) => {
    expect(sendingIdentityOf(from)).toBe(identity);
  });

  it.each([
    { case: 'no @', from: 'northwind.example' },
    { case: 'an empty domain', from: 'agent@' },
    { case: 'a domain with a space', from: 'agent@north wind.example' },
    { case: 'a domain with a #', from: 'agent@a#b.example' },
    { case: 'a non-ASCII domain', from: 'agent@bücher.example' },
  ])('rejects $case with a ValidationError on fromAddress', ({ from }) => {
    expect(() => sendingIdentityOf(from)).toThrow(
      expect.objectContaining({ name: ValidationError.name, field: 'fromAddress' }),
    );
  });
});

describe('Domain: identityWarmUpStatus', () => {
  it.each<{
    case: string;
    state: IdentityWarmUpState | undefined;
    tenantWarmUp: typeof ON;
    deliverability?: typeof HEALTHY;
    expected: ReturnType<typeof identityWarmUpStatus>;
  }>([
    {
      case: 'a warm-up tenant starts a new identity at phase 0 with its phaseDays',
      state: undefined,
      tenantWarmUp: { enabled: true, phaseDays: 5 },
      expected: {
        stage: 'ladder',
        cap: 10,
        phase: 0,
        update: { phase: 0, phaseStartedAt: NOW.toISOString(), phaseDays: 5 },
      },
    },
    {
      case: 'a tenant without warm-up on an identity without a ladder is not capped',
      state: undefined,
      tenantWarmUp: OFF,
      expected: { stage: 'none' },
    },
    {
      case: 'a tenant without warm-up is held to a ladder another tenant started',
      state: { phase: 0, phaseStartedAt: daysBefore(1), phaseDays: 7 },
      tenantWarmUp: OFF,
      expected: { stage: 'ladder', cap: 10, phase: 0 },
    },
    {
      case: 'the ladder holds before phaseDays have passed',
      state: { phase: 1, phaseStartedAt: daysBefore(6.9), phaseDays: 7 },
      tenantWarmUp: ON,
      deliverability: HEALTHY,
      expected: { stage: 'ladder', cap: 25, phase: 1 },
    },
    {
      case: 'the ladder advances one phase after phaseDays with healthy rates',
      state: { phase: 1, phaseStartedAt: daysBefore(30), phaseDays: 7 },
      tenantWarmUp: ON,
      deliverability: HEALTHY,
      expected: {
        stage: 'ladder',
        cap: 50,
        phase: 2,
        update: { phase: 2, phaseStartedAt: NOW.toISOString(), phaseDays: 7 },
      },
    },
    {
      case: 'the ladder holds while the bounce rate is over 5 %',
      state: { phase: 1, phaseStartedAt: daysBefore(30), phaseDays: 7 },
      tenantWarmUp: ON,
      deliverability: BOUNCING,
      expected: { stage: 'ladder', cap: 25, phase: 1 },
    },
    {
      case: "the ladder keeps the starting tenant's phaseDays over the sending tenant's",
      state: { phase: 0, phaseStartedAt: daysBefore(3), phaseDays: 14 },
      tenantWarmUp: { enabled: true, phaseDays: 1 },
      expected: { stage: 'ladder', cap: 10, phase: 0 },
    },
    {
      case: "state stored without phaseDays uses the sending tenant's",
      state: { phase: 0, phaseStartedAt: daysBefore(3) },
      tenantWarmUp: { enabled: true, phaseDays: 2 },
      expected: {
        stage: 'ladder',
        cap: 25,
        phase: 1,
        update: { phase: 1, phaseStartedAt: NOW.toISOString(), phaseDays: 2 },
      },
    },
    {
      case: 'the last phase is held at 150/day until it has lasted phaseDays',
      state: { phase: 4, phaseStartedAt: daysBefore(2), phaseDays: 7 },
      tenantWarmUp: ON,
      expected: { stage: 'ladder', cap: 150, phase: 4 },
    },
    {
      case: 'the identity is warmed up once the last phase is done',
      state: { phase: 4, phaseStartedAt: daysBefore(7), phaseDays: 7 },
      tenantWarmUp: OFF,
      deliverability: HEALTHY,
      expected: {
        stage: 'warmed_up',
        update: {
          phase: 4,
          phaseStartedAt: daysBefore(7),
          phaseDays: 7,
          warmedUpAt: NOW.toISOString(),
        },
      },
    },
    {
      case: 'the last phase holds while complaints are over 0.1 %',
      state: { phase: 4, phaseStartedAt: daysBefore(20), phaseDays: 7 },
      tenantWarmUp: ON,
      deliverability: { sends: 500, bounces: 0, softBounces: 0, complaints: 1 },
      expected: { stage: 'ladder', cap: 150, phase: 4 },
    },
    {
      case: 'a warmed-up identity has no ladder cap, whatever the tenant says',
      state: {
        phase: 4,
        phaseStartedAt: daysBefore(40),
        phaseDays: 7,
        warmedUpAt: daysBefore(33),
      },
      tenantWarmUp: ON,
      deliverability: BOUNCING,
      expected: { stage: 'warmed_up' },
    },
  ])('$case', ({ state, tenantWarmUp, deliverability, expected }) => {
    expect(identityWarmUpStatus({ state, tenantWarmUp, deliverability, now: NOW })).toEqual(
      expected,
    );
  });

  it('walks the whole ladder one phase per phaseDays and then ends it', () => {
    // Prepare
    let state: IdentityWarmUpState | undefined;
    const caps: (number | undefined)[] = [];

    // Act: one send a day for 40 days, storing every update.
    for (let day = 0; day < 40; day += 1) {
      const now = new Date(Date.UTC(2026, 0, 1 + day, 10));
      const status = identityWarmUpStatus({
        state,
        tenantWarmUp: ON,
        deliverability: HEALTHY,
        now,
      });
      caps.push(status.cap);
      if (status.update) state = status.update;
    }

    // Assess
    expect(caps.slice(0, 7)).toEqual(Array(7).fill(WARM_UP_LADDER[0]));
    expect(caps[7]).toBe(WARM_UP_LADDER[1]);
    expect(caps[28]).toBe(WARM_UP_LADDER[4]);
    expect(caps[34]).toBe(WARM_UP_LADDER[4]);
    expect(caps.slice(35)).toEqual(Array(5).fill(undefined));
    expect(state?.warmedUpAt).toBe(new Date(Date.UTC(2026, 1, 5, 10)).toISOString());
  });
});

describe('Domain: identityCap', () => {
  it.each([
    {
      case: 'the ladder alone',
      cap: 10,
      daily: undefined,
      expected: { perDay: 10, reason: 'identity_warm_up_cap' },
    },
    {
      case: 'a larger fixed cap',
      cap: 10,
      daily: 500,
      expected: { perDay: 10, reason: 'identity_warm_up_cap' },
    },
    {
      case: 'a smaller fixed cap',
      cap: 150,
      daily: 60,
      expected: { perDay: 60, reason: 'identity_daily_cap' },
    },
    {
      case: 'a fixed cap off the ladder',
      cap: undefined,
      daily: 60,
      expected: { perDay: 60, reason: 'identity_daily_cap' },
    },
    { case: 'neither', cap: undefined, daily: undefined, expected: undefined },
  ])('takes the smaller limit with its reason: $case', ({ cap, daily, expected }) => {
    const status =
      cap === undefined ? { stage: 'none' as const } : { stage: 'ladder' as const, cap };
    expect(identityCap(status, daily)).toEqual(expected);
  });
});

describe('Domain: identityCapExceeded', () => {
  const ladder10 = { perDay: 10, reason: 'identity_warm_up_cap' } as const;

  it.each([
    { case: '9 of 10', day: 9, cap: ladder10, exceeded: undefined },
    { case: '10 of 10', day: 10, cap: ladder10, exceeded: 'identity_warm_up_cap' },
    {
      case: '12 of 10 (counted before the ladder started)',
      day: 12,
      cap: ladder10,
      exceeded: 'identity_warm_up_cap',
    },
    {
      case: '60 of a fixed 60',
      day: 60,
      cap: { perDay: 60, reason: 'identity_daily_cap' } as const,
      exceeded: 'identity_daily_cap',
    },
    { case: 'any count without a cap', day: 10_000, cap: undefined, exceeded: undefined },
  ])('answers $exceeded for $case', ({ day, cap, exceeded }) => {
    expect(identityCapExceeded({ day }, cap, NOW)?.reason).toBe(exceeded);
  });

  it.each([
    {
      case: 'mid-morning UTC',
      now: '2026-01-12T10:00:00.000Z',
      freesAt: '2026-01-13T00:00:00.000Z',
    },
    {
      case: 'one second before midnight UTC',
      now: '2026-01-12T23:59:59.000Z',
      freesAt: '2026-01-13T00:00:00.000Z',
    },
    {
      case: 'at midnight UTC',
      now: '2026-01-13T00:00:00.000Z',
      freesAt: '2026-01-14T00:00:00.000Z',
    },
    {
      case: 'the last day of the year',
      now: '2026-12-31T18:00:00.000Z',
      freesAt: '2027-01-01T00:00:00.000Z',
    },
  ])('frees at the next UTC midnight: $case', ({ now, freesAt }) => {
    expect(identityCapExceeded({ day: 10 }, ladder10, new Date(now))?.freesAt.toISOString()).toBe(
      freesAt,
    );
  });

  it('keys the day in UTC, whatever time zone the sending tenant lives in', () => {
    // 23:30 in New York on the 12th is the 13th in UTC: one identity day for every tenant.
    expect(identityDateKey(new Date('2026-01-13T04:30:00.000Z'))).toBe('2026-01-13');
    expect(identityDateKey(new Date('2026-01-12T23:59:59.999Z'))).toBe('2026-01-12');
  });
});
