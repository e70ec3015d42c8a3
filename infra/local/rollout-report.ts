import type { CycleRuntime } from '../../shared/cycle/runtime.js';
import {
  agreementByActionType,
  type ActionTypeAgreement,
} from '../../shared/domain/rollout/agreement.js';

/** A tenant's rollout figures for the simulation report (DESIGN.md section 7). */
export interface RolloutReport {
  readonly approvals: {
    readonly awaiting: number;
    /** Approved and not yet executed (including one an Act is executing). */
    readonly approved: number;
    readonly executed: number;
    readonly rejected: number;
    readonly expired: number;
    /** Approved, but the touch was no longer due when Act came to execute it. */
    readonly superseded: number;
  };
  readonly proposals: {
    /** Actions recorded as would-execute in shadow or parallel phase, by action type. */
    readonly recorded: Readonly<Record<string, number>>;
    readonly agreement: Readonly<Record<string, ActionTypeAgreement>>;
    readonly items: readonly {
      readonly id: string;
      readonly actionType: string;
      readonly phase: string;
      readonly to?: string;
      readonly touchKey?: string;
      readonly review?: string;
    }[];
  };
  /** One `awaiting_approval` entry per open email approval, for the report's `emails[]`. */
  readonly awaitingEmails: readonly {
    readonly to: string;
    readonly status: 'awaiting_approval';
    readonly at: string;
    readonly touchKey?: string;
    readonly cardId: string;
    readonly contactId?: string;
    readonly proposalId: string;
  }[];
}

/** Reads a tenant's proposals once and summarises them for the report. */
export async function rolloutReport(
  runtime: CycleRuntime,
  tenantId: string,
): Promise<RolloutReport> {
  const proposals = await runtime.repos.proposals.list(tenantId);
  const approvals = {
    awaiting: 0,
    approved: 0,
    executed: 0,
    rejected: 0,
    expired: 0,
    superseded: 0,
  };
  const recorded: Record<string, number> = {};
  for (const proposal of proposals) {
    switch (proposal.status) {
      case 'recorded':
        recorded[proposal.actionType] = (recorded[proposal.actionType] ?? 0) + 1;
        break;
      case 'executing':
        approvals.approved += 1;
        break;
      default:
        approvals[proposal.status] += 1;
    }
  }
  return {
    approvals,
    proposals: {
      recorded,
      agreement: agreementByActionType(proposals),
      items: proposals
        .filter((proposal) => proposal.status === 'recorded')
        .map((proposal) => ({
          id: `${tenantId}/${proposal.proposalId}`,
          actionType: proposal.actionType,
          phase: proposal.phase,
          ...(proposal.to ? { to: proposal.to } : {}),
          ...(proposal.touchKey ? { touchKey: proposal.touchKey } : {}),
          ...(proposal.review ? { review: proposal.review.decision } : {}),
        })),
    },
    awaitingEmails: proposals
      .filter((proposal) => proposal.status === 'awaiting' && proposal.to)
      .map((proposal) => ({
        to: proposal.to!,
        status: 'awaiting_approval' as const,
        at: proposal.requestedAt,
        ...(proposal.touchKey ? { touchKey: proposal.touchKey } : {}),
        cardId: proposal.card.cardId,
        ...(proposal.card.target.contactId ? { contactId: proposal.card.target.contactId } : {}),
        proposalId: proposal.proposalId,
      })),
  };
}
