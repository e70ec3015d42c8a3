import type { ActionCard } from '../domain/actions.js';
import type { TenantSettings } from '../domain/tenant.js';
import { actionTouchKey, followUpTouchKey } from '../domain/touch.js';
import { rolloutPhaseOf } from '../domain/rollout/phase.js';
import {
  approvalDeadlines,
  proposalIdOf,
  requestDecision,
  type Proposal,
  type ProposalCard,
  type ProposalEvent,
} from '../domain/rollout/proposal.js';
import { ProposalTransitionError } from '../storage/proposal-repository.js';
import type { CycleRuntime } from '../cycle/runtime.js';
import type { PhaseContext } from '../cycle/phase.js';
import { auditDecision } from './decision-audit.js';

/** The card status and result Act records for an action it did not execute. */
export interface HeldOutcome {
  readonly status: 'recorded' | 'awaiting_approval';
  readonly result: Record<string, unknown>;
}

/**
 * Request stage (shared/domain/rollout/approval-lifecycle.ts): an allowed action in shadow or
 * parallel phase is recorded as would-execute, with its touch and draft; in assisted phase it
 * becomes an approval request (created, asked for again when the earlier one expired or was
 * superseded, else left as it is), and a new request notifies the approvers and is audited.
 * Nothing is sent, queued or created here.
 */
export async function recordOrHold(
  runtime: CycleRuntime,
  settings: TenantSettings,
  card: ActionCard,
  recipientEmail: string | undefined,
  phase: PhaseContext,
  disposition: 'record' | 'hold',
): Promise<HeldOutcome> {
  const { repos } = runtime;
  const now = phase.now.toISOString();
  const tenantPhase = rolloutPhaseOf(settings);
  const proposalId = proposalIdOf(card.cardId, disposition);
  const touchKey = touchKeyOf(phase.tenantId, card);
  const draft = card.payload['draft'];
  const snapshot: ProposalCard = {
    cardId: card.cardId,
    hourKey: card.hourKey,
    type: card.type,
    target: card.target,
    reason: card.reason,
    payload: card.payload,
    ...(card.evidence ? { evidence: card.evidence } : {}),
  };
  const content = {
    card: snapshot,
    ...(recipientEmail ? { to: recipientEmail } : {}),
    ...(touchKey ? { touchKey } : {}),
    ...(draft && typeof draft === 'object' ? { draft: draft as Record<string, unknown> } : {}),
  };

  if (disposition === 'record') {
    const event: ProposalEvent = { status: 'recorded', at: now, by: 'agent', action: 'recorded' };
    const { proposal } = await repos.proposals.create({
      tenantId: phase.tenantId,
      proposalId,
      actionType: card.type,
      phase: tenantPhase === 'parallel' ? 'parallel' : 'shadow',
      status: 'recorded',
      ...content,
      generation: 1,
      requestedAt: now,
      history: [event],
      createdAt: now,
      updatedAt: now,
    });
    return {
      status: 'recorded',
      result: {
        recorded: 'would_execute',
        proposalId: proposal.proposalId,
        ...(touchKey ? { touchKey } : {}),
      },
    };
  }

  const deadlines = approvalDeadlines(settings.rollout, card.type, phase.now);
  const existing = await repos.proposals.get(phase.tenantId, proposalId);
  let proposal: Proposal | undefined = existing;
  let requested = false;
  try {
    switch (requestDecision(existing, phase.now)) {
      case 'create': {
        const event: ProposalEvent = {
          status: 'awaiting',
          at: now,
          by: 'agent',
          action: 'requested',
        };
        const created = await repos.proposals.create({
          tenantId: phase.tenantId,
          proposalId,
          actionType: card.type,
          phase: 'assisted',
          status: 'awaiting',
          ...content,
          generation: 1,
          requestedAt: now,
          expiresAt: deadlines.expiresAt,
          slaDueAt: deadlines.slaDueAt,
          history: [event],
          createdAt: now,
          updatedAt: now,
        });
        proposal = created.proposal;
        requested = created.created;
        break;
      }
      case 'expire_then_re_request':
      case 're_request': {
        let from = existing!.status;
        if (from === 'awaiting') {
          const expired = await repos.proposals.transition(
            phase.tenantId,
            proposalId,
            'awaiting',
            'expired',
            {
              at: now,
              by: 'agent',
              action: 'expired',
              note: `no decision by ${existing!.expiresAt}`,
            },
          );
          await auditDecision(repos.audits, expired, { at: now, by: 'agent', action: 'expired' });
          from = 'expired';
        }
        proposal = await repos.proposals.transition(
          phase.tenantId,
          proposalId,
          from,
          'awaiting',
          { at: now, by: 'agent', action: 're_requested', note: `was ${from}` },
          {
            ...content,
            generation: existing!.generation + 1,
            requestedAt: now,
            expiresAt: deadlines.expiresAt,
            slaDueAt: deadlines.slaDueAt,
          },
        );
        requested = true;
        break;
      }
      case 'keep':
        break;
    }
  } catch (error) {
    // Another Act or an approver moved it first: what it is now is what counts.
    if (!(error instanceof ProposalTransitionError)) throw error;
    proposal = await repos.proposals.get(phase.tenantId, proposalId);
  }
  if (!proposal) throw new Error(`proposal ${proposalId} vanished while being requested`);

  if (requested) {
    await auditDecision(repos.audits, proposal, {
      at: now,
      by: 'agent',
      action: proposal.generation > 1 ? 're_requested' : 'requested',
      note: `approvers notified; answer within ${deadlines.slaMinutes} min (by ${deadlines.slaDueAt}), expires ${deadlines.expiresAt}`,
    });
    try {
      await runtime.approvalNotifier?.notify({
        tenantId: phase.tenantId,
        proposalId,
        actionType: card.type,
        reason: card.reason,
        ...(recipientEmail ? { to: recipientEmail } : {}),
        generation: proposal.generation,
        slaDueAt: deadlines.slaDueAt,
        expiresAt: deadlines.expiresAt,
      });
      runtime.metric('ApprovalsRequested', 1, { action_type: card.type });
    } catch {
      // The request stands and is listed by `agentctl approvals list`; the metric alarms.
      runtime.metric('ApprovalNotifyFailed', 1);
    }
  }
  const open = ['awaiting', 'approved', 'executing'].includes(proposal.status);
  return {
    status: open ? 'awaiting_approval' : 'recorded',
    result: {
      proposalId,
      approval: proposal.status,
      ...(proposal.status === 'awaiting' && proposal.expiresAt
        ? { expiresAt: proposal.expiresAt }
        : {}),
      ...(touchKey ? { touchKey } : {}),
    },
  };
}

/** The touch an email card would make, as Act would key it (shared/domain/touch.ts). */
function touchKeyOf(tenantId: string, card: ActionCard): string | undefined {
  if (card.type === 'follow_up') {
    const due = card.payload['dueAt'];
    return card.target.contactId && typeof due === 'string'
      ? followUpTouchKey(tenantId, card.target.contactId, due)
      : undefined;
  }
  return card.type === 'send_email' ? actionTouchKey(tenantId, card.type, card.cardId) : undefined;
}
