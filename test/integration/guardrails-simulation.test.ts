import { describe, expect, it } from 'vitest';
import { parseFixture } from '../../infra/local/fixture.js';
import { runSimulation } from '../../infra/local/simulator.js';

const START = '2026-03-02T09:00:00Z';
const daysAgo = (days: number) =>
  new Date(new Date(START).getTime() - days * 86_400_000).toISOString();

const fixture = parseFixture({
  global: { start: START, hours: 1 },
  tenants: [
    {
      id: 'guarded',
      settings: { name: 'Guarded Appraisals', agentEnabled: true, followUpsPerCycle: 10 },
      doNotContact: { competitorDomains: ['competitor.example'] },
      accounts: [
        {
          accountId: 'a-1',
          name: 'Client Bank',
          status: 'active',
          creditLimit: 1_000,
          outstandingBalance: 900,
          annualValue: 100_000,
        },
        { accountId: 'a-2', name: 'Competitor Co', status: 'prospect' },
      ],
      contacts: [
        {
          contactId: 'overdue-1',
          email: 'one@client.example',
          accountId: 'a-1',
          lastTouchAt: daysAgo(30),
          createdAt: daysAgo(300),
        },
        {
          contactId: 'overdue-2',
          email: 'two@client.example',
          accountId: 'a-1',
          lastTouchAt: daysAgo(25),
          createdAt: daysAgo(300),
        },
        {
          contactId: 'fresh',
          email: 'fresh@client.example',
          accountId: 'a-1',
          lastTouchAt: daysAgo(3),
          createdAt: daysAgo(300),
        },
        {
          contactId: 'rival',
          email: 'cto@competitor.example',
          accountId: 'a-2',
          lastTouchAt: daysAgo(60),
          createdAt: daysAgo(300),
        },
        {
          contactId: 'opted-out',
          email: 'gone@client.example',
          accountId: 'a-1',
          lastTouchAt: daysAgo(40),
          createdAt: daysAgo(300),
        },
      ],
      suppressions: [{ email: 'gone@client.example', reason: 'unsubscribe' }],
      catalog: [{ productCode: 'APPR', fee: 400 }],
      orders: [
        // Total does not add up: the only pricing error, so the safe auto-fix recomputes it.
        {
          orderId: 'fixable',
          accountId: 'a-1',
          paymentMethod: 'card',
          productCode: 'APPR',
          fee: 400,
          techFee: 20,
          total: 400,
          propertyAddress: '1 Elm St',
          borrower: { name: 'Bea', phone: '+1 555 010 0000' },
          propertyContact: { name: 'Pam', phone: '+1 555 010 0001' },
          createdAt: START,
        },
        // Negative tech fee: never "fixed".
        {
          orderId: 'negative-fee',
          accountId: 'a-1',
          paymentMethod: 'card',
          productCode: 'APPR',
          fee: 400,
          techFee: -15,
          total: 385,
          propertyAddress: '2 Elm St',
          borrower: { name: 'Bea', phone: '+1 555 010 0000' },
          propertyContact: { name: 'Pam', phone: '+1 555 010 0001' },
          createdAt: START,
        },
        // Invoice beyond available credit (1,000 − 900) and no property address.
        {
          orderId: 'over-credit',
          accountId: 'a-1',
          paymentMethod: 'invoice',
          productCode: 'APPR',
          fee: 400,
          techFee: 0,
          total: 400,
          borrower: { name: 'Bea', phone: '+1 555 010 0000' },
          propertyContact: { name: 'Pam', phone: '+1 555 010 0001' },
          createdAt: START,
        },
      ],
    },
  ],
});

describe('Guardrails: engines in the simulation report', () => {
  it('yields exactly the expected actions, violations and order exception codes', async () => {
    const report = await runSimulation({ fixture });

    const tenant = report.tenants[0]!;
    expect(tenant.cycles.map((c) => c.status)).toEqual(['SUCCEEDED']);
    // The competitor and the opted-out contact are not contactable: never proposed, reported
    // once each with the reason, left out of compliance.
    expect(tenant.actions).toEqual({
      validate_order: { done: 3 },
      follow_up: { done: 2 },
    });
    expect(tenant.violations).toEqual([]);
    expect(
      tenant.emails
        .filter((email) => email.status === 'suppressed')
        .map((email) => [email.contactId, email.reason])
        .sort(),
    ).toEqual([
      ['opted-out', 'suppressed:unsubscribe'],
      ['rival', 'do_not_contact:competitor'],
    ]);
    expect(tenant.queued.sendRequests).toBe(2);
    expect(tenant.orders).toEqual([
      { orderId: 'fixable', status: 'ready', codes: [], fixes: 1 },
      {
        orderId: 'negative-fee',
        status: 'exception',
        codes: ['PRICE_TECH_FEE_NEGATIVE', 'PRICE_TOTAL_LT_FEE'],
        fixes: 0,
      },
      {
        orderId: 'over-credit',
        status: 'exception',
        codes: ['CREDIT_LIMIT_EXCEEDED', 'MISSING_PROPERTY_ADDRESS'],
        fixes: 0,
      },
    ]);
    expect(tenant.engagement).toEqual({
      contacts: 3,
      compliant: 1,
      overdue: 2,
      complianceRate: 0.3333,
      notContactable: {
        count: 2,
        reasons: { 'do_not_contact:competitor': 1, 'suppressed:unsubscribe': 1 },
      },
      stalePendingSends: 0,
    });
    expect(tenant.tasks).toEqual([]);
  }, 120_000);
});
