import type { ProposalStatus } from './approval-lifecycle.js';
import { isApprovalExpired, type Proposal, type ProposalEdit } from './proposal.js';
import type { RolloutPhase } from './phase.js';

/** A human decision on an approval. */
export type ApprovalVerdict = 'approve' | 'reject' | 'edit';

/** Why a decision was refused; each names what the operator can do. */
export type ApprovalRefusal =
  | { readonly refused: 'not_awaiting'; readonly status: ProposalStatus }
  | { readonly refused: 'expired'; readonly expiresAt: string }
  | { readonly refused: 'not_assisted'; readonly phase: RolloutPhase }
  | { readonly refused: 'not_an_approval' };

/** What a decision does when it is allowed. */
export type ApprovalAcceptance =
  | { readonly to: 'approved' | 'rejected' }
  | { readonly to: 'awaiting'; readonly edits: readonly ProposalEdit[] };

/** Fields an approver may edit (an email's wording; the target never changes). */
export const EDITABLE_FIELDS = ['subject', 'text', 'template'] as const;

/**
 * Decides a human verdict on a proposal at `now`, purely: only an `awaiting` approval of a tenant
 * still in assisted phase can be decided, and not past its deadline (an expired approval is
 * marked expired and re-planned; it is never executed stale). An edit keeps it awaiting and lists
 * what changed.
 */
export function decideApproval(
  proposal: Pick<Proposal, 'status' | 'expiresAt' | 'phase' | 'card'>,
  verdict: ApprovalVerdict,
  context: {
    readonly now: Date;
    readonly tenantPhase: RolloutPhase;
    readonly edits?: Readonly<Record<string, string>>;
  },
): ApprovalAcceptance | ApprovalRefusal {
  if (proposal.phase !== 'assisted') return { refused: 'not_an_approval' };
  if (proposal.status !== 'awaiting') return { refused: 'not_awaiting', status: proposal.status };
  if (isApprovalExpired(proposal, context.now))
    return { refused: 'expired', expiresAt: proposal.expiresAt ?? '' };
  if (context.tenantPhase !== 'assisted')
    return { refused: 'not_assisted', phase: context.tenantPhase };
  if (verdict === 'approve') return { to: 'approved' };
  if (verdict === 'reject') return { to: 'rejected' };
  const edits: ProposalEdit[] = [];
  for (const [field, to] of Object.entries(context.edits ?? {})) {
    const from = proposal.card.payload[field];
    if (from === to) continue;
    edits.push({ field, ...(typeof from === 'string' ? { from } : {}), to });
  }
  return { to: 'awaiting', edits };
}

/** A refusal in one sentence for the operator. */
export function describeRefusal(proposalId: string, refusal: ApprovalRefusal): string {
  switch (refusal.refused) {
    case 'not_awaiting':
      return `${proposalId} is ${refusal.status}, not awaiting approval; nothing changed`;
    case 'expired':
      return `${proposalId} expired at ${refusal.expiresAt}; it is re-planned by the next cycle and asked for again with current content`;
    case 'not_assisted':
      return `${proposalId}: the tenant is in phase ${refusal.phase}, not assisted; approvals are decided only in assisted`;
    case 'not_an_approval':
      return `${proposalId} was recorded in shadow/parallel phase; review it with "agentctl review ${proposalId} agree|disagree"`;
  }
}
