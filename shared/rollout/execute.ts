import type { ActionCard } from '../domain/actions.js';
import type { Proposal } from '../domain/rollout/proposal.js';
import { ProposalTransitionError } from '../storage/proposal-repository.js';
import type { CycleRuntime } from '../cycle/runtime.js';
import type { PhaseContext } from '../cycle/phase.js';

/** What executing a card yielded (Act's own outcome shape). */
export interface ExecutedOutcome {
  readonly status: string;
  readonly result: Readonly<Record<string, unknown>>;
}

/**
 * Execution stage, first half (shared/domain/rollout/approval-lifecycle.ts): claims every
 * approved approval for this run (`approved → executing`, one conditional write, so a concurrent
 * Act cannot take it too) and returns those this run holds, including ones it claimed before a
 * crash (a retried Act drives them again; the touch key's send claim dedupes the send). Each is
 * returned as the card to execute.
 */
export async function claimApproved(
  runtime: CycleRuntime,
  phase: PhaseContext,
): Promise<{ proposal: Proposal; card: ActionCard }[]> {
  const { repos } = runtime;
  const claimed: Proposal[] = [];
  for (const proposal of await repos.proposals.listOpen(phase.tenantId, 'approved')) {
    try {
      claimed.push(
        await repos.proposals.transition(
          phase.tenantId,
          proposal.proposalId,
          'approved',
          'executing',
          { at: phase.now.toISOString(), by: 'agent', action: 'executing' },
          { claimedBy: phase.runId },
        ),
      );
    } catch (error) {
      if (!(error instanceof ProposalTransitionError)) throw error;
    }
  }
  for (const proposal of await repos.proposals.listOpen(phase.tenantId, 'executing')) {
    if (
      proposal.claimedBy === phase.runId &&
      !claimed.some((p) => p.proposalId === proposal.proposalId)
    ) {
      const current = await repos.proposals.get(phase.tenantId, proposal.proposalId);
      if (current?.status === 'executing' && current.claimedBy === phase.runId)
        claimed.push(current);
    }
  }
  return claimed.map((proposal) => ({ proposal, card: cardOf(proposal, phase) }));
}

/**
 * Execution stage, second half: records what executing the approved card did. A touch the
 * Act/send path found no longer due (touched since, already pending or resolved), or a card the
 * policy engine now blocks, is `superseded`, never sent stale; anything else is `executed`.
 */
export async function finishApproved(
  runtime: CycleRuntime,
  phase: PhaseContext,
  proposal: Proposal,
  outcome: ExecutedOutcome,
): Promise<'executed' | 'superseded'> {
  const result = outcome.result;
  const superseded =
    outcome.status === 'blocked' ||
    result['superseded'] !== undefined ||
    (result['queued'] === false && result['skipped'] !== undefined);
  const to = superseded ? 'superseded' : 'executed';
  await runtime.repos.proposals.transition(
    phase.tenantId,
    proposal.proposalId,
    'executing',
    to,
    {
      at: phase.now.toISOString(),
      by: 'agent',
      action: to,
      note: `card ${outcome.status}${typeof result['superseded'] === 'string' ? `: ${result['superseded']}` : typeof result['skipped'] === 'string' ? `: ${result['skipped']}` : ''}`,
    },
    { result: { ...result, cardStatus: outcome.status } },
    { claimedBy: phase.runId },
  );
  runtime.metric(to === 'executed' ? 'ApprovalsExecuted' : 'ApprovalsSuperseded', 1);
  return to;
}

/** The card an approval executes: the proposal's snapshot (with any edits) under this run. */
function cardOf(proposal: Proposal, phase: PhaseContext): ActionCard {
  const now = phase.now.toISOString();
  return {
    ...proposal.card,
    tenantId: phase.tenantId,
    sequence: 0,
    runId: phase.runId,
    status: 'executing',
    claimedBy: phase.runId,
    history: [],
    createdAt: proposal.createdAt,
    updatedAt: now,
  };
}
