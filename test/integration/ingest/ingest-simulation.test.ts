import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../shared/clock.js';
import { createCycleRepositories } from '../../../shared/cycle/create-runtime.js';
import { loadFixture } from '../../../infra/local/fixture.js';
import { GmailMessageRepository } from '../../../shared/storage/gmail-message-repository.js';
import { startLocalStack, type LocalStack } from '../../../infra/local/local-stack.js';
import { runSimulation } from '../../../infra/local/simulator.js';
import type { SimulationReport } from '../../../infra/local/report.js';

const DEMO = 'events/demo/demo.json';

describe('Simulator: Gmail ingest in agentctl simulate (demo fixture)', () => {
  let stack: LocalStack;
  let report: SimulationReport;

  beforeAll(async () => {
    stack = await startLocalStack({ queuePrefix: 'ingest-sim' });
    // 08:00–16:00: every demo mailbox message has arrived by 14:30.
    report = await runSimulation({ fixture: await loadFixture(DEMO), hours: 8, stack });
  }, 120_000);

  afterAll(async () => {
    await stack.stop();
  });

  it('fills each tenant report ingest section from the real poller and ingest handler', () => {
    const ingest = Object.fromEntries(
      report.tenants.map((tenant) => [tenant.tenantId, tenant.ingest]),
    );

    expect(ingest).toEqual({
      'northwind-appraisals': {
        messages: 4,
        duplicates: 0,
        classified: { auto_reply: 1, bounce: 1, explicit_request: 1, unsubscribe: 1 },
      },
      'summit-lending': { messages: 1, duplicates: 0, classified: { explicit_request: 1 } },
      'harbor-title': { messages: 0, duplicates: 0, classified: {} },
    });
    expect(report.metrics['GmailMessagesProcessed']).toBe(5);
    expect(report.metrics['GmailFullSyncs']).toBe(2);
  });

  it('turns the call request into an allowed task for the contact at the next cycle', () => {
    const northwind = report.tenants.find((tenant) => tenant.tenantId === 'northwind-appraisals');

    expect(northwind?.tasks).toEqual([
      expect.objectContaining({ contactId: 'c-001', evidence: 'client_request' }),
    ]);
    expect(northwind?.violations.filter((v) => v.actionType === 'create_task')).toEqual([]);
  });

  it('suppresses the unsubscribed demo contacts, leaves alone the bounce report for an address the agent never mailed, and records the call request as an inbound touch, enriching contacts without overwriting', async () => {
    const ctx = {
      doc: stack.clients.doc,
      tableName: stack.tableName,
      clock: new VirtualClock('2026-01-05T16:00:00Z'),
    };
    const repos = createCycleRepositories(ctx);

    const suppressions = await repos.suppressions.list('northwind-appraisals');
    const dana = await repos.contacts.get('northwind-appraisals', 'c-001');
    const grace = await repos.contacts.get('summit-lending', 's-003');

    const bounce = (await new GmailMessageRepository(ctx).list('northwind-appraisals')).find(
      (record) => record.classification === 'bounce',
    );

    expect(suppressions.map((s) => [s.email, s.reason]).sort()).toEqual([
      ['rita.moreno@prairiecu.example', 'unsubscribe'],
      ['tom.okafor@prairiecu.example', 'unsubscribe'],
    ]);
    // The demo runs in dry_run: nothing was sent to Zoe, so a report of a bounce cannot be ours.
    expect(bounce?.['bounced']).toEqual([
      expect.objectContaining({
        email: 'zoe.patel@riverbendloans.example',
        trust: 'not_sent_by_us',
      }),
    ]);
    expect(dana?.lastInboundAt).toBe('2026-01-05T09:20:00.000Z');
    // The signature filled the missing phone; the title the fixture already had was kept.
    expect(grace).toMatchObject({ title: 'Owner', phone: '720-555-0133' });
  });
});
