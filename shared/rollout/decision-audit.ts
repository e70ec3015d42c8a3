import type { AuditRepository } from '../storage/audit-repository.js';
import type { Proposal, ProposalEvent } from '../domain/rollout/proposal.js';

/**
 * Appends one rollout decision to the tenant's audit trail: who, when, which proposal, what was
 * decided and edited. The audit id is the proposal id with its history position, so a retried
 * append of the same event is a no-op.
 */
export async function auditDecision(
  audits: AuditRepository,
  proposal: Pick<Proposal, 'tenantId' | 'proposalId' | 'actionType' | 'history'>,
  event: Omit<ProposalEvent, 'status'>,
): Promise<void> {
  await audits.append(proposal.tenantId, {
    kind: 'rollout_decision',
    auditId: `${proposal.proposalId}.${event.action}.${proposal.history.length}`,
    at: event.at,
    by: event.by,
    proposalId: proposal.proposalId,
    actionType: proposal.actionType,
    decision: event.action,
    ...(event.note ? { note: event.note } : {}),
    ...(event.edits?.length ? { edits: event.edits } : {}),
  });
}
