import * as z from '../zod.js';
import type { ActionCard } from '../domain/actions.js';
import { usageFromCards } from '../domain/policy/controls.js';
import type { CycleState } from './state.js';

/** The contacts, accounts and addresses a run's cards name (addresses in lower case). */
export interface CardTargets {
  readonly contactIds: readonly string[];
  readonly accountIds: readonly string[];
  readonly emails: readonly string[];
}

/**
 * What Plan hands Act in its step result (`plan.cards`, ids and a count only): the run's card
 * ids and their targets, so Act reads cards and targets with the settings in one batch, and the
 * outreach cards of the day's other hours the policy allowed, which count toward today's quota.
 */
export interface PlannedCards extends CardTargets {
  readonly cardIds: readonly string[];
  readonly sendsElsewhereToday: number;
}

const plannedCardsSchema = z.object({
  cardIds: z.array(z.string()),
  contactIds: z.array(z.string()),
  accountIds: z.array(z.string()),
  emails: z.array(z.string()),
  sendsElsewhereToday: z.number().check(z.int(), z.minimum(0)),
});

/** The targets of `cards`, each once. */
export function targetsOf(cards: readonly ActionCard[]): CardTargets {
  const ids = (pick: (card: ActionCard) => string | undefined) => [
    ...new Set(cards.flatMap((card) => pick(card) ?? [])),
  ];
  return {
    contactIds: ids((card) => card.target.contactId),
    accountIds: ids((card) => card.target.accountId),
    emails: ids((card) => card.target.email?.trim().toLowerCase()),
  };
}

/** Plan's hand-over for the run of `hourKey`: its cards and the day's cards Plan read. */
export function plannedCardsFor(
  runCards: readonly ActionCard[],
  dayCards: readonly ActionCard[],
  hourKey: string,
): PlannedCards {
  const elsewhere = dayCards.filter((card) => card.hourKey !== hourKey);
  return {
    cardIds: runCards.map((card) => card.cardId),
    ...targetsOf(runCards),
    sendsElsewhereToday: usageFromCards(elsewhere, hourKey).sendsToday,
  };
}

/**
 * Plan's hand-over as `state` carries it (`plan.cards`), or `undefined` when the state has none
 * or a malformed one (Act then reads the day's cards itself).
 */
export function plannedCardsOf(state: CycleState): PlannedCards | undefined {
  const parsed = plannedCardsSchema.safeParse(state.plan?.['cards']);
  return parsed.success ? parsed.data : undefined;
}
