import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../../infra/local/fixture.js';
import { runSimulation } from '../../../infra/local/simulator.js';
import { createSendingService } from '../../../infra/local/sending-service.js';
import { main } from '../../../infra/cli/main.js';
import type { SimulationReport } from '../../../infra/local/report.js';

const DEMO = 'events/demo/demo.json';

describe('Simulator: sending service', () => {
  it('shows a dry_run email for every queued follow-up in `agentctl simulate --json` on the demo', async () => {
    // Prepare
    const out: string[] = [];
    const sink = { write: (s: string) => out.push(s) } as never;
    const progress = { write: () => true } as never;

    // Act
    const code = await main(
      ['simulate', '--fixture', DEMO, '--hours', '2', '--json'],
      sink,
      progress,
    );

    // Assess
    expect(code).toBe(0);
    const report = JSON.parse(out.join('')) as SimulationReport;
    const northwind = report.tenants.find((t) => t.tenantId === 'northwind-appraisals');
    expect(northwind?.queued.sendRequests).toBeGreaterThan(0);
    const queued = (northwind?.emails ?? []).filter((email) => email.cardId !== undefined);
    expect(queued).toHaveLength(northwind?.queued.sendRequests ?? -1);
    for (const email of queued) {
      expect(email).toMatchObject({ status: 'dry_run', reason: 'dry_run' });
    }
    // Contacts nobody may mail are reported once, with their reason, and never queued.
    expect(
      (northwind?.emails ?? [])
        .filter((email) => email.status === 'suppressed')
        .map((email) => email.reason)
        .sort(),
    ).toEqual(['do_not_contact:competitor', 'suppressed:unsubscribe']);
  }, 60_000);

  it('defers production sends to the tenant business hours and decides every queued request in later virtual hours', async () => {
    // Prepare: the demo starts at 02:00 in Chicago; the window opens at 09:00 (15:00Z).
    const fixture = await loadFixture(DEMO);

    // Act
    const report = await runSimulation({
      fixture,
      hours: 10,
      sendMode: 'production',
      services: [createSendingService()],
    });

    // Assess
    const northwind = report.tenants.find((t) => t.tenantId === 'northwind-appraisals');
    const emails = northwind?.emails ?? [];
    const finalByRecipient = new Map<string, string>();
    for (const email of emails)
      if (email.status !== 'deferred' && email.cardId !== undefined)
        finalByRecipient.set(email.to, email.status);
    expect(
      emails.some((e) => e.status === 'deferred' && e.reason === 'outside_sending_window'),
    ).toBe(true);
    expect(
      emails.filter((e) => e.status === 'sent').every((e) => e.at >= '2026-01-05T15:00:00.000Z'),
    ).toBe(true);
    expect(finalByRecipient.size).toBe(northwind?.queued.sendRequests);
    expect([...finalByRecipient.values()].every((s) => s === 'sent' || s === 'suppressed')).toBe(
      true,
    );
    expect(report.metrics['EmailSends{outcome=sent}']).toBeGreaterThan(0);
  }, 60_000);
});
