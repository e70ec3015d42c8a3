import type { ActionType } from '../actions.js';
import type { PolicyRule, ViolationType } from './policy-types.js';
import {
  contactDiscoveryRule,
  doNotContactRule,
  humanTaskRequestedRule,
  noSensitiveOperationRule,
  notFromAutomatedMessageRule,
  notSuppressedRule,
  recipientResolvedRule,
  researchAfterFollowUpsRule,
  validateOrderRule,
} from './rules.js';
import { featureFlagRule, tierQuotaRule } from './controls.js';

/**
 * Action types → the rules that must all pass, in order. An action type with no entry is denied,
 * so a type becomes possible only by registering it here (fail closed).
 */
export type PolicyRegistry = ReadonlyMap<string, readonly PolicyRule[]>;

const OUTREACH_RULES = [recipientResolvedRule, doNotContactRule, notSuppressedRule] as const;

const DEFAULT_ENTRIES = {
  send_email: OUTREACH_RULES,
  follow_up: OUTREACH_RULES,
  create_task: [notFromAutomatedMessageRule, humanTaskRequestedRule],
  research: [researchAfterFollowUpsRule],
  contact_discovery: [contactDiscoveryRule],
  validate_order: [validateOrderRule],
} as const satisfies Record<ActionType, readonly PolicyRule[]>;

/** Rules run before the type's own rules, for every registered type. */
export const GLOBAL_POLICY_RULES: readonly PolicyRule[] = [
  noSensitiveOperationRule,
  featureFlagRule,
  tierQuotaRule,
];

/**
 * Builds a registry from a plain object; a Map, so that keys like `constructor` or `__proto__`
 * are never found by accident.
 */
export function createPolicyRegistry(
  entries: Readonly<Record<string, readonly PolicyRule[]>>,
): PolicyRegistry {
  return new Map(Object.entries(entries));
}

/** The registry the agent runs with: one entry per `ACTION_TYPES` value. */
export const DEFAULT_POLICY_REGISTRY: PolicyRegistry = createPolicyRegistry(DEFAULT_ENTRIES);

/** Rule ids the engine itself decides with, outside any registered rule. */
export const ENGINE_RULE_IDS = {
  unknownActionType: 'engine.registered_action_type',
  ruleError: 'engine.rule_error',
} as const;

/** One row of the rule table: which violation the rule raises and what it enforces. */
export interface PolicyRuleDescription {
  readonly violationType?: ViolationType;
  readonly description: string;
  /** The action types the rule applies to; `*` for every registered type. */
  readonly appliesTo: readonly string[];
}

function describeRules(): Record<string, PolicyRuleDescription> {
  const table: Record<string, PolicyRuleDescription> = {
    [ENGINE_RULE_IDS.unknownActionType]: {
      violationType: 'unknown_action_type',
      description: 'An action type missing from the registry is denied (fail closed).',
      appliesTo: ['*'],
    },
    [ENGINE_RULE_IDS.ruleError]: {
      violationType: 'policy_error',
      description:
        'A rule that throws (bad context, malformed action) denies the action (fail closed).',
      appliesTo: ['*'],
    },
  };
  for (const rule of GLOBAL_POLICY_RULES) {
    table[rule.id] = { ...withViolation(rule), description: rule.description, appliesTo: ['*'] };
  }
  for (const [type, rules] of DEFAULT_POLICY_REGISTRY) {
    for (const rule of rules) {
      const appliesTo = [...(table[rule.id]?.appliesTo ?? []), type];
      table[rule.id] = { ...withViolation(rule), description: rule.description, appliesTo };
    }
  }
  return table;
}

function withViolation(rule: PolicyRule): { violationType?: ViolationType } {
  return rule.violationType ? { violationType: rule.violationType } : {};
}

/** Every rule id the engine can report → violation type and description; for docs and closing notes. */
export const POLICY_RULES: Readonly<Record<string, PolicyRuleDescription>> = describeRules();
