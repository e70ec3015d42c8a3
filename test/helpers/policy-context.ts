import { TIER_QUOTAS } from '../../shared/domain/policy/controls.js';
import type { PolicyContext } from '../../shared/domain/policy/policy-types.js';

/** An hour with nothing used yet: every tier quota is free. */
export const NO_USAGE = { actionsThisHour: 0, sendsToday: 0, researchThisHour: 0 } as const;

/**
 * A policy context for table tests: a pro tenant on pace with no do-not-contact entries, no
 * suppressions and no usage this hour at 2026-03-02T10:00Z; `overrides` replace whole fields.
 */
export function policyContext(overrides: Partial<PolicyContext> = {}): PolicyContext {
  return {
    now: new Date('2026-03-02T10:00:00.000Z'),
    engagement: { overdueContacts: 0 },
    goals: { behindPace: false, pipelineThin: false },
    complianceDeadlines: [],
    doNotContact: {
      competitorDomains: [],
      customerEmails: [],
      customerAccountIds: [],
      customerDomains: [],
      excludedIndustries: [],
      excludedRegions: [],
    },
    suppressedEmails: [],
    controls: { tier: 'pro', features: {}, quota: TIER_QUOTAS.pro, usage: NO_USAGE },
    ...overrides,
  };
}
