import { describe, expect, it } from 'vitest';
import type { ActionCard, ProposedAction } from '../../../shared/domain/actions.js';
import { evaluatePolicy } from '../../../shared/domain/policy/policy-engine.js';
import {
  TIER_QUOTAS,
  addUsage,
  usageFromCards,
  type ActionControls,
} from '../../../shared/domain/policy/controls.js';
import type { PolicyContext } from '../../../shared/domain/policy/policy-types.js';
import { NO_USAGE, policyContext } from '../../helpers/policy-context.js';

function context(controls: Partial<ActionControls> = {}): PolicyContext {
  return policyContext({
    goals: { behindPace: true, pipelineThin: false },
    recipient: { email: 'ann@prospect.example' },
    controls: { tier: 'free', features: {}, quota: TIER_QUOTAS.free, usage: NO_USAGE, ...controls },
  });
}

function proposal(type: string): ProposedAction {
  return { type, target: { contactId: 'c-1' }, reason: 'due', payload: {} };
}

describe('Domain: feature flags and tier quotas in the policy engine', () => {
  it.each(['send_email', 'follow_up', 'research', 'create_task'])(
    'denies %s with action_disabled when its flag is off, naming the type',
    (type) => {
      const decision = evaluatePolicy(proposal(type), context({ features: { [type]: false } }));

      expect(decision).toEqual({
        allowed: false,
        violation: {
          type: 'action_disabled',
          rule: 'controls.feature_flag',
          reason: `action type ${type} is switched off for this tenant`,
        },
      });
    },
  );

  it('leaves other action types alone when one flag is off', () => {
    const decision = evaluatePolicy(
      proposal('follow_up'),
      context({ features: { send_email: false } }),
    );

    expect(decision.allowed).toBe(true);
  });

  it.each([
    {
      case: 'the hourly action quota is used',
      type: 'validate_order',
      usage: { ...NO_USAGE, actionsThisHour: TIER_QUOTAS.free.actionsPerHour },
      reason: 'tier free: 10 actions per hour used',
    },
    {
      case: 'the daily send quota is used',
      type: 'follow_up',
      usage: { ...NO_USAGE, sendsToday: TIER_QUOTAS.free.sendsPerDay },
      reason: 'tier free: 10 sends per day used',
    },
    {
      case: 'the hourly research quota is used',
      type: 'research',
      usage: { ...NO_USAGE, researchThisHour: TIER_QUOTAS.free.researchPerHour },
      reason: 'tier free: 1 research actions per hour used',
    },
  ])('denies with quota_exceeded when $case', ({ type, usage, reason }) => {
    const decision = evaluatePolicy(proposal(type), context({ usage }));

    expect(decision).toEqual({
      allowed: false,
      violation: { type: 'quota_exceeded', rule: 'controls.tier_quota', reason },
    });
  });

  it('allows outreach one below the daily send quota and research when only sends are used up', () => {
    const usage = { ...NO_USAGE, sendsToday: TIER_QUOTAS.free.sendsPerDay - 1 };
    expect(evaluatePolicy(proposal('send_email'), context({ usage })).allowed).toBe(true);

    const sendsUsed = { ...NO_USAGE, sendsToday: TIER_QUOTAS.free.sendsPerDay };
    expect(evaluatePolicy(proposal('research'), context({ usage: sendsUsed })).allowed).toBe(true);
  });

  it('gives higher tiers larger quotas on every axis', () => {
    for (const key of ['actionsPerHour', 'sendsPerDay', 'researchPerHour'] as const) {
      expect(TIER_QUOTAS.free[key]).toBeLessThan(TIER_QUOTAS.pro[key]);
      expect(TIER_QUOTAS.pro[key]).toBeLessThan(TIER_QUOTAS.enterprise[key]);
    }
  });

  it('denies with policy_error when the controls are missing from the context (fail closed)', () => {
    const broken = { ...context(), controls: undefined } as unknown as PolicyContext;

    expect(evaluatePolicy(proposal('send_email'), broken)).toMatchObject({
      allowed: false,
      violation: { type: 'policy_error', rule: 'controls.feature_flag' },
    });
  });

  it('counts allowed cards only: this hour toward every quota, earlier hours toward sends per day', () => {
    const card = (hourKey: string, type: string, allowed: boolean | undefined) =>
      ({
        hourKey,
        type,
        ...(allowed === undefined ? {} : { decision: { allowed, rule: 'r' } }),
      }) as unknown as ActionCard;

    const usage = usageFromCards(
      [
        card('2026030209', 'follow_up', true),
        card('2026030209', 'research', true),
        card('2026030210', 'send_email', true),
        card('2026030210', 'research', true),
        card('2026030210', 'follow_up', false),
        card('2026030210', 'follow_up', undefined),
      ],
      '2026030210',
    );

    expect(usage).toEqual({ actionsThisHour: 2, sendsToday: 2, researchThisHour: 1 });
    expect(addUsage(usage, 'contact_discovery')).toEqual({
      actionsThisHour: 3,
      sendsToday: 2,
      researchThisHour: 2,
    });
  });
});
