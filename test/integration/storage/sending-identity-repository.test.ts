import { GetCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counterWindow, type SendLimits } from '../../../shared/domain/send-gate.js';
import {
  identityCap,
  identityWarmUpStatus,
  sendingIdentityOf,
  type IdentityWarmUpState,
} from '../../../shared/domain/sending-identity.js';
import { reserveWithIdentity } from '../../../shared/sending/identity-reservation.js';
import { RateCounterRepository } from '../../../shared/storage/rate-counter-repository.js';
import { SendingIdentityRepository } from '../../../shared/storage/sending-identity-repository.js';
import { createTestTable, type TestTable } from '../../helpers/local-table.js';

const TENANT_LIMITS: SendLimits = {
  perHour: 1_000,
  perDay: 150,
  perMonth: 3_000,
  perDomainPerHour: 1_000,
  minDelaySeconds: 0,
  dayCap: 'daily_cap',
};
const WARM_UP_ON = { enabled: true, phaseDays: 7 };

describe('Storage: SendingIdentityRepository', () => {
  let table: TestTable;
  let identities: SendingIdentityRepository;
  let rates: RateCounterRepository;

  beforeAll(async () => {
    table = await createTestTable();
    identities = new SendingIdentityRepository(table);
    rates = new RateCounterRepository(table);
  });

  afterAll(async () => {
    await table.dispose();
  });

  /** One send's reservation as the sender makes it: identity first, then the tenant's counters. */
  function reserveSend(
    identity: string,
    tenantId: string,
    now: Date,
    identityPerDay: number | undefined,
    tenantLimits: SendLimits = TENANT_LIMITS,
  ) {
    const window = counterWindow(now, 'UTC', 'buyer@customer.example');
    return reserveWithIdentity({
      reserveIdentity: () => identities.reserve(identity, now, identityPerDay),
      reserveTenant: () => rates.reserve(tenantId, window, tenantLimits, now, { month: 0 }),
      releaseIdentity: (held) => identities.release(identity, held.dateKey),
    });
  }

  it('lets at most 10 sends through when three tenants on one From domain at a 10/day ladder step race with 40 reservers', async () => {
    // Prepare: three warm-up tenants decide on the same new identity and all try to start its ladder.
    const now = new Date('2026-01-05T09:10:00.000Z');
    const identity = sendingIdentityOf('agent@Shared.Example');
    const tenants = ['alpha', 'bravo', 'charlie'];
    const decided = await identities.read(identity, now);
    const starts = await Promise.all(
      tenants.map(() => {
        const status = identityWarmUpStatus({
          state: decided.warmUp,
          tenantWarmUp: WARM_UP_ON,
          deliverability: undefined,
          now,
        });
        return identities.setWarmUp(identity, status.update!, decided.warmUp);
      }),
    );
    const ladder = await identities.getWarmUp(identity);
    const cap = identityCap(
      identityWarmUpStatus({
        state: ladder,
        tenantWarmUp: WARM_UP_ON,
        deliverability: undefined,
        now,
      }),
    );

    table.requestCounts.clear();

    // Act
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        reserveSend(identity, tenants[i % 3]!, now, cap?.perDay),
      ),
    );

    // Assess
    expect(starts.filter((start) => start.applied)).toHaveLength(1);
    expect(cap).toEqual({ perDay: 10, reason: 'identity_warm_up_cap' });
    expect(outcomes.filter((outcome) => outcome.kind === 'reserved')).toHaveLength(10);
    expect(outcomes.filter((outcome) => outcome.kind === 'identity_refused')).toHaveLength(30);
    // One conditional UpdateItem per identity reservation, one per tenant reservation it let through.
    expect(table.requestCounts.get('UpdateItemCommand')).toBe(40 + 10);
    expect(table.requestCounts.get('TransactWriteItemsCommand')).toBeUndefined();
    const tenantDays = await Promise.all(
      tenants.map(async (tenantId) => (await rates.getDay(tenantId, '2026-01-05'))?.['day'] ?? 0),
    );
    expect(tenantDays.reduce((sum: number, day) => sum + Number(day), 0)).toBe(10);
    expect((await identities.read(identity, now)).counters).toEqual({ day: 10 });
  });

  it('agrees on one ladder when two senders start it at once: the loser gets the stored state', async () => {
    // Prepare
    const identity = 'race.example';
    const first: IdentityWarmUpState = {
      phase: 0,
      phaseStartedAt: '2026-01-05T09:00:00.000Z',
      phaseDays: 7,
    };
    const second: IdentityWarmUpState = {
      phase: 0,
      phaseStartedAt: '2026-01-05T09:00:00.001Z',
      phaseDays: 3,
    };

    // Act
    const [a, b] = await Promise.all([
      identities.setWarmUp(identity, first, undefined),
      identities.setWarmUp(identity, second, undefined),
    ]);

    // Assess
    const stored = await identities.getWarmUp(identity);
    const winner = a.applied ? a.state : b.applied ? b.state : undefined;
    const loser = a.applied ? b : a;
    expect([a.applied, b.applied].sort()).toEqual([false, true]);
    expect(stored).toEqual(winner);
    expect(loser).toEqual({ applied: false, current: winner });
  });

  it('advances the ladder only from the state it was decided on', async () => {
    // Prepare
    const identity = 'advance.example';
    const start = { phase: 0, phaseStartedAt: '2025-12-01T09:00:00.000Z', phaseDays: 7 };
    await identities.setWarmUp(identity, start, undefined);
    const next = { phase: 1, phaseStartedAt: '2026-01-05T09:00:00.000Z', phaseDays: 7 };

    // Act
    const advanced = await identities.setWarmUp(identity, next, start);
    const stale = await identities.setWarmUp(
      identity,
      { ...next, phaseStartedAt: '2026-01-05T09:00:05.000Z' },
      start,
    );
    const warmed = await identities.setWarmUp(
      identity,
      { ...next, warmedUpAt: '2026-02-01T00:00:00.000Z' },
      next,
    );
    const afterWarmed = await identities.setWarmUp(identity, next, next);

    // Assess
    expect(advanced.applied).toBe(true);
    expect(stale).toEqual({ applied: false, current: next });
    expect(warmed.applied).toBe(true);
    expect(afterWarmed.applied).toBe(false);
    expect(await identities.getWarmUp(identity)).toEqual({
      ...next,
      warmedUpAt: '2026-02-01T00:00:00.000Z',
    });
  });

  it('gives the identity its send back when the tenant refuses, so other tenants can use it', async () => {
    // Prepare: tenant "small" allows 2 a day; the identity allows 10.
    const now = new Date('2026-01-06T09:00:00.000Z');
    const identity = 'compensate.example';
    const small = { ...TENANT_LIMITS, perDay: 2 };

    // Act
    const fromSmall = [];
    for (let i = 0; i < 5; i += 1)
      fromSmall.push(await reserveSend(identity, 'small', now, 10, small));
    const fromOther = [];
    for (let i = 0; i < 10; i += 1) fromOther.push(await reserveSend(identity, 'other', now, 10));

    // Assess
    expect(fromSmall.map((outcome) => outcome.kind)).toEqual([
      'reserved',
      'reserved',
      'tenant_refused',
      'tenant_refused',
      'tenant_refused',
    ]);
    expect(fromSmall.slice(2).every((o) => o.kind === 'tenant_refused' && o.released)).toBe(true);
    expect(fromOther.filter((outcome) => outcome.kind === 'reserved')).toHaveLength(8);
    expect((await identities.read(identity, now)).counters).toEqual({ day: 10 });
  });

  it('returns the count that refused a reservation, and never releases below zero', async () => {
    // Prepare
    const now = new Date('2026-01-07T09:00:00.000Z');
    const identity = 'release.example';
    await identities.reserve(identity, now, 2);
    await identities.reserve(identity, now, 2);

    // Act
    const refused = await identities.reserve(identity, now, 2);
    const releases = [
      await identities.release(identity, '2026-01-07'),
      await identities.release(identity, '2026-01-07'),
      await identities.release(identity, '2026-01-07'),
      await identities.release(identity, '2026-01-08'),
    ];

    // Assess
    expect(refused).toEqual({ reserved: false, dateKey: '2026-01-07', counters: { day: 2 } });
    expect(releases).toEqual([true, true, false, false]);
    expect(await identities.getDay(identity, '2026-01-07')).toMatchObject({ day: 0 });
    expect(await identities.getDay(identity, '2026-01-08')).toBeUndefined();
  });

  it('counts every send without a cap and starts a new day at UTC midnight', async () => {
    // Prepare
    const identity = 'uncapped.example';
    const beforeMidnight = new Date('2026-01-08T23:59:59.000Z');
    const afterMidnight = new Date('2026-01-09T00:00:01.000Z');

    // Act
    const late = [];
    for (let i = 0; i < 3; i += 1)
      late.push(await identities.reserve(identity, beforeMidnight, undefined));
    const early = await identities.reserve(identity, afterMidnight, 1);

    // Assess
    expect(late.map((r) => r.reserved)).toEqual([true, true, true]);
    expect(late[2]).toMatchObject({ dateKey: '2026-01-08', counters: { day: 3 } });
    expect(early).toEqual({ reserved: true, dateKey: '2026-01-09', counters: { day: 1 } });
  });

  it('sets a 40-day TTL on day items and none on the ladder', async () => {
    // Prepare
    const now = new Date('2026-01-10T12:00:00.000Z');
    const identity = 'ttl.example';

    // Act
    await identities.reserve(identity, now, 10);
    await identities.setWarmUp(
      identity,
      { phase: 0, phaseStartedAt: now.toISOString(), phaseDays: 7 },
      undefined,
    );

    // Assess
    const day = await identities.getDay(identity, '2026-01-10');
    expect(day).toMatchObject({
      pk: 'IDENTITY#ttl.example',
      sk: 'RATE#2026-01-10',
      entity: 'identity_counters',
      identity,
      ttl: Math.floor(now.getTime() / 1000) + 40 * 86_400,
    });
    expect(day).not.toHaveProperty('tenantId');
    const ladder = await table.doc.send(
      new GetCommand({
        TableName: table.tableName,
        Key: { pk: 'IDENTITY#ttl.example', sk: 'WARMUP' },
      }),
    );
    expect(ladder.Item).not.toHaveProperty('ttl');
  });

  it("sums the identity's sends, bounces and complaints over a range of UTC days", async () => {
    // Prepare
    const identity = 'stats.example';
    const day1 = new Date('2026-01-11T10:00:00.000Z');
    const day2 = new Date('2026-01-12T10:00:00.000Z');
    await identities.reserve(identity, day1, undefined);
    await identities.reserve(identity, day2, undefined);
    await identities.recordFeedback(identity, 'bounce', day1);
    await identities.recordFeedback(identity, 'complaint', day2);
    await identities.recordFeedback(identity, 'soft_bounce', day2);

    // Act
    const stats = await identities.stats(identity, '2026-01-06', '2026-01-12');

    // Assess
    expect(stats).toEqual({ sends: 2, bounces: 1, softBounces: 1, complaints: 1 });
  });

  it('never counts more than the cap, and counts exactly what is held, under random interleavings (property)', async () => {
    const tenantArb = fc.constantFrom('t1', 't2', 't3');
    const stepArb = fc.oneof(
      fc.record({ op: fc.constant('reserve' as const), tenant: tenantArb }),
      fc.record({ op: fc.constant('release' as const), tenant: tenantArb }),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.array(stepArb, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 5 }),
        async (cap, batches) => {
          // Prepare: a fresh identity (and tenants) per run; each batch runs concurrently.
          run += 1;
          const identity = `prop-${run}.example`;
          const tenantOf = (tenant: string) => `${tenant}-${run}`;
          const now = new Date('2026-01-13T10:00:00.000Z');
          const window = counterWindow(now, 'UTC', 'buyer@customer.example');
          const held: string[] = [];

          for (const batch of batches) {
            // Act
            await Promise.all(
              batch.map(async (step) => {
                if (step.op === 'release') {
                  const index = held.indexOf(step.tenant);
                  if (index < 0) return;
                  held.splice(index, 1);
                  await rates.release(tenantOf(step.tenant), window);
                  await identities.release(identity, '2026-01-13');
                  return;
                }
                const outcome = await reserveSend(identity, tenantOf(step.tenant), now, cap, {
                  ...TENANT_LIMITS,
                  perDay: 2,
                });
                if (outcome.kind === 'reserved') held.push(step.tenant);
              }),
            );

            // Assess
            const { counters } = await identities.read(identity, now);
            expect(counters.day).toBeLessThanOrEqual(cap);
            expect(counters.day).toBe(held.length);
          }
        },
      ),
      { numRuns: 20 },
    );
  });
});
