import type { ProposedAction } from '../actions.js';
import type { ActionControls } from './controls.js';

/** Why the policy engine denied an action; stable strings for audits, metrics and reports. */
export const VIOLATION_TYPES = [
  'unknown_action_type',
  'policy_error',
  'sensitive_action',
  'human_task_not_requested',
  'automated_message_not_a_request',
  'research_before_followups_exhausted',
  'recipient_unresolved',
  'do_not_contact',
  'recipient_suppressed',
  'action_disabled',
  'quota_exceeded',
] as const;
export type ViolationType = (typeof VIOLATION_TYPES)[number];

/** A denied action's reason, with the id of the rule that denied it (see `POLICY_RULES`). */
export interface PolicyViolation {
  readonly type: ViolationType;
  readonly reason: string;
  readonly rule: string;
}

/**
 * The policy engine's answer. `rule` on an allowed decision is the last rule that passed;
 * `basis`, when present, says which ground a rule with several grounds accepted (e.g. the
 * classifier rule that found the client's request).
 */
export type PolicyDecision =
  | { readonly allowed: true; readonly rule: string; readonly basis?: string }
  | { readonly allowed: false; readonly violation: PolicyViolation };

/** A denied decision, the input of `toViolationRecord`. */
export type DeniedDecision = Extract<PolicyDecision, { allowed: false }>;

/**
 * Who will receive an outreach action, as resolved by the caller from the target contact and
 * account. The policy engine does not look anything up; what is missing here cannot be allowed.
 */
export interface RecipientProfile {
  readonly email?: string;
  readonly domain?: string;
  readonly accountId?: string;
  readonly industry?: string;
  readonly region?: string;
}

/** The tenant's do-not-contact lists (seeds: competitors, existing customers, regions, industries). */
export interface DoNotContactLists {
  /** A recipient at this domain or any subdomain of it is never contacted. */
  readonly competitorDomains: readonly string[];
  readonly customerEmails: readonly string[];
  readonly customerAccountIds: readonly string[];
  readonly customerDomains: readonly string[];
  readonly excludedIndustries: readonly string[];
  readonly excludedRegions: readonly string[];
}

/** A compliance obligation with a due date; a due one justifies a human task. */
export interface ComplianceDeadline {
  readonly deadlineId: string;
  /** ISO-8601 instant. */
  readonly dueAt: string;
  /** When set, only a task on this account is justified by the deadline. */
  readonly accountId?: string;
}

/**
 * Everything the rules need, gathered by the caller once per cycle. All fields are required on
 * purpose: a rule that finds one missing throws, and a throwing rule denies (fail closed).
 */
export interface PolicyContext {
  readonly now: Date;
  readonly engagement: {
    /** Contacts past their engagement window right now (21-day rule). */
    readonly overdueContacts: number;
  };
  readonly goals: {
    /** Orders or revenue are behind the pace needed to meet the period's goal. */
    readonly behindPace: boolean;
    /** Open deals and bids are too few to meet the goal. */
    readonly pipelineThin: boolean;
  };
  readonly complianceDeadlines: readonly ComplianceDeadline[];
  readonly doNotContact: DoNotContactLists;
  /** Suppressed addresses (bounce, complaint, unsubscribe); compared case-insensitively. */
  readonly suppressedEmails: ReadonlySet<string> | readonly string[];
  /** Feature flags, tier quota and what the quota has allowed so far (shared/domain/policy/controls). */
  readonly controls: ActionControls;
  /** The resolved recipient of an outreach action; required for `send_email` and `follow_up`. */
  readonly recipient?: RecipientProfile;
}

/** What one rule concluded about one action. */
export type RuleVerdict =
  | { readonly pass: true; readonly basis?: string }
  | { readonly pass: false; readonly reason: string };

/** One deterministic check. `check` may throw; the engine turns that into a `policy_error` denial. */
export interface PolicyRule {
  readonly id: string;
  /** The violation a failing verdict becomes; rules that never fail have none. */
  readonly violationType?: ViolationType;
  readonly description: string;
  readonly check: (action: ProposedAction, context: PolicyContext) => RuleVerdict;
}
