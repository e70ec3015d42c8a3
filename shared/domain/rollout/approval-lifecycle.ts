/**
 * The lifecycle of one proposal (`PROPOSAL#<proposalId>`): an allowed action Act did not execute
 * because of the tenant's rollout phase (shared/domain/rollout/phase.ts). Its id comes from the
 * card id, which comes from what the action is about (the follow-up of contact C due at D), so
 * the planner proposing the same touch every hour lands on the same proposal. One module per
 * stage in shared/rollout/: request.ts, decide.ts, expire.ts, execute.ts.
 *
 * ```
 *  shadow / parallel                             assisted
 *  ─────────────────                             ────────
 *  Act: request.ts ──► recorded                  Act: request.ts ──► awaiting ──(notify, SLA)
 *          (would-execute; terminal;                                   │
 *           parallel: `agentctl review ID                 ┌────────────┼──────────────┬──────────────┐
 *           agree|disagree` adds a review)      decide.ts │ approve    │ reject       │ edit         │ expire.ts
 *                                                         ▼            ▼              ▼ (stays       ▼ (TTL passed;
 *                                                     approved      rejected        awaiting,     expired   also an
 *                                                         │        (terminal:       audited)        │     approve too late)
 *                                  Act: execute.ts claims │         never            Act: request.ts│ when the planner
 *                                  (one conditional write)▼         executes)        proposes the   │ proposes the same
 *                                                     executing                      touch again:   ▼ touch again
 *                                              ┌──────────┴──────────┐                          awaiting (generation+1,
 *                              the touch is still due     the touch is no longer              current content,
 *                              → the Act/send path        due / already resolved              notified again)
 *                                (touch key, pending-send  → superseded
 *                                 marker, send claim)        (a touch still due that is
 *                                      ▼                          proposed again is asked for
 *                                  executed (terminal)            again: → awaiting, like expired)
 * ```
 *
 * Exactly once: every arrow is one conditional update on the expected status, so a second or
 * concurrent approve finds the proposal no longer `awaiting` and changes nothing; an Act retry finds
 * it `executing` under its own run (and re-drives it: the touch key's send claim makes the send a
 * no-op) or `executed`. Nothing expired is ever executed: approving refuses past the deadline, and
 * a re-planned request carries the current content. Every human decision is audited (who, when,
 * what was edited) in the proposal's history and the tenant's audit trail.
 */

/** Statuses of a proposal. */
export const PROPOSAL_STATUSES = [
  'recorded',
  'awaiting',
  'approved',
  'executing',
  'executed',
  'rejected',
  'expired',
  'superseded',
] as const;

/** One status of a proposal. */
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

/** The transitions a proposal may make; every other one is refused by a conditional write. */
export const PROPOSAL_TRANSITIONS: Readonly<Record<ProposalStatus, readonly ProposalStatus[]>> = {
  recorded: [],
  awaiting: ['approved', 'rejected', 'expired'],
  approved: ['executing'],
  executing: ['executed', 'superseded'],
  executed: [],
  rejected: [],
  expired: ['awaiting'],
  superseded: ['awaiting'],
};

/** True when a proposal may move from `from` to `to`. */
export function canProposalTransition(from: ProposalStatus, to: ProposalStatus): boolean {
  return PROPOSAL_TRANSITIONS[from].includes(to);
}

/** Statuses that hold an open approval (the sparse open-approvals index lists exactly these). */
export const OPEN_APPROVAL_STATUSES: readonly ProposalStatus[] = [
  'awaiting',
  'approved',
  'executing',
];

/**
 * Splits awaiting approvals at `now`: `overdue` are due to expire (their deadline has passed, or
 * they carry none), `nextDeadline` is the earliest deadline still ahead — when the tenant must
 * wake to expire and re-plan it even if idle.
 */
export function approvalDeadlines<T extends { readonly expiresAt?: string | undefined }>(
  awaiting: readonly T[],
  now: Date,
): { readonly overdue: T[]; readonly nextDeadline?: string } {
  const ahead = (approval: T) =>
    approval.expiresAt !== undefined && Date.parse(approval.expiresAt) > now.getTime();
  const nextDeadline = awaiting
    .filter(ahead)
    .map((approval) => approval.expiresAt!)
    .sort()[0];
  return {
    overdue: awaiting.filter((approval) => !ahead(approval)),
    ...(nextDeadline ? { nextDeadline } : {}),
  };
}
