import type { ProposedAction } from '../actions.js';
import type { PolicyContext, PolicyDecision, PolicyRule, ViolationType } from './policy-types.js';
import {
  DEFAULT_POLICY_REGISTRY,
  ENGINE_RULE_IDS,
  GLOBAL_POLICY_RULES,
  type PolicyRegistry,
} from './registry.js';

const MAX_REASON_LENGTH = 500;

/**
 * Decides one proposed action, deterministically and fail-closed: an action type missing from the
 * registry is denied (`unknown_action_type`), and so is one registered with no rules (`policy_error`);
 * otherwise the global rules then the type's rules run in order and the first failure denies; a
 * rule that throws or returns no verdict denies (`policy_error`). Allowed only when every rule
 * passes. Never throws.
 *
 * @example
 * const decision = evaluatePolicy(action, context);
 * if (!decision.allowed) audit.push(toViolationRecord(decision, action, { runId, now }));
 */
export function evaluatePolicy(
  action: ProposedAction,
  context: PolicyContext,
  registry: PolicyRegistry = DEFAULT_POLICY_REGISTRY,
): PolicyDecision {
  const type: unknown = (action as { type?: unknown } | null | undefined)?.type;
  const typeRules = typeof type === 'string' ? registry.get(type) : undefined;
  if (typeRules === undefined) {
    return deny(
      'unknown_action_type',
      `action type "${String(type)}" is not registered`,
      ENGINE_RULE_IDS.unknownActionType,
    );
  }

  // A type registered without rules has no rule that decided for it: deny rather than let the
  // global rules alone allow it.
  if (typeRules.length === 0) {
    return deny(
      'policy_error',
      `action type "${type}" is registered without rules`,
      ENGINE_RULE_IDS.ruleError,
    );
  }

  const rules = [...GLOBAL_POLICY_RULES, ...typeRules];
  let last: { rule: string; basis?: string } | undefined;
  for (const rule of rules) {
    const verdict = runRule(rule, action, context);
    if ('error' in verdict) {
      return deny('policy_error', `rule ${rule.id} failed: ${verdict.error}`, rule.id);
    }
    if (!verdict.pass) {
      if (!rule.violationType) {
        return deny(
          'policy_error',
          `rule ${rule.id} failed without a violation type: ${verdict.reason}`,
          rule.id,
        );
      }
      return deny(rule.violationType, verdict.reason, rule.id);
    }
    last = { rule: rule.id, ...(verdict.basis ? { basis: verdict.basis } : {}) };
  }
  if (!last)
    return deny('policy_error', `action type "${type}" ran no rules`, ENGINE_RULE_IDS.ruleError);
  return { allowed: true, ...last };
}

function runRule(
  rule: PolicyRule,
  action: ProposedAction,
  context: PolicyContext,
): { pass: true; basis?: string } | { pass: false; reason: string } | { error: string } {
  try {
    const verdict = rule.check(action, context);
    // A rule returning something malformed is as untrustworthy as one that throws.
    if (verdict?.pass === true) return verdict;
    if (verdict?.pass === false && typeof verdict.reason === 'string') return verdict;
    return { error: 'returned no verdict' };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

function deny(type: ViolationType, reason: string, rule: string): PolicyDecision {
  const bounded =
    reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH - 1)}…` : reason;
  return { allowed: false, violation: { type, reason: bounded, rule } };
}
