import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFixture, parseFixture } from '../../infra/local/fixture.js';
import { runSimulation } from '../../infra/local/simulator.js';
import { main } from '../../infra/cli/main.js';

const DEMO = 'events/demo/demo.json';

describe('Simulator: agentctl simulate', () => {
  it('produces the same report for the same input over 25 hours of the demo fixture', async () => {
    const fixture = await loadFixture(DEMO);

    // 25 hours: the first hour and, 24 hours later, the retry of the blocked outreach.
    const first = await runSimulation({ fixture, hours: 25 });
    const second = await runSimulation({ fixture, hours: 25 });

    expect(second).toEqual(first);
    // 13, not 2 × 25: Northwind's 17 hours with nothing due start no execution (DESIGN §9; the
    // hour after a fold of replies without requests is one of them), nor do Summit's 20 hours
    // whose only card is research deferred for want of a provider (a settings change wakes it;
    // until then the daily run retries).
    expect(first.simulation.executions).toEqual({ succeeded: 13, failed: 0 });
    const northwind = first.tenants.find((t) => t.tenantId === 'northwind-appraisals');
    expect(northwind?.cycles).toHaveLength(25);
    expect(
      northwind?.cycles.filter((c) => c.status === 'SKIPPED' && c.reason === 'idle'),
    ).toHaveLength(17);
    const summit = first.tenants.find((t) => t.tenantId === 'summit-lending');
    expect(summit?.cycles).toHaveLength(25);
    expect(
      summit?.cycles.filter((c) => c.status === 'SKIPPED' && c.reason === 'idle'),
    ).toHaveLength(20);
    // Outreach the policy blocks (an excluded industry) is retried once a day (the avoid_contact
    // hint lasts 24 hours), and blocked again.
    expect(northwind?.violations.map((v) => [v.type, v.target['contactId']])).toEqual([
      ['do_not_contact', 'c-009'],
      ['do_not_contact', 'c-009'],
    ]);
    // A competitor's contact is not contactable: reported once over the window, never proposed.
    expect(
      northwind?.emails
        .filter((email) => email.contactId === 'c-008')
        .map((email) => [email.status, email.reason]),
    ).toEqual([['suppressed', 'do_not_contact:competitor']]);
    expect(northwind?.orders.map((o) => [o.orderId, o.status, o.codes])).toEqual([
      ['ord-1001', 'ready', []],
      ['ord-1002', 'ready', []],
      ['ord-1003', 'exception', ['PRICE_TECH_FEE_NEGATIVE', 'PRICE_TOTAL_LT_FEE']],
      [
        'ord-1004',
        'exception',
        ['CREDIT_LIMIT_EXCEEDED', 'MISSING_PROPERTY_ADDRESS', 'MISSING_PROPERTY_CONTACT'],
      ],
    ]);
    expect(first.tenants.find((t) => t.tenantId === 'harbor-title')?.cycles).toEqual([]);
  }, 300_000);

  it('reports every tenant SKIPPED(kill_switch) and nothing queued when the fixture turns the kill switch on', async () => {
    const fixture = parseFixture({
      ...(JSON.parse(
        await import('node:fs/promises').then((fs) => fs.readFile(DEMO, 'utf8')),
      ) as object),
      global: { start: '2026-01-05T08:00:00Z', killSwitch: 'on' },
    });

    const report = await runSimulation({ fixture, hours: 2 });

    for (const tenant of report.tenants.filter((t) => t.agentEnabled)) {
      expect(tenant.cycles.map((c) => [c.status, c.reason])).toEqual([
        ['SKIPPED', 'kill_switch'],
        ['SKIPPED', 'kill_switch'],
      ]);
      expect(tenant.queued.sendRequests).toBe(0);
      expect(tenant.actions).toEqual({});
    }
  }, 120_000);

  it('rejects a fixture with a clear error naming the field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fixture-'));
    try {
      const path = join(dir, 'bad.json');
      await import('node:fs/promises').then((fs) =>
        fs.writeFile(
          path,
          JSON.stringify({
            tenants: [
              {
                id: 'ok',
                settings: { name: 'Ok' },
                doNotContact: {},
                contacts: [{ contactId: 'c', email: 'not-an-email' }],
              },
            ],
          }),
        ),
      );
      const out: string[] = [];
      const err: string[] = [];

      const code = await main(
        ['simulate', '--fixture', path, '--json'],
        { write: (s: string) => out.push(s) } as never,
        { write: (s: string) => err.push(s) } as never,
      );

      expect(code).toBe(2);
      expect(err.join('')).toContain('tenants[0].contacts[0].email');
      expect(out).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('emits the documented JSON report and leaves a data dir the operator commands can read', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'agent-data-'));
    try {
      const out: string[] = [];
      const sink = { write: (s: string) => out.push(s) } as never;

      const progress: string[] = [];
      const code = await main(
        ['simulate', '--fixture', DEMO, '--hours', '2', '--json', '--data-dir', dataDir],
        sink,
        { write: (s: string) => progress.push(s) } as never,
      );
      // stdout holds the report only; progress went to stderr.
      expect(progress.join('')).toContain('hour 2/2');
      const report = JSON.parse(out.join('')) as { tenants: Record<string, unknown>[] };
      out.length = 0;
      const runsCode = await main(
        ['runs', 'northwind-appraisals', '--json', '--local', dataDir],
        sink,
        sink,
      );
      const runs = JSON.parse(out.join('')) as { status: string }[];
      out.length = 0;
      await main(['kill-switch', 'on', '--reason', 'incident 42', '--local', dataDir], sink, sink);
      await main(['kill-switch', 'status', '--local', dataDir], sink, sink);
      const status = out.join('');
      out.length = 0;
      await main(['tenant', 'disable', 'summit-lending', '--json', '--local', dataDir], sink, sink);
      const disabled = JSON.parse(out.join('')) as { agentEnabled: boolean };

      expect(code).toBe(0);
      for (const tenant of report.tenants) {
        expect(Object.keys(tenant)).toEqual(
          expect.arrayContaining([
            'cycles',
            'emails',
            'violations',
            'tasks',
            'orders',
            'engagement',
            'ingest',
          ]),
        );
        expect(Object.keys(tenant['engagement'] as object)).toEqual(
          expect.arrayContaining(['contacts', 'overdue', 'complianceRate']),
        );
        expect(Object.keys(tenant['ingest'] as object)).toEqual(
          expect.arrayContaining(['messages', 'duplicates', 'classified']),
        );
      }
      expect(runsCode).toBe(0);
      expect(runs.map((run) => run.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
      expect(status).toContain('ON');
      expect(status).toContain('incident 42');
      expect(disabled.agentEnabled).toBe(false);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
