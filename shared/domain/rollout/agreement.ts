import type { Proposal } from './proposal.js';

/** Agreement of human reviewers with the agent for one action type. */
export interface ActionTypeAgreement {
  readonly proposals: number;
  readonly reviewed: number;
  readonly agreed: number;
  /** agreed / reviewed, rounded to 4 places; null when nothing was reviewed. */
  readonly rate: number | null;
}

/** The parallel-phase bar (DESIGN.md section 9): more than this share of reviews must agree. */
export const AGREEMENT_BAR = 0.75;

/**
 * Agreement per action type from the reviews recorded on shadow/parallel proposals: each
 * proposal counts once (its latest review), whatever the number of hours it was re-proposed in.
 */
export function agreementByActionType(
  proposals: readonly Pick<Proposal, 'actionType' | 'phase' | 'review'>[],
): Record<string, ActionTypeAgreement> {
  const tally = new Map<string, { proposals: number; reviewed: number; agreed: number }>();
  for (const proposal of proposals) {
    if (proposal.phase === 'assisted') continue;
    const entry = tally.get(proposal.actionType) ?? { proposals: 0, reviewed: 0, agreed: 0 };
    entry.proposals += 1;
    if (proposal.review) {
      entry.reviewed += 1;
      if (proposal.review.decision === 'agree') entry.agreed += 1;
    }
    tally.set(proposal.actionType, entry);
  }
  return Object.fromEntries(
    [...tally.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([type, entry]) => [
        type,
        {
          ...entry,
          rate:
            entry.reviewed === 0
              ? null
              : Math.round((entry.agreed / entry.reviewed) * 10_000) / 10_000,
        },
      ]),
  );
}
