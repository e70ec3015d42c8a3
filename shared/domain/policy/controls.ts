import type { ActionCard, ActionType } from '../actions.js';
import type { TenantTier } from '../tenant.js';
import type { PolicyRule, RuleVerdict } from './policy-types.js';

/** Per-tier limits on what the agent does for one tenant (organisation). */
export interface TierQuota {
  /** Allowed actions of any type in one UTC hour. */
  readonly actionsPerHour: number;
  /** Allowed outreach actions (send_email, follow_up) in one UTC day. */
  readonly sendsPerDay: number;
  /** Allowed research and contact_discovery actions in one UTC hour. */
  readonly researchPerHour: number;
}

/**
 * Tier quotas. From the seeds (agent-module-deployment-strategy.md "Resource Quotas" and the
 * 100-jobs-per-hour org limiter): jobs per day 10 / 100 / 1,000 and 100 per hour; the daily send
 * figures follow the sending policy (150/day) for pro. Research per hour has no seed number:
 * 1 / 5 / 20 are ours.
 */
export const TIER_QUOTAS: Readonly<Record<TenantTier, TierQuota>> = {
  free: { actionsPerHour: 10, sendsPerDay: 10, researchPerHour: 1 },
  pro: { actionsPerHour: 100, sendsPerDay: 150, researchPerHour: 5 },
  enterprise: { actionsPerHour: 1_000, sendsPerDay: 1_000, researchPerHour: 20 },
};

/** Actions the tenant's quotas have already allowed in the current windows. */
export interface ControlUsage {
  readonly actionsThisHour: number;
  readonly sendsToday: number;
  readonly researchThisHour: number;
}

/** The tenant's controls as the policy engine reads them. */
export interface ActionControls {
  readonly tier: TenantTier;
  /** Feature flags per action type; a type absent here is enabled. */
  readonly features: Readonly<Partial<Record<string, boolean>>>;
  readonly quota: TierQuota;
  readonly usage: ControlUsage;
}

const SEND_TYPES: ReadonlySet<string> = new Set<ActionType>(['send_email', 'follow_up']);
const RESEARCH_TYPES: ReadonlySet<string> = new Set<ActionType>(['research', 'contact_discovery']);

/**
 * Usage after one more allowed action of `type`; the caller folds every allowed action in, so the
 * next decision in the same Act sees it.
 */
export function addUsage(usage: ControlUsage, type: string): ControlUsage {
  return {
    actionsThisHour: usage.actionsThisHour + 1,
    sendsToday: usage.sendsToday + (SEND_TYPES.has(type) ? 1 : 0),
    researchThisHour: usage.researchThisHour + (RESEARCH_TYPES.has(type) ? 1 : 0),
  };
}

/**
 * Usage from stored cards: those of the current UTC hour (`hourKey`) count toward the hourly
 * quotas, all of them toward the daily one. Only cards the policy allowed count (a blocked card
 * used no quota); `planned` cards have not been decided yet.
 */
export function usageFromCards(cards: readonly ActionCard[], hourKey: string): ControlUsage {
  let usage: ControlUsage = { actionsThisHour: 0, sendsToday: 0, researchThisHour: 0 };
  for (const card of cards) {
    if (card.decision?.allowed !== true) continue;
    if (card.hourKey === hourKey) usage = addUsage(usage, card.type);
    else if (SEND_TYPES.has(card.type)) usage = { ...usage, sendsToday: usage.sendsToday + 1 };
  }
  return usage;
}

const PASS: RuleVerdict = { pass: true };

/** Denies an action type the tenant has switched off. */
export const featureFlagRule: PolicyRule = {
  id: 'controls.feature_flag',
  violationType: 'action_disabled',
  description:
    "An action type the tenant's feature flags set to false (settings.features) is denied; a type not listed is enabled.",
  check: (action, context) => {
    const controls = context.controls;
    if (!controls) throw new RangeError('controls missing from the policy context');
    return controls.features[action.type] === false
      ? { pass: false, reason: `action type ${action.type} is switched off for this tenant` }
      : PASS;
  },
};

/** Denies an action once the tenant's tier quota for the window is used up. */
export const tierQuotaRule: PolicyRule = {
  id: 'controls.tier_quota',
  violationType: 'quota_exceeded',
  description:
    "Tier quotas (TIER_QUOTAS): actions per UTC hour, outreach (send_email, follow_up) per UTC day and research (research, contact_discovery) per UTC hour; an action past the tenant's tier quota is denied.",
  check: (action, context) => {
    const controls = context.controls;
    if (!controls) throw new RangeError('controls missing from the policy context');
    const { quota, usage, tier } = controls;
    if (usage.actionsThisHour >= quota.actionsPerHour)
      return {
        pass: false,
        reason: `tier ${tier}: ${quota.actionsPerHour} actions per hour used`,
      };
    if (SEND_TYPES.has(action.type) && usage.sendsToday >= quota.sendsPerDay)
      return { pass: false, reason: `tier ${tier}: ${quota.sendsPerDay} sends per day used` };
    if (RESEARCH_TYPES.has(action.type) && usage.researchThisHour >= quota.researchPerHour)
      return {
        pass: false,
        reason: `tier ${tier}: ${quota.researchPerHour} research actions per hour used`,
      };
    return PASS;
  },
};
