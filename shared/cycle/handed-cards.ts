import * as z from '../zod.js';
import { ACTION_TYPES, CARD_STATUSES } from '../domain/actions.js';
import type { ReflectedCard } from '../domain/reflected-card.js';
import type { CycleState } from './state.js';

const handedCardsSchema = z.array(
  z.object({
    status: z.enum(CARD_STATUSES),
    type: z.enum(ACTION_TYPES),
    target: z.object({ contactId: z.optional(z.string()) }),
    decision: z.optional(z.object({ violationType: z.optional(z.string()) })),
    result: z.optional(z.record(z.string(), z.unknown())),
  }),
);

/**
 * The run's cards as Act's result in `state` left them (`act.cards`), or `undefined` when the
 * state has none or a malformed list (Reflect then reads the cards itself).
 */
export function handedCardsOf(state: CycleState): readonly ReflectedCard[] | undefined {
  const parsed = handedCardsSchema.safeParse(state.act?.['cards']);
  return parsed.success ? parsed.data : undefined;
}
