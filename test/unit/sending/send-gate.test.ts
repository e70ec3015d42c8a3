import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  counterWindow,
  decideSend,
  effectiveSendMode,
  nextWindowOpening,
  reserveCounters,
  resolveLimits,
  type RateCounters,
  type SendDecision,
  type SendGateInput,
  type SendLimits,
} from '../../../shared/domain/send-gate.js';
import {
  TIER_CAPS,
  resolveSendingSettings,
  type SendingSettings,
} from '../../../shared/domain/sending-settings.js';
import { localDateKey, localHourLabel, localMonthKey } from '../../../shared/domain/zoned-time.js';
import type { SendMode } from '../../../shared/domain/send-mode.js';

/** Monday 2026-01-05 10:00 in Chicago (UTC-6). */
const MONDAY_10 = new Date('2026-01-05T16:00:00.000Z');
const CHICAGO = 'America/Chicago';

type InputOverrides = Partial<Omit<SendGateInput, 'tenant'>> & {
  tenant?: Partial<SendGateInput['tenant']>;
  sending?: Partial<SendingSettings> & { caps?: SendingSettings['caps'] };
};

function gateInput(overrides: InputOverrides = {}): SendGateInput {
  const { tenant, sending, ...rest } = overrides;
  const defaults = resolveSendingSettings({});
  return {
    now: MONDAY_10,
    random: 0,
    recipient: { email: 'dana@lakeshore.example', contactId: 'c-1' },
    enqueuedAt: '2026-01-05T15:00:00.000Z',
    killSwitch: { on: false },
    emailSendDisabled: false,
    deploymentMode: 'production',
    internalAllowList: { domains: [], addresses: [] },
    state: {},
    counters: { month: 0, day: 0, hour: 0, domainHour: 0 },
    ...rest,
    tenant: {
      agentEnabled: true,
      tier: 'pro',
      timeZone: CHICAGO,
      internalDomains: ['northwind.example'],
      doNotContact: {
        competitorDomains: ['rival.example'],
        customerEmails: ['buyer@client.example'],
        customerAccountIds: ['acc-customer'],
        customerDomains: ['client.example'],
      },
      ...tenant,
      sending: { ...defaults, ...sending, caps: { ...defaults.caps, ...sending?.caps } },
    },
  };
}

function summary(decision: SendDecision): [string, string | undefined] {
  return [decision.kind, 'reason' in decision ? decision.reason : undefined];
}

describe('Domain: sendGate', () => {
  describe('order of the steps (DESIGN.md section 5)', () => {
    it.each([
      {
        case: 'the kill switch, before everything else that is wrong',
        input: gateInput({
          killSwitch: { on: true, reason: 'incident 7' },
          emailSendDisabled: true,
          tenant: { agentEnabled: false },
          suppression: { reason: 'hard_bounce' },
          deploymentMode: 'dry_run',
        }),
        expected: ['stopped', 'kill_switch'],
      },
      {
        case: 'EMAIL_SEND_DISABLED before the tenant',
        input: gateInput({ emailSendDisabled: true, tenant: { agentEnabled: false } }),
        expected: ['stopped', 'email_send_disabled'],
      },
      {
        case: 'a disabled tenant before suppression',
        input: gateInput({ tenant: { agentEnabled: false }, suppression: { reason: 'complaint' } }),
        expected: ['stopped', 'tenant_disabled'],
      },
      {
        case: 'a deliverability pause before suppression',
        input: gateInput({
          state: { paused: { reason: 'bounce_rate', at: '2026-01-04T00:00:00Z' } },
          suppression: { reason: 'complaint' },
        }),
        expected: ['stopped', 'sending_paused'],
      },
      {
        case: 'do-not-contact before dry_run',
        input: gateInput({
          recipient: { email: 'ceo@sales.rival.example' },
          deploymentMode: 'dry_run',
        }),
        expected: ['suppressed', 'do_not_contact:competitor'],
      },
      {
        case: 'suppression before the send mode',
        input: gateInput({ suppression: { reason: 'unsubscribe' }, deploymentMode: 'dry_run' }),
        expected: ['suppressed', 'suppressed:unsubscribe'],
      },
      {
        case: 'dry_run before caps that are full',
        input: gateInput({
          deploymentMode: 'dry_run',
          counters: { month: 9_999, day: 999, hour: 999, domainHour: 999 },
        }),
        expected: ['dry_run', 'dry_run'],
      },
      {
        case: 'internal_only blocking before the sending window',
        input: gateInput({
          deploymentMode: 'internal_only',
          now: new Date('2026-01-10T16:00:00.000Z'),
        }),
        expected: ['blocked', 'email_blocked_internal_only'],
      },
      {
        case: 'the sending window before the caps',
        input: gateInput({
          now: new Date('2026-01-10T16:00:00.000Z'),
          counters: { month: 0, day: 999, hour: 999, domainHour: 999 },
        }),
        expected: ['deferred', 'outside_sending_window'],
      },
      {
        case: 'an open provider circuit before the caps',
        input: gateInput({
          state: { circuit: { failures: [], openUntil: '2026-01-05T16:10:00.000Z' } },
          counters: { month: 0, day: 999, hour: 999, domainHour: 999 },
        }),
        expected: ['deferred', 'circuit_open'],
      },
      {
        case: 'everything in order',
        input: gateInput(),
        expected: ['send', undefined],
      },
    ])('stops at $case', ({ input, expected }) => {
      // Act
      const decision = decideSend(input);

      // Assess
      expect(summary(decision)).toEqual(expected);
    });
  });

  describe('step 3: do-not-contact, suppression and discovered contacts', () => {
    it.each([
      {
        case: 'a competitor domain',
        recipient: { email: 'a@rival.example' },
        reason: 'do_not_contact:competitor',
      },
      {
        case: 'a listed customer address',
        recipient: { email: 'Buyer@Client.example' },
        reason: 'do_not_contact:customer',
      },
      {
        case: 'a customer domain',
        recipient: { email: 'x@eu.client.example' },
        reason: 'do_not_contact:customer',
      },
      {
        case: "a customer account's contact",
        recipient: { email: 'x@other.example', accountId: 'acc-customer' },
        reason: 'do_not_contact:customer',
      },
    ])('suppresses $case', ({ recipient, reason }) => {
      expect(summary(decideSend(gateInput({ recipient })))).toEqual(['suppressed', reason]);
    });

    it('blocks a discovered-only contact with the named violation discovered_contact', () => {
      const recipient = { email: 'x@other.example', discovered: true };
      expect(summary(decideSend(gateInput({ recipient })))).toEqual([
        'blocked',
        'discovered_contact',
      ]);
    });
  });

  describe('step 4: superseded', () => {
    it.each([
      {
        case: 'the contact wrote after the send was queued',
        recipient: { email: 'x@other.example', lastInboundAt: '2026-01-05T15:30:00.000Z' },
        touchDueAt: undefined,
        reason: 'contact_replied',
      },
      {
        case: 'the contact was touched after the send was queued',
        recipient: { email: 'x@other.example', lastTouchAt: '2026-01-05T15:30:00.000Z' },
        touchDueAt: undefined,
        reason: 'touched_since_enqueue',
      },
      {
        case: "the contact's clock moved past the touch's due instant",
        recipient: { email: 'x@other.example', currentDueAt: '2026-01-20T09:00:00.000Z' },
        touchDueAt: '2026-01-02T09:00:00.000Z',
        reason: 'no_longer_due',
      },
    ])('supersedes a queued send when $case', ({ recipient, touchDueAt, reason }) => {
      const input = { ...gateInput({ recipient }), ...(touchDueAt ? { touchDueAt } : {}) };
      expect(summary(decideSend(input))).toEqual(['superseded', reason]);
    });

    it('lets a touch through whose contact is still due at the same instant', () => {
      const input = {
        ...gateInput({
          recipient: { email: 'x@other.example', currentDueAt: '2026-01-02T09:00:00.000Z' },
        }),
        touchDueAt: '2026-01-02T09:00:00.000Z',
      };
      expect(decideSend(input).kind).toBe('send');
    });

    it.each(['hard_bounce', 'complaint', 'unsubscribe', 'manual'])(
      'suppresses a recipient suppressed for %s, naming the reason',
      (reason) => {
        expect(summary(decideSend(gateInput({ suppression: { reason } })))).toEqual([
          'suppressed',
          `suppressed:${reason}`,
        ]);
      },
    );

    it('lets a reply from before the follow-up was queued stand', () => {
      // Prepare
      const input = gateInput({
        recipient: { email: 'x@other.example', lastInboundAt: '2026-01-05T14:00:00.000Z' },
      });

      // Act / Assess
      expect(decideSend(input).kind).toBe('send');
    });
  });

  describe('step 5: send modes', () => {
    it('records a dry run without sending', () => {
      expect(decideSend(gateInput({ deploymentMode: 'dry_run' }))).toMatchObject({
        kind: 'dry_run',
        step: 5,
      });
    });

    it.each([
      { case: "the tenant's internal domain", email: 'ops@northwind.example', extra: {} },
      { case: 'a subdomain of it', email: 'ops@mail.northwind.example', extra: {} },
      {
        case: "an address on the tenant's list",
        email: 'tester@external.example',
        extra: { sending: { internalAddresses: ['tester@external.example'] } },
      },
      {
        case: "a domain on the deployment's list",
        email: 'qa@yourcompany.example',
        extra: { internalAllowList: { domains: ['yourcompany.example'], addresses: [] } },
      },
      {
        case: "an address on the deployment's list",
        email: 'qa@gmail.example',
        extra: { internalAllowList: { domains: [], addresses: ['qa@gmail.example'] } },
      },
    ])('lets internal_only send to $case', ({ email, extra }) => {
      const decision = decideSend(
        gateInput({ deploymentMode: 'internal_only', recipient: { email }, ...extra }),
      );
      expect(decision.kind).toBe('send');
    });

    it('blocks internal_only sends to everyone else with email_blocked_internal_only', () => {
      expect(decideSend(gateInput({ deploymentMode: 'internal_only' }))).toMatchObject({
        kind: 'blocked',
        step: 5,
        reason: 'email_blocked_internal_only',
      });
    });

    it.each([
      {
        case: '20 this hour',
        counters: { month: 20, day: 20, hour: 20, domainHour: 0 },
        reason: 'hourly_cap',
      },
      {
        case: '100 today',
        counters: { month: 100, day: 100, hour: 0, domainHour: 0 },
        reason: 'daily_cap',
      },
    ])(
      'holds limited_live to its strict caps at $case, even with higher tenant overrides',
      ({ counters, reason }) => {
        const decision = decideSend(
          gateInput({
            deploymentMode: 'limited_live',
            counters,
            sending: { caps: { perHour: 500, perDay: 5_000 } },
          }),
        );
        expect(summary(decision)).toEqual(['deferred', reason]);
      },
    );

    it('lets limited_live send the 20th of the hour and the 100th of the day', () => {
      const decision = decideSend(
        gateInput({
          deploymentMode: 'limited_live',
          counters: { month: 99, day: 99, hour: 19, domainHour: 0 },
          sending: { caps: { perHour: 500, perDay: 5_000 } },
        }),
      );
      expect(decision).toMatchObject({ kind: 'send', limits: { perHour: 20, perDay: 100 } });
    });

    it('gives production the tenant caps: tier defaults with overrides', () => {
      const decision = decideSend(
        gateInput({
          counters: { month: 0, day: 30, hour: 30, domainHour: 0 },
          sending: { caps: { perHour: 50 } },
        }),
      );
      expect(decision).toMatchObject({
        kind: 'send',
        mode: 'production',
        limits: {
          perHour: 50,
          perDay: 150,
          perMonth: 3_000,
          perDomainPerHour: 5,
          minDelaySeconds: 30,
        },
      });
    });

    it.each<{ deployment: SendMode; tenant: SendMode | undefined; expected: SendMode }>([
      { deployment: 'production', tenant: undefined, expected: 'production' },
      { deployment: 'production', tenant: 'limited_live', expected: 'limited_live' },
      { deployment: 'limited_live', tenant: 'production', expected: 'limited_live' },
      { deployment: 'dry_run', tenant: 'production', expected: 'dry_run' },
      { deployment: 'internal_only', tenant: 'dry_run', expected: 'dry_run' },
    ])(
      'uses $expected for a $deployment deployment and a tenant set to $tenant (the deployment is a ceiling)',
      ({ deployment, tenant, expected }) => {
        expect(effectiveSendMode(deployment, tenant)).toBe(expected);
      },
    );
  });

  describe('step 6: caps and the sending window', () => {
    it.each([
      {
        case: 'the monthly cap, until the first of next month at 9:00 local',
        counters: { month: 3_000, day: 0, hour: 0, domainHour: 0 },
        reason: 'monthly_cap',
        dueAt: '2026-02-02T15:00:00.000Z', // Feb 1 is a Sunday: Monday 9:00 CST
      },
      {
        case: 'the daily cap, until tomorrow at 9:00 local',
        counters: { month: 150, day: 150, hour: 0, domainHour: 0 },
        reason: 'daily_cap',
        dueAt: '2026-01-06T15:00:00.000Z',
      },
      {
        case: 'the hourly cap, until the next local hour',
        counters: { month: 20, day: 20, hour: 20, domainHour: 0 },
        reason: 'hourly_cap',
        dueAt: '2026-01-05T17:00:00.000Z',
      },
      {
        case: 'the per-domain hourly cap, until the next local hour',
        counters: { month: 5, day: 5, hour: 5, domainHour: 5 },
        reason: 'domain_hourly_cap',
        dueAt: '2026-01-05T17:00:00.000Z',
      },
      {
        case: 'the minimum delay, until 30 s after the last send',
        counters: {
          month: 1,
          day: 1,
          hour: 1,
          domainHour: 0,
          lastSentAt: '2026-01-05T15:59:50.000Z',
        },
        reason: 'min_delay',
        dueAt: '2026-01-05T16:00:20.000Z',
      },
    ])('defers at $case', ({ counters, reason, dueAt }) => {
      // Act
      const decision = decideSend(gateInput({ counters }));

      // Assess
      expect(decision).toMatchObject({ kind: 'deferred', step: 6, reason });
      expect(decision.kind === 'deferred' && decision.dueAt.toISOString()).toBe(dueAt);
    });

    it('defers a Saturday send to Monday 9:00 in the tenant time zone', () => {
      const decision = decideSend(gateInput({ now: new Date('2026-01-10T16:00:00.000Z') }));
      expect(decision.kind === 'deferred' && decision.dueAt.toISOString()).toBe(
        '2026-01-12T15:00:00.000Z',
      );
    });

    it('defers a send after 17:00 local to 9:00 the next weekday', () => {
      const decision = decideSend(gateInput({ now: new Date('2026-01-09T23:30:00.000Z') })); // Fri 17:30
      expect(decision).toMatchObject({ kind: 'deferred', reason: 'outside_sending_window' });
      expect(decision.kind === 'deferred' && decision.dueAt.toISOString()).toBe(
        '2026-01-12T15:00:00.000Z',
      );
    });

    it('sends around the clock when the tenant turns its window off', () => {
      const decision = decideSend(
        gateInput({
          now: new Date('2026-01-10T08:00:00.000Z'),
          sending: { window: { enabled: false, weekdays: [1], startHour: 9, endHour: 17 } },
        }),
      );
      expect(decision.kind).toBe('send');
    });

    it('adds up to jitterSeconds of random delay to a deferral', () => {
      const counters: RateCounters = { month: 20, day: 20, hour: 20, domainHour: 0 };
      const early = decideSend(gateInput({ counters, random: 0 }));
      const late = decideSend(gateInput({ counters, random: 0.5, sending: { jitterSeconds: 60 } }));
      expect(early.kind === 'deferred' && late.kind === 'deferred').toBe(true);
      if (early.kind === 'deferred' && late.kind === 'deferred')
        expect(late.dueAt.getTime() - early.dueAt.getTime()).toBe(30_000);
    });

    it('names the counter windows in the tenant time zone', () => {
      expect(
        counterWindow(new Date('2026-01-06T03:30:00.000Z'), CHICAGO, 'A@Acme.Example'),
      ).toEqual({
        dateKey: '2026-01-05',
        monthKey: '2026-01',
        hourLabel: '21',
        domain: 'acme.example',
      });
    });
  });

  describe('caps per tier', () => {
    it.each(['free', 'pro', 'enterprise'] as const)(
      'uses the %s tier defaults in production',
      (tier) => {
        expect(resolveLimits(tier, {}, 'production')).toEqual({
          ...TIER_CAPS[tier],
          dayCap: 'daily_cap',
        });
      },
    );

    it('lets an override lower a strict cap but never raise it', () => {
      expect(
        resolveLimits('enterprise', { perHour: 5, perDay: 1_000 }, 'limited_live'),
      ).toMatchObject({
        perHour: 5,
        perDay: 100,
      });
    });
  });

  describe('the sending window', () => {
    it('opens on the next weekday across a DST change', () => {
      // Sunday 2026-03-08 is the US spring-forward day; Monday opens at 9:00 CDT (UTC-5).
      const opens = nextWindowOpening(
        new Date('2026-03-08T12:00:00.000Z'),
        CHICAGO,
        resolveSendingSettings({}).window,
      );
      expect(opens.toISOString()).toBe('2026-03-09T14:00:00.000Z');
    });
  });

  describe('property: counters never exceed caps', () => {
    const domains = ['a.example', 'b.example', 'c.example'];
    const capsArb = fc.record({
      perHour: fc.integer({ min: 1, max: 6 }),
      perDay: fc.integer({ min: 1, max: 15 }),
      perMonth: fc.integer({ min: 1, max: 40 }),
      perDomainPerHour: fc.integer({ min: 1, max: 4 }),
      minDelaySeconds: fc.integer({ min: 0, max: 900 }),
    });
    const stepsArb = fc.array(
      fc.record({
        gapMs: fc.integer({ min: 0, max: 3 * 3_600_000 }),
        domain: fc.constantFrom(...domains),
        random: fc.double({ min: 0, max: 0.999, noNaN: true }),
      }),
      { minLength: 1, maxLength: 120 },
    );

    it('never lets sends in any local hour, day, month or domain-hour pass their cap, nor come closer than the minimum delay', () => {
      fc.assert(
        fc.property(
          capsArb,
          fc.constantFrom<SendMode>('limited_live', 'production'),
          fc.constantFrom('UTC', CHICAGO, 'Asia/Kolkata', 'Australia/Sydney'),
          stepsArb,
          (caps, mode, timeZone, steps) => {
            // Prepare: counters per local day as the storage layer keeps them.
            const days = new Map<string, Record<string, number | string>>();
            const sent: { at: Date; domain: string }[] = [];
            let now = new Date('2026-01-30T00:00:00.000Z');
            let monthToDate = { month: '', count: 0, lastSentAt: undefined as string | undefined };

            // Act
            for (const step of steps) {
              now = new Date(now.getTime() + step.gapMs);
              const window = counterWindow(now, timeZone, `x@${step.domain}`);
              const item = days.get(window.dateKey) ?? {};
              if (monthToDate.month !== window.monthKey)
                monthToDate = {
                  month: window.monthKey,
                  count: 0,
                  lastSentAt: monthToDate.lastSentAt,
                };
              const counters: RateCounters = {
                month: monthToDate.count,
                day: Number(item['day'] ?? 0),
                hour: Number(item[`h${window.hourLabel}`] ?? 0),
                domainHour: Number(item[`dh${window.hourLabel}${window.domain}`] ?? 0),
                ...(monthToDate.lastSentAt ? { lastSentAt: monthToDate.lastSentAt } : {}),
              };
              const decision = decideSend(
                gateInput({
                  now,
                  random: step.random,
                  deploymentMode: mode,
                  recipient: { email: `x@${step.domain}` },
                  counters,
                  tenant: { timeZone },
                  sending: {
                    caps,
                    window: { enabled: false, weekdays: [1], startHour: 0, endHour: 24 },
                  },
                }),
              );
              if (decision.kind !== 'send') {
                if (decision.kind === 'deferred')
                  expect(decision.dueAt.getTime()).toBeGreaterThan(now.getTime() - 1);
                continue;
              }
              const reserved = reserveCounters(counters, decision.limits, now, timeZone);
              expect(reserved.ok).toBe(true);
              if (!reserved.ok) continue;
              item['day'] = reserved.counters.day;
              item[`h${window.hourLabel}`] = reserved.counters.hour;
              item[`dh${window.hourLabel}${window.domain}`] = reserved.counters.domainHour;
              days.set(window.dateKey, item);
              monthToDate = {
                month: window.monthKey,
                count: reserved.counters.month,
                lastSentAt: now.toISOString(),
              };
              sent.push({ at: now, domain: step.domain });
            }

            // Assess: recount from the sends alone.
            const limits: SendLimits = resolveLimits('pro', caps, mode);
            const tally = (key: (send: { at: Date; domain: string }) => string) => {
              const counts = new Map<string, number>();
              for (const send of sent) counts.set(key(send), (counts.get(key(send)) ?? 0) + 1);
              return Math.max(0, ...counts.values());
            };
            expect(
              tally((s) => `${localDateKey(s.at, timeZone)}T${localHourLabel(s.at, timeZone)}`),
            ).toBeLessThanOrEqual(limits.perHour);
            expect(tally((s) => localDateKey(s.at, timeZone))).toBeLessThanOrEqual(limits.perDay);
            expect(tally((s) => localMonthKey(s.at, timeZone))).toBeLessThanOrEqual(
              limits.perMonth,
            );
            expect(
              tally(
                (s) =>
                  `${localDateKey(s.at, timeZone)}T${localHourLabel(s.at, timeZone)}/${s.domain}`,
              ),
            ).toBeLessThanOrEqual(limits.perDomainPerHour);
            for (let i = 1; i < sent.length; i += 1) {
              expect(sent[i]!.at.getTime() - sent[i - 1]!.at.getTime()).toBeGreaterThanOrEqual(
                limits.minDelaySeconds * 1_000,
              );
            }
          },
        ),
        { numRuns: 300 },
      );
    });

    it('never reserves past a cap, whatever the counters', () => {
      fc.assert(
        fc.property(
          capsArb,
          fc.record({
            month: fc.nat(50),
            day: fc.nat(20),
            hour: fc.nat(10),
            domainHour: fc.nat(6),
          }),
          (caps, counters) => {
            const limits = resolveLimits('pro', caps, 'production');
            const reserved = reserveCounters(counters, limits, MONDAY_10, 'UTC');
            if (!reserved.ok) return;
            expect(reserved.counters.month).toBeLessThanOrEqual(limits.perMonth);
            expect(reserved.counters.day).toBeLessThanOrEqual(limits.perDay);
            expect(reserved.counters.hour).toBeLessThanOrEqual(limits.perHour);
            expect(reserved.counters.domainHour).toBeLessThanOrEqual(limits.perDomainPerHour);
          },
        ),
      );
    });
  });
});
