import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../shared/clock.js';
import { createCycleRepositories } from '../../../shared/cycle/create-runtime.js';
import { contactIdForEmail } from '../../../shared/storage/contact-directory.js';
import { parseFixture } from '../../../infra/local/fixture.js';
import { startLocalStack, type LocalStack } from '../../../infra/local/local-stack.js';
import { runSimulation } from '../../../infra/local/simulator.js';
import type { SimulationReport } from '../../../infra/local/report.js';
import { buildMessage, OUR_SES_MESSAGE_ID } from '../../helpers/mail-builder.js';

const START = '2026-03-02T08:00:00Z';
/** 22 days after the message: every 21-day window opened by it has passed. */
const LATER = '2026-03-24T08:00:00Z';
const STRANGERS = ['ivan.petrov@peakbank.example', 'wei.chen@peakbank.example'];
const WRITER = 'dana.whitfield@lakeshoremortgage.example';

/**
 * Issue 11 item 7 end to end: Dana replies and Cc's two people nobody at the tenant knows. The
 * agent runs two hours then (the message is ingested), and again 22 days later on the same table
 * (the simulation in between would only spend time on idle hours): Dana is followed up, her window
 * having passed, but the Cc'd strangers are not — they are `discovered` contacts, never outreach
 * targets (the planner/send gate block them with the named violation `discovered_contact`, or
 * never propose them).
 */
describe("Simulator: Cc'd strangers are not followed up 21 days later", () => {
  let stack: LocalStack;
  let report: SimulationReport;

  beforeAll(async () => {
    stack = await startLocalStack({ queuePrefix: 'discovered-sim' });
    const tenant = (mailbox: unknown[]) => ({
      id: 'northwind',
      settings: {
        name: 'Northwind Appraisals',
        agentEnabled: true,
        internalDomains: ['northwind-appraisals.example'],
      },
      accounts: [
        {
          accountId: 'acc-lakeshore',
          name: 'Lakeshore Mortgage',
          domain: 'lakeshoremortgage.example',
        },
      ],
      contacts: [
        {
          contactId: 'c-001',
          email: WRITER,
          name: 'Dana Whitfield',
          accountId: 'acc-lakeshore',
          lastTouchAt: '2026-02-27T09:00:00Z',
          createdAt: '2025-06-01T09:00:00Z',
        },
      ],
      mailbox,
    });
    const message = {
      receivedAt: '2026-03-02T08:30:00Z',
      raw: buildMessage({
        from: `Dana Whitfield <${WRITER}>`,
        to: 'Northwind Appraisals <team@northwind-appraisals.example>',
        subject: 'Re: appraisal reviews',
        body: 'Thanks for the update. Looping in Ivan and Wei, who now handle our reviews.\n\nDana',
        inReplyTo: OUR_SES_MESSAGE_ID,
        headers: {
          Cc: 'Ivan Petrov <ivan.petrov@peakbank.example>, Wei Chen <wei.chen@peakbank.example>',
        },
      }),
    };
    await runSimulation({
      fixture: parseFixture({ global: { start: START }, tenants: [tenant([message])] }),
      hours: 2,
      stack,
    });
    report = await runSimulation({
      fixture: parseFixture({ global: { start: LATER }, tenants: [tenant([])] }),
      hours: 6,
      stack,
    });
  }, 300_000);

  afterAll(async () => {
    await stack.stop();
  });

  it("creates the Cc'd strangers as discovered contacts and keeps them discovered", async () => {
    const repos = createCycleRepositories({
      doc: stack.clients.doc,
      tableName: stack.tableName,
      clock: new VirtualClock(START),
    });

    for (const email of STRANGERS)
      expect(await repos.contacts.get('northwind', contactIdForEmail(email))).toMatchObject({
        email,
        discovered: { via: 'cc' },
      });
  });

  it('follows up the writer after her window and never emails a discovered stranger', () => {
    const northwind = report.tenants.find((tenant) => tenant.tenantId === 'northwind');
    const emails = northwind?.emails ?? [];
    const toStrangers = emails.filter((email) => STRANGERS.includes(email.to));

    // The simulation ran long enough for a 21-day follow-up: the writer got hers.
    expect(emails.some((email) => email.to === WRITER)).toBe(true);
    // No stranger was queued: each is reported once as not contactable, with its reason.
    expect(toStrangers.map((email) => [email.to, email.status, email.reason]).sort()).toEqual(
      STRANGERS.map((to) => [to, 'suppressed', 'discovered']).sort(),
    );
    expect(toStrangers.every((email) => email.cardId === undefined)).toBe(true);
    expect(northwind?.engagement.notContactable.reasons['discovered']).toBe(STRANGERS.length);
  });
});
