import { ProposalTransitionError } from '../storage/proposal-repository.js';
import type { CycleRuntime } from '../cycle/runtime.js';
import type { PhaseContext } from '../cycle/phase.js';
import { splitAtDeadline } from '../domain/rollout/proposal.js';
import { auditDecision } from './decision-audit.js';

/**
 * Expiry stage (shared/domain/rollout/approval-lifecycle.ts): every approval still awaiting at
 * its deadline becomes `expired` (one conditional write each, audited as the agent's decision).
 * An expired approval is never executed; if the planner still proposes its touch, the request
 * stage asks for it again with current content. Returns how many expired and the earliest
 * deadline still ahead (`nextDeadline`), which the tenant's wake time honours — from the same
 * one query of the open-approval index.
 */
export async function expireOverdueApprovals(
  runtime: CycleRuntime,
  phase: PhaseContext,
): Promise<{ readonly expired: number; readonly nextDeadline?: string }> {
  const { repos } = runtime;
  let expired = 0;
  const { overdue, nextDeadline } = splitAtDeadline(
    await repos.proposals.listOpen(phase.tenantId, 'awaiting'),
    phase.now,
  );
  for (const proposal of overdue) {
    const event = {
      at: phase.now.toISOString(),
      by: 'agent',
      action: 'expired' as const,
      note: `no decision by ${proposal.expiresAt}`,
    };
    try {
      const moved = await repos.proposals.transition(
        phase.tenantId,
        proposal.proposalId,
        'awaiting',
        'expired',
        event,
      );
      await auditDecision(repos.audits, moved, event);
      expired += 1;
    } catch (error) {
      if (!(error instanceof ProposalTransitionError)) throw error;
    }
  }
  if (expired > 0) runtime.metric('ApprovalsExpired', expired);
  return { expired, ...(nextDeadline ? { nextDeadline } : {}) };
}
