import type { ActionTarget, ProposedAction } from '../actions.js';
import type { DeniedDecision, ViolationType } from './policy-types.js';

/** A policy violation as persisted in the audit trail (`AUDIT#<ts>#<id>`); plain JSON, no classes. */
export interface ViolationRecord {
  readonly type: ViolationType;
  /** The proposed type as given, even when it was unknown. */
  readonly actionType: string;
  readonly reason: string;
  readonly rule: string;
  readonly runId: string;
  /** ISO-8601 instant of the decision. */
  readonly at: string;
  /** The ids the action referred to; only string fields, nothing else from the proposal. */
  readonly target: ActionTarget;
  /** The inbound message offered as evidence, when there was one. */
  readonly evidenceMessageId?: string;
}

const TARGET_KEYS = ['contactId', 'accountId', 'orderId', 'dealId', 'bidId', 'email'] as const;
const MAX_FIELD_LENGTH = 500;

/**
 * Turns a denied decision into a record ready to persist: the violation, the action type, the
 * target's ids, the run and the instant. Copies only known string fields, each bounded in length,
 * so a hostile proposal cannot bloat or reshape the audit item.
 *
 * @example
 * const decision = evaluatePolicy(action, context);
 * if (!decision.allowed) records.push(toViolationRecord(decision, action, { runId, now: clock.now() }));
 */
export function toViolationRecord(
  decision: DeniedDecision,
  action: ProposedAction,
  options: { readonly runId: string; readonly now: Date },
): ViolationRecord {
  const target: Record<string, string> = {};
  const rawTarget: unknown = (action as { target?: unknown }).target;
  if (rawTarget !== null && typeof rawTarget === 'object') {
    for (const key of TARGET_KEYS) {
      const value: unknown = (rawTarget as Record<string, unknown>)[key];
      if (typeof value === 'string') target[key] = bound(value);
    }
  }
  const messageId = action.evidence?.messageId;
  return {
    type: decision.violation.type,
    actionType: bound(String((action as { type?: unknown }).type)),
    reason: bound(decision.violation.reason),
    rule: decision.violation.rule,
    runId: options.runId,
    at: options.now.toISOString(),
    target,
    ...(typeof messageId === 'string' ? { evidenceMessageId: bound(messageId) } : {}),
  };
}

function bound(value: string): string {
  return value.length > MAX_FIELD_LENGTH ? `${value.slice(0, MAX_FIELD_LENGTH - 1)}…` : value;
}
