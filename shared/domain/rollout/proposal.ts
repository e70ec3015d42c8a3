import { createHash } from 'node:crypto';
import type { ActionCard } from '../actions.js';
import type { ProposalStatus } from './approval-lifecycle.js';
import {
  DEFAULT_APPROVAL_SLA_MINUTES,
  DEFAULT_APPROVAL_TTL_HOURS,
  type RolloutPhase,
  type RolloutSettings,
} from './phase.js';

/** The parts of a card a proposal keeps, so an approval executes what was shown. */
export type ProposalCard = Pick<
  ActionCard,
  'cardId' | 'hourKey' | 'type' | 'target' | 'reason' | 'payload' | 'evidence'
>;

/** A human decision on a proposal or a change to it, as kept in its history. */
export interface ProposalEvent {
  readonly status: ProposalStatus;
  readonly at: string;
  /** Who: an operator name, or `agent` for the cycle. */
  readonly by: string;
  readonly action:
    | 'recorded'
    | 'requested'
    | 're_requested'
    | 'approved'
    | 'rejected'
    | 'edited'
    | 'expired'
    | 'executing'
    | 'executed'
    | 'superseded'
    | 'reviewed';
  readonly note?: string;
  readonly edits?: readonly ProposalEdit[];
}

/** One field an approver changed before approving. */
export interface ProposalEdit {
  readonly field: string;
  readonly from?: string;
  readonly to: string;
}

/** A parallel-phase reviewer's own decision on what the agent proposed. */
export interface ProposalReview {
  readonly decision: 'agree' | 'disagree';
  readonly by: string;
  readonly at: string;
  readonly note?: string;
}

/** An allowed action the rollout phase kept from executing (see approval-lifecycle.ts). */
export interface Proposal {
  readonly tenantId: string;
  readonly proposalId: string;
  readonly actionType: string;
  /** The phase the proposal was made in (shadow, parallel or assisted). */
  readonly phase: Exclude<RolloutPhase, 'autonomous'>;
  readonly status: ProposalStatus;
  readonly card: ProposalCard;
  /** The recipient, for email actions. */
  readonly to?: string;
  /** The touch an email action would make (shared/domain/touch.ts). */
  readonly touchKey?: string;
  /** The draft the email would carry, when drafting produced one. */
  readonly draft?: Readonly<Record<string, unknown>>;
  /** Requests made for this touch: 1, then +1 each time an expired one is re-planned. */
  readonly generation: number;
  readonly requestedAt: string;
  /** Approvals only: after this instant the request is expired and never executed. */
  readonly expiresAt?: string;
  /** Approvals only: when the approver should have answered (per action type). */
  readonly slaDueAt?: string;
  readonly decidedBy?: string;
  readonly decidedAt?: string;
  readonly review?: ProposalReview;
  readonly claimedBy?: string;
  readonly result?: Readonly<Record<string, unknown>>;
  readonly history: readonly ProposalEvent[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * The proposal id of a card: `p-` and 12 hex digits of a digest of the card id and whether it is
 * recorded (shadow, parallel) or held for approval (assisted). Card ids are derived from content
 * (follow-up of contact C due at D), so every re-proposal of the same touch has the same short id
 * an operator can type, and a touch recorded in shadow is asked for afresh once assisted.
 *
 * @example
 * proposalIdOf('follow_up:c-1:2026-01-26T08:00:00.000Z', 'hold') // 'p-…' (always the same)
 */
export function proposalIdOf(cardId: string, kind: 'record' | 'hold'): string {
  return `p-${createHash('sha256').update(`${kind}:${cardId}`).digest('hex').slice(0, 12)}`;
}

/** Deadlines of an approval requested at `now`: expiry from the TTL, the SLA per action type. */
export function approvalDeadlines(
  rollout: Partial<RolloutSettings> | undefined,
  actionType: string,
  now: Date,
): { expiresAt: string; slaDueAt: string; slaMinutes: number } {
  const ttlHours = rollout?.approvalTtlHours ?? DEFAULT_APPROVAL_TTL_HOURS;
  const slaMinutes =
    rollout?.approvalSlaMinutes?.[actionType] ?? DEFAULT_APPROVAL_SLA_MINUTES[actionType] ?? 240;
  return {
    expiresAt: new Date(now.getTime() + ttlHours * 3_600_000).toISOString(),
    slaDueAt: new Date(now.getTime() + slaMinutes * 60_000).toISOString(),
    slaMinutes,
  };
}

/** True when an approval's deadline has passed at `now` (an approval without one never expires). */
export function isApprovalExpired(proposal: Pick<Proposal, 'expiresAt'>, now: Date): boolean {
  return proposal.expiresAt !== undefined && now.getTime() >= Date.parse(proposal.expiresAt);
}

/**
 * Splits awaiting approvals at `now`: `overdue` are those {@link isApprovalExpired} (to expire
 * now), `nextDeadline` is the earliest deadline still ahead — when the tenant must wake to expire
 * and re-plan it even if it is otherwise idle.
 */
export function splitAtDeadline<T extends Pick<Proposal, 'expiresAt'>>(
  awaiting: readonly T[],
  now: Date,
): { readonly overdue: T[]; readonly nextDeadline?: string } {
  const nextDeadline = awaiting
    .filter((approval) => !isApprovalExpired(approval, now))
    .flatMap((approval) => (approval.expiresAt ? [approval.expiresAt] : []))
    .sort()[0];
  return {
    overdue: awaiting.filter((approval) => isApprovalExpired(approval, now)),
    ...(nextDeadline ? { nextDeadline } : {}),
  };
}

/**
 * What Act does when the planner proposes a touch in assisted phase and a proposal with its id
 * may already exist: create it, re-request it (the earlier request expired, or was superseded
 * while the touch is still being proposed), or leave it alone (still open, executed or rejected:
 * never asked twice at once, never executed twice, a rejection stands).
 */
export function requestDecision(
  existing: Pick<Proposal, 'status' | 'expiresAt'> | undefined,
  now: Date,
): 'create' | 're_request' | 'expire_then_re_request' | 'keep' {
  if (!existing) return 'create';
  if (existing.status === 'expired' || existing.status === 'superseded') return 're_request';
  if (existing.status === 'awaiting' && isApprovalExpired(existing, now))
    return 'expire_then_re_request';
  return 'keep';
}
