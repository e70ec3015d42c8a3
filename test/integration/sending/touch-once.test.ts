import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoredEmail } from '../../../infra/local/ses-emulator.js';
import type { SimulationReport } from '../../../infra/local/report.js';
import {
  deliveriesByRecipient,
  simulateTouches as simulate,
  type TouchTenant,
} from '../../helpers/touch-fixtures.js';

const HOUR_MS = 3_600_000;

function sentAt(report: SimulationReport, tenantId: string): string[] {
  const tenant = report.tenants.find((t) => t.tenantId === tenantId);
  return (tenant?.emails ?? []).filter((e) => e.status === 'sent').map((e) => e.at);
}

describe('Send path: one email per due touch', () => {
  it('sends a touch that falls due on a Friday evening once, on Monday morning, after a weekend of hourly cycles', async () => {
    // Prepare: five contacts fall due Friday 18:00-18:20 in Chicago (after the 9-17 window).
    const due = [0, 5, 10, 15, 20].map(
      (m) => new Date(Date.parse('2026-01-10T00:00:00Z') + m * 60_000),
    );

    // Act: Friday 14:00 to Tuesday 14:00 Chicago.
    const { report, emails } = await simulate([{ id: 'weekend', dueAt: due }], {
      start: '2026-01-09T20:00:00Z',
      hours: 96,
    });

    // Assess: counted at the SES emulator.
    const counts = deliveriesByRecipient(emails);
    expect([...counts.values()]).toEqual([1, 1, 1, 1, 1]);
    const sent = sentAt(report, 'weekend');
    expect(sent).toHaveLength(5);
    for (const at of sent)
      expect(at >= '2026-01-12T15:00:00.000Z' && at < '2026-01-12T16:00:00.000Z').toBe(true);
  }, 240_000);

  it('sends each touch a daily cap holds back for several days exactly once', async () => {
    // Prepare: six contacts due Monday morning, two sends a day.
    const due = Array.from(
      { length: 6 },
      (_, i) => new Date(Date.parse('2026-01-05T14:00:00Z') + i * 60_000),
    );

    // Act: Monday 08:00 Chicago to Thursday 16:00.
    const { report, emails } = await simulate([{ id: 'capped', dueAt: due, caps: { perDay: 2 } }], {
      start: '2026-01-05T14:00:00Z',
      hours: 80,
    });

    // Assess
    expect([...deliveriesByRecipient(emails).values()]).toEqual([1, 1, 1, 1, 1, 1]);
    const days = new Set(sentAt(report, 'capped').map((at) => at.slice(0, 10)));
    expect([...days].sort()).toEqual(['2026-01-05', '2026-01-06', '2026-01-07']);
    const capped = report.tenants[0]?.emails.filter(
      (e) => e.status === 'deferred' && e.reason === 'daily_cap',
    );
    expect(capped?.length).toBeGreaterThan(0);
  }, 240_000);

  it('holds three tenants on one From domain to the domain’s 10/day warm-up step together', async () => {
    // Prepare: 8 due contacts per tenant, all sending as agent@shared.example with warm-up on.
    const due = Array.from(
      { length: 8 },
      (_, i) => new Date(Date.parse('2026-01-05T14:00:00Z') + i * 60_000),
    );
    const tenants = ['t-a', 't-b', 't-c'].map((id) => ({
      id,
      dueAt: due,
      warmUp: true,
      fromAddress: `agent-${id}@shared.example`,
    }));

    // Act: Monday 08:00 to 17:00 Chicago (one UTC day).
    const { report, emails } = await simulate(tenants, { start: '2026-01-05T14:00:00Z', hours: 9 });

    // Assess
    expect(emails.filter((e) => e.from.endsWith('@shared.example'))).toHaveLength(10);
    const deferred = report.tenants
      .flatMap((t) => t.emails)
      .filter((e) => e.reason === 'identity_warm_up_cap');
    expect(deferred.length).toBeGreaterThan(0);
  }, 240_000);

  it('reports a suppressed contact once as suppressed with its reason, leaves it out of compliance and lets research run', async () => {
    // Prepare: one of two contacts is hard-bounced and overdue; the other is not due for weeks.
    const fixtureTenants: TouchTenant[] = [
      {
        id: 'contactable',
        dueAt: [new Date('2026-01-04T12:00:00Z'), new Date('2026-02-20T12:00:00Z')],
        suppressed: [0],
        behindPace: true,
      },
    ];

    // Act
    const { report } = await simulate(fixtureTenants, { start: '2026-01-05T14:00:00Z', hours: 3 });

    // Assess
    const tenant = report.tenants[0]!;
    expect(tenant.engagement).toMatchObject({
      contacts: 1,
      overdue: 0,
      complianceRate: 1,
      notContactable: { count: 1, reasons: { 'suppressed:hard_bounce': 1 } },
    });
    expect(tenant.emails).toEqual([
      expect.objectContaining({
        to: 'person0@client0.example',
        status: 'suppressed',
        reason: 'suppressed:hard_bounce',
      }),
    ]);
    expect(Object.keys(tenant.actions)).toContain('research');
  }, 120_000);
});

describe('Send path under faults', () => {
  /**
   * The invariant: every contact whose touch fell due receives it at most once, and a contact that
   * received nothing has an `unknown` send (in doubt, never re-sent) to show for it.
   */
  function assertEachTouchOnce(
    report: SimulationReport,
    emails: StoredEmail[],
    tenantId: string,
    contacts: number,
  ) {
    const counts = deliveriesByRecipient(emails);
    for (const count of counts.values()) expect(count).toBe(1);
    const tenant = report.tenants.find((t) => t.tenantId === tenantId)!;
    expect(counts.size + tenant.sending.unknown).toBe(contacts);
    expect(tenant.sending.pending).toBe(0);
  }

  it('delivers each due touch once through a 6-hour SES outage, lost responses, crashes after writes and a DLQ redrive', async () => {
    // Prepare: 40 contacts falling due over 2.5 days; SES is down for 6 hours on day 2; for an
    // hour on day 3 every sender write crashes, so those messages end in the DLQ until the redrive.
    const due = Array.from(
      { length: 40 },
      (_, i) => new Date(Date.parse('2026-01-05T15:00:00Z') + i * 1.5 * HOUR_MS),
    );

    // Act
    const { report, emails, faults, redriven } = await simulate(
      [{ id: 'faulty', dueAt: due }],
      { start: '2026-01-05T14:00:00Z', hours: 24 * 4 + 6 },
      () => ({
        seed: 17,
        lostResponseRate: 0.05,
        crashAfterWriteRate: 0.03,
        outage: { from: new Date('2026-01-06T15:00:00Z'), until: new Date('2026-01-06T21:00:00Z') },
        crashStorm: {
          from: new Date('2026-01-07T16:00:00Z'),
          until: new Date('2026-01-07T17:00:00Z'),
        },
      }),
      new Date('2026-01-08T15:00:00Z'),
    );

    // Assess
    expect(faults?.counts.refused).toBeGreaterThan(0);
    expect(faults?.counts.crashes).toBeGreaterThan(0);
    expect(faults?.counts.lostResponses).toBeGreaterThan(0);
    expect(redriven).toBeGreaterThan(0);
    assertEachTouchOnce(report, emails, 'faulty', 40);
  }, 600_000);

  it('holds the invariant over random fault schedules', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          seed: fc.integer({ min: 1, max: 10_000 }),
          lostResponseRate: fc.double({ min: 0, max: 0.3, noNaN: true }),
          crashAfterWriteRate: fc.double({ min: 0, max: 0.1, noNaN: true }),
          outageStartHour: fc.integer({ min: 0, max: 24 }),
          outageHours: fc.integer({ min: 0, max: 8 }),
        }),
        async (schedule) => {
          const due = Array.from(
            { length: 8 },
            (_, i) => new Date(Date.parse('2026-01-05T15:00:00Z') + i * 2 * HOUR_MS),
          );
          const outageFrom = new Date(
            Date.parse('2026-01-05T14:00:00Z') + schedule.outageStartHour * HOUR_MS,
          );
          const { report, emails } = await simulate(
            [{ id: 'random', dueAt: due }],
            { start: '2026-01-05T14:00:00Z', hours: 48 },
            () => ({
              seed: schedule.seed,
              lostResponseRate: schedule.lostResponseRate,
              crashAfterWriteRate: schedule.crashAfterWriteRate,
              outage: {
                from: outageFrom,
                until: new Date(outageFrom.getTime() + schedule.outageHours * HOUR_MS),
              },
            }),
            new Date('2026-01-07T00:00:00Z'),
          );
          assertEachTouchOnce(report, emails, 'random', 8);
        },
      ),
      { numRuns: 2, seed: 20261201 },
    );
  }, 600_000);
});
