import * as z from '../../zod.js';

/**
 * The rollout ladder (DESIGN.md section 9, "Two ladders"): who decides. The send mode gates
 * delivery; the phase gates whether an allowed action executes, is only recorded, or waits for a
 * human. Advancing is one step at a time (`agentctl rollout advance`).
 */
export const ROLLOUT_PHASES = ['shadow', 'parallel', 'assisted', 'autonomous'] as const;

/** One rung of the rollout ladder. */
export type RolloutPhase = (typeof ROLLOUT_PHASES)[number];

/**
 * The phase of a tenant whose stored settings carry no `rollout.phase` (every tenant written
 * before phases existed, and fixtures that do not name one): today's behaviour. See
 * docs/DECISIONS.md "Rollout phase: default and migration".
 */
export const PHASE_WHEN_UNSET: RolloutPhase = 'autonomous';

/** The phase the go-live runbook onboards a new production tenant in. */
export const ONBOARDING_PHASE: RolloutPhase = 'shadow';

/** Hours an approval request stays open before it expires and the action is re-planned. */
export const DEFAULT_APPROVAL_TTL_HOURS = 24;

/** Minutes within which an approver should answer, per action type (the notification's SLA). */
export const DEFAULT_APPROVAL_SLA_MINUTES: Readonly<Record<string, number>> = {
  send_email: 240,
  follow_up: 240,
  create_task: 60,
  validate_order: 60,
  research: 1_440,
  contact_discovery: 1_440,
};

/** `settings.rollout`: the phase, and how long approvals stay open and should take. */
export const rolloutSettingsSchema = z.object({
  phase: z.enum(ROLLOUT_PHASES),
  /** Hours an approval request stays open (1 hour to 14 days). */
  approvalTtlHours: z._default(
    z.number().check(z.int(), z.minimum(1), z.maximum(336)),
    DEFAULT_APPROVAL_TTL_HOURS,
  ),
  /** Per action type, minutes the approver is asked to answer within; unset types use the defaults. */
  approvalSlaMinutes: z._default(
    z.record(z.string(), z.number().check(z.int(), z.minimum(1), z.maximum(20_160))),
    {},
  ),
});

/** A tenant's stored `rollout` settings. */
export type RolloutSettings = z.output<typeof rolloutSettingsSchema>;

/** What Act does with an action the policy engine allowed. */
export type ActDisposition = 'execute' | 'record' | 'hold';

/** The tenant's phase, {@link PHASE_WHEN_UNSET} when its settings carry none. */
export function rolloutPhaseOf(settings: {
  readonly rollout?: { readonly phase?: string };
}): RolloutPhase {
  const phase = settings.rollout?.phase;
  return (ROLLOUT_PHASES as readonly string[]).includes(phase ?? '')
    ? (phase as RolloutPhase)
    : PHASE_WHEN_UNSET;
}

/**
 * The one place the phase decides an allowed action's fate: shadow and parallel record it as
 * would-execute, assisted holds it for approval, autonomous executes it.
 */
export function actDisposition(phase: RolloutPhase): ActDisposition {
  switch (phase) {
    case 'shadow':
    case 'parallel':
      return 'record';
    case 'assisted':
      return 'hold';
    case 'autonomous':
      return 'execute';
  }
}
