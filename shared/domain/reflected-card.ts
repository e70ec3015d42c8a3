import type { ActionCard } from './actions.js';

/**
 * What Reflect needs of one of its run's cards: status, type, target contact, the violation that
 * blocked it and the result fields that decide the wake time (a deferral's `reason`, an approval's
 * `approval` and `expiresAt`). A full `ActionCard` is one.
 */
export interface ReflectedCard {
  readonly status: ActionCard['status'];
  readonly type: ActionCard['type'];
  readonly target: { readonly contactId?: string | undefined };
  readonly decision?: { readonly violationType?: string | undefined } | undefined;
  readonly result?: Readonly<Record<string, unknown>> | undefined;
}

const RESULT_FIELDS = ['reason', 'approval', 'expiresAt'] as const;

/** The small form of a card Act hands to Reflect in its step result (no drafts, no history). */
export function reflectedCardOf(card: ReflectedCard): ReflectedCard {
  const result = Object.fromEntries(
    RESULT_FIELDS.flatMap((field) =>
      card.result?.[field] !== undefined ? [[field, card.result[field]]] : [],
    ),
  );
  return {
    status: card.status,
    type: card.type,
    target: card.target.contactId ? { contactId: card.target.contactId } : {},
    ...(card.decision?.violationType
      ? { decision: { violationType: card.decision.violationType } }
      : {}),
    ...(Object.keys(result).length > 0 ? { result } : {}),
  };
}
