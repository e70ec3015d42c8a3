import { describe, expect, it } from 'vitest';
import { parseFixture } from '../../infra/local/fixture.js';
import { runSimulation } from '../../infra/local/simulator.js';
import { TIER_QUOTAS } from '../../shared/domain/policy/controls.js';

const START = '2026-03-02T09:00:00Z';
const daysAgo = (days: number) =>
  new Date(new Date(START).getTime() - days * 86_400_000).toISOString();

/** `count` contacts, all past their 21-day engagement window. */
function overdueContacts(prefix: string, count: number) {
  return Array.from({ length: count }, (_, index) => ({
    contactId: `${prefix}-${index + 1}`,
    email: `${prefix}${index + 1}@client.example`,
    lastTouchAt: daysAgo(30 + index),
    createdAt: daysAgo(300),
  }));
}

const fixture = parseFixture({
  global: { start: START, hours: 1 },
  tenants: [
    {
      id: 'free-tier',
      settings: { name: 'Free Tier Co', agentEnabled: true, tier: 'free' },
      // 10 follow-ups (the planner's per-cycle limit) and 2 order validations: 12 actions.
      contacts: overdueContacts('free', 10),
      accounts: [{ accountId: 'a-1', name: 'Client Bank', status: 'active' }],
      catalog: [{ productCode: 'APPR', fee: 400 }],
      orders: ['o-1', 'o-2'].map((orderId) => ({
        orderId,
        accountId: 'a-1',
        paymentMethod: 'card',
        productCode: 'APPR',
        fee: 400,
        techFee: 0,
        total: 400,
        propertyAddress: '1 Elm St',
        borrower: { name: 'Bea', phone: '+1 555 010 0000' },
        propertyContact: { name: 'Pam', phone: '+1 555 010 0001' },
        createdAt: START,
      })),
    },
    {
      id: 'flagged',
      settings: {
        name: 'Flagged Co',
        agentEnabled: true,
        tier: 'pro',
        features: { follow_up: false },
      },
      contacts: overdueContacts('flag', 2),
    },
  ],
});

describe('Controls: feature flags and tier quotas in a simulated cycle', () => {
  it('blocks actions past the tier quota and actions switched off, each with a named violation in the report', async () => {
    const report = await runSimulation({ fixture });
    const [free, flagged] = report.tenants;

    // Free tier: 12 actions proposed in one hour, 10 allowed; the rest blocked by the quota.
    const quota = TIER_QUOTAS.free.actionsPerHour;
    const counts = Object.values(free!.actions).reduce<{ done: number; blocked: number }>(
      (sum, byStatus) => ({
        done: sum.done + (byStatus['done'] ?? 0),
        blocked: sum.blocked + (byStatus['blocked'] ?? 0),
      }),
      { done: 0, blocked: 0 },
    );
    expect(counts).toEqual({ done: quota, blocked: 12 - quota });
    expect(free!.violations.map((v) => [v.type, v.reason])).toEqual(
      Array.from({ length: 12 - quota }, () => [
        'quota_exceeded',
        'tier free: 10 actions per hour used',
      ]),
    );

    // follow_up switched off: nothing queued, every proposal named.
    expect(flagged!.actions).toEqual({ follow_up: { blocked: 2 } });
    expect(flagged!.violations.map((v) => [v.type, v.reason])).toEqual([
      ['action_disabled', 'action type follow_up is switched off for this tenant'],
      ['action_disabled', 'action type follow_up is switched off for this tenant'],
    ]);
    expect(flagged!.queued.sendRequests).toBe(0);
  }, 120_000);
});
