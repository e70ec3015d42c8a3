import { AgentError } from '../errors.js';
import { rolloutPhaseOf } from '../domain/rollout/phase.js';
import {
  EDITABLE_FIELDS,
  decideApproval,
  describeRefusal,
  type ApprovalVerdict,
} from '../domain/rollout/approval-decision.js';
import type { Proposal, ProposalEvent } from '../domain/rollout/proposal.js';
import { ProposalTransitionError } from '../storage/proposal-repository.js';
import type { CycleRepositories } from '../cycle/runtime.js';
import { auditDecision } from './decision-audit.js';

/** No proposal with that id exists for the tenant. */
export class ProposalNotFoundError extends AgentError {
  constructor(tenantId: string, proposalId: string) {
    super(
      'PROPOSAL_NOT_FOUND',
      `no proposal ${proposalId} for tenant ${tenantId} (see "agentctl approvals list ${tenantId}")`,
    );
  }
}

/** The result of a human decision: the proposal as it is now, and why nothing changed if so. */
export interface DecisionResult {
  readonly proposal: Proposal;
  readonly changed: boolean;
  /** Set when the decision was refused: one sentence naming what to do instead. */
  readonly refusal?: string;
}

/** Who decides, when, and with what note or edits. */
export interface DecisionInput {
  readonly by: string;
  readonly now: Date;
  readonly note?: string;
  /** For `edit`: new values of editable fields (subject, text, template). */
  readonly edits?: Readonly<Record<string, string>>;
}

/**
 * Decision stage (shared/domain/rollout/approval-lifecycle.ts): an approver approves, rejects or
 * edits an awaiting approval with one conditional write, audited (who, when, note, edits).
 * Approving does not send: the next cycle's Act executes it once through the Act/send path. A
 * second or concurrent decision, or one past the deadline, changes nothing and says why; a late
 * one also marks the approval expired so it is re-planned with current content.
 */
export async function decideOnApproval(
  repos: Pick<CycleRepositories, 'proposals' | 'tenants' | 'audits' | 'wake'>,
  tenantId: string,
  proposalId: string,
  verdict: ApprovalVerdict,
  input: DecisionInput,
): Promise<DecisionResult> {
  const proposal = await requireProposal(repos, tenantId, proposalId);
  const settings = await repos.tenants.require(tenantId);
  if (verdict === 'edit') {
    const unknown = Object.keys(input.edits ?? {}).filter(
      (field) => !(EDITABLE_FIELDS as readonly string[]).includes(field),
    );
    if (unknown.length > 0 || Object.keys(input.edits ?? {}).length === 0)
      throw new AgentError(
        'EDIT_INVALID',
        `edit: give at least one of ${EDITABLE_FIELDS.map((f) => `--${f}`).join(', ')}${unknown.length ? ` (not editable: ${unknown.join(', ')})` : ''}`,
      );
  }
  const at = input.now.toISOString();
  const decision = decideApproval(proposal, verdict, {
    now: input.now,
    tenantPhase: rolloutPhaseOf(settings),
    ...(input.edits ? { edits: input.edits } : {}),
  });
  if ('refused' in decision) {
    if (decision.refused === 'expired') {
      const event = {
        at,
        by: input.by,
        action: 'expired' as const,
        note: `${verdict} attempted after the deadline`,
      };
      try {
        const expired = await repos.proposals.transition(
          tenantId,
          proposalId,
          'awaiting',
          'expired',
          event,
        );
        await auditDecision(repos.audits, expired, event);
        return { proposal: expired, changed: true, refusal: describeRefusal(proposalId, decision) };
      } catch (error) {
        if (!(error instanceof ProposalTransitionError)) throw error;
      }
    }
    return {
      proposal: (await repos.proposals.get(tenantId, proposalId)) ?? proposal,
      changed: false,
      refusal: describeRefusal(proposalId, decision),
    };
  }

  const event: Omit<ProposalEvent, 'status'> = {
    at,
    by: input.by,
    action: verdict === 'approve' ? 'approved' : verdict === 'reject' ? 'rejected' : 'edited',
    ...(input.note ? { note: input.note } : {}),
    ...(decision.to === 'awaiting' ? { edits: decision.edits } : {}),
  };
  try {
    const moved =
      decision.to === 'awaiting'
        ? await repos.proposals.transition(tenantId, proposalId, 'awaiting', 'awaiting', event, {
            card: { ...proposal.card, payload: { ...proposal.card.payload, ...input.edits } },
            ...(proposal.expiresAt ? { expiresAt: proposal.expiresAt } : {}),
          })
        : await repos.proposals.transition(tenantId, proposalId, 'awaiting', decision.to, event, {
            decidedBy: input.by,
            decidedAt: at,
          });
    await auditDecision(repos.audits, moved, event);
    // An approval is new input: the tenant's next hourly cycle runs (and executes it) even if idle.
    if (decision.to === 'approved') await repos.wake.markDirty(tenantId, new Date(at));
    return { proposal: moved, changed: true };
  } catch (error) {
    if (!(error instanceof ProposalTransitionError)) throw error;
    const now = (await repos.proposals.get(tenantId, proposalId)) ?? proposal;
    return {
      proposal: now,
      changed: false,
      refusal: describeRefusal(proposalId, { refused: 'not_awaiting', status: now.status }),
    };
  }
}

/**
 * Review stage (parallel phase): a human records their own decision on what the agent proposed,
 * audited; the latest review of a proposal counts towards agreement per action type.
 */
export async function reviewProposal(
  repos: Pick<CycleRepositories, 'proposals' | 'audits'>,
  tenantId: string,
  proposalId: string,
  decision: 'agree' | 'disagree',
  input: Omit<DecisionInput, 'edits'>,
): Promise<DecisionResult> {
  const proposal = await requireProposal(repos, tenantId, proposalId);
  if (proposal.status !== 'recorded')
    return {
      proposal,
      changed: false,
      refusal: `${proposalId} is an approval (${proposal.status}); decide it with "agentctl approvals approve|reject ${tenantId}/${proposalId}"`,
    };
  const at = input.now.toISOString();
  const reviewed = await repos.proposals.review(tenantId, proposalId, {
    decision,
    by: input.by,
    at,
    ...(input.note ? { note: input.note } : {}),
  });
  await auditDecision(repos.audits, reviewed, {
    at,
    by: input.by,
    action: 'reviewed',
    note: `${decision}${input.note ? `: ${input.note}` : ''}`,
  });
  return { proposal: reviewed, changed: true };
}

async function requireProposal(
  repos: Pick<CycleRepositories, 'proposals'>,
  tenantId: string,
  proposalId: string,
): Promise<Proposal> {
  const proposal = await repos.proposals.get(tenantId, proposalId);
  if (!proposal) throw new ProposalNotFoundError(tenantId, proposalId);
  return proposal;
}
