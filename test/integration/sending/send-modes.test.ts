import { afterEach, describe, expect, it } from 'vitest';
import type { SendMode } from '../../../shared/domain/send-mode.js';
import type { StoredOutcome } from '../../../shared/domain/outcomes.js';
import { createSendingHarness, type SendingHarness } from '../../helpers/sending-harness.js';

let harness: SendingHarness | undefined;

async function start(sendMode: SendMode, extra: Parameters<typeof createSendingHarness>[0] = {}) {
  harness = await createSendingHarness({ sendMode, ...extra });
  return harness;
}

afterEach(async () => {
  await harness?.dispose();
  harness = undefined;
});

function sendResults(outcomes: StoredOutcome[]) {
  return outcomes.flatMap((o) => (o.kind === 'send_result' ? [o] : []));
}

/** Sent outcomes counted per UTC hour (`yyyy-MM-ddTHH`). */
function sentPerHour(outcomes: StoredOutcome[]): Map<string, number> {
  const hours = new Map<string, number>();
  for (const outcome of sendResults(outcomes).filter((o) => o.status === 'sent')) {
    const hour = outcome.at.slice(0, 13);
    hours.set(hour, (hours.get(hour) ?? 0) + 1);
  }
  return hours;
}

describe('Function: sender (send modes)', () => {
  it('records a dry run for every request and sends nothing', async () => {
    // Prepare
    const h = await start('dry_run');
    await h.seedTenant('acme');
    await h.enqueue(
      h.request('acme', 'card-1', 'dana@lakeshore.example'),
      h.request('acme', 'card-2', 'tom@prairie.example'),
    );

    // Act
    const counts = await h.sender.drain.drainVisible();

    // Assess
    expect(counts).toMatchObject({ delivered: 2, failed: 0 });
    expect(await h.received()).toEqual([]);
    expect(
      sendResults(await h.outcomes('acme'))
        .map((o) => [o.email, o.status, o.reason])
        .sort(),
    ).toEqual([
      ['dana@lakeshore.example', 'dry_run', 'dry_run'],
      ['tom@prairie.example', 'dry_run', 'dry_run'],
    ]);
    expect(await h.repos.records.get('acme', 'acme:send_email:card-1')).toMatchObject({
      status: 'dry_run',
    });
  });

  it('sends internal_only mail to allow-listed domains and addresses only and blocks the rest with email_blocked_internal_only', async () => {
    // Prepare
    const h = await start('internal_only', {
      internalAllowList: { domains: [], addresses: ['qa@partner.example'] },
    });
    await h.seedTenant('acme', { internalDomains: ['northwind.example'] });
    await h.enqueue(
      h.request('acme', 'card-1', 'ops@northwind.example'),
      h.request('acme', 'card-2', 'qa@partner.example'),
      h.request('acme', 'card-3', 'dana@lakeshore.example'),
    );

    // Act
    await h.sender.drain.runUntil(new Date('2026-01-05T16:00:00.000Z'), (at) =>
      h.table.clock.set(at),
    );

    // Assess
    const received = (await h.received()).map((email) => email.destination.to[0]);
    expect(received.sort()).toEqual(['ops@northwind.example', 'qa@partner.example']);
    const blocked = sendResults(await h.outcomes('acme')).filter((o) => o.status === 'blocked');
    expect(blocked.map((o) => [o.email, o.reason])).toEqual([
      ['dana@lakeshore.example', 'email_blocked_internal_only'],
    ]);
    const audits = await h.repos.audits.listSince('acme', new Date('2026-01-01T00:00:00Z'));
    expect(audits.map((a) => [a.type, a.target['email']])).toEqual([
      ['email_blocked_internal_only', 'dana@lakeshore.example'],
    ]);
  });

  it('holds limited_live to 20 per hour and 100 per day, even when the tenant allows more', async () => {
    // Prepare: 105 requests at midnight, window and minimum delay off.
    const h = await start('limited_live', { start: '2026-01-05T00:00:00.000Z' });
    await h.seedTenant('acme', {
      sending: {
        caps: { perHour: 500, perDay: 5_000, perDomainPerHour: 500, minDelaySeconds: 0 },
        window: { enabled: false },
      },
    });
    for (let i = 0; i < 105; i += 1)
      await h.enqueue(h.request('acme', `card-${i}`, `person${i}@company${i % 7}.example`));

    // Act: run the day in virtual time.
    await h.sender.drain.runUntil(new Date('2026-01-06T00:00:00.000Z'), (at) =>
      h.table.clock.set(at),
    );

    // Assess
    const perHour = sentPerHour(await h.outcomes('acme'));
    expect(Math.max(...perHour.values())).toBe(20);
    expect([...perHour.values()].reduce((a, b) => a + b, 0)).toBe(100);
    expect((await h.received()).length).toBe(100);
    expect(h.sender.drain.waiting).toBe(5);
  }, 180_000); // a hang guard, not a time budget: it drains hundreds of sends (30–50 s quiet)

  it('gives production the tenant caps: 30 per hour with the override, the rest deferred', async () => {
    // Prepare
    const h = await start('production');
    await h.seedTenant('acme', {
      sending: { caps: { perHour: 30, perDomainPerHour: 100, minDelaySeconds: 0 } },
    });
    for (let i = 0; i < 35; i += 1)
      await h.enqueue(h.request('acme', `card-${i}`, `person${i}@company.example`));

    // Act: one instant, no clock movement.
    await h.sender.drain.drainVisible();

    // Assess
    expect((await h.received()).length).toBe(30);
    const deferred = sendResults(await h.outcomes('acme')).filter((o) => o.status === 'deferred');
    expect(deferred.map((o) => o.reason)).toEqual(Array(5).fill('hourly_cap'));
  });
});
