/**
 * The rollout ladder: who decides (DESIGN.md section 9). `shadow` proposes and drafts only,
 * `parallel` adds human decisions per proposal, `assisted` holds every action for approval,
 * `autonomous` acts alone. Ordered from safest to fully autonomous.
 */
export const ROLLOUT_PHASES = ['shadow', 'parallel', 'assisted', 'autonomous'] as const;
/** One of {@link ROLLOUT_PHASES}. */
export type RolloutPhase = (typeof ROLLOUT_PHASES)[number];
