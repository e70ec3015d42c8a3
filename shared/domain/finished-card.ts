import { ValidationError } from '../errors.js';
import { canTransition, type ActionCard, type CardDecision, type CardStatus } from './actions.js';

/** How Act finished one card. */
export interface CardFinish {
  readonly status: CardStatus;
  readonly runId: string;
  readonly now: Date;
  readonly decision?: CardDecision;
  readonly result?: Readonly<Record<string, unknown>>;
}

/**
 * The card as Act leaves it: claimed by `runId`, in its final `status`, with the `executing`
 * step (unless the card already shows it) and the final one appended to its history at `now`.
 * Throws a ValidationError naming `status` when the card is neither planned nor executing or the
 * status is not one `executing` may move to.
 */
export function finishedCard(card: ActionCard, finish: CardFinish): ActionCard {
  if (card.status !== 'planned' && card.status !== 'executing')
    throw new ValidationError('status', `card ${card.cardId} is already ${card.status}`);
  if (!canTransition('executing', finish.status))
    throw new ValidationError('status', `a card cannot go executing → ${finish.status}`);
  const at = finish.now.toISOString();
  return {
    ...card,
    status: finish.status,
    claimedBy: finish.runId,
    ...(finish.decision ? { decision: finish.decision } : {}),
    ...(finish.result ? { result: finish.result } : {}),
    history: [
      ...card.history,
      ...(card.status === 'planned' ? [{ status: 'executing' as const, at }] : []),
      { status: finish.status, at },
    ],
    updatedAt: at,
  };
}
