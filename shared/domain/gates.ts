/** The global kill switch as read from its parameter. */
export interface KillSwitchState {
  readonly on: boolean;
  readonly reason?: string;
  readonly changedAt?: string;
  readonly changedBy?: string;
}

/** Why a cycle did not run. */
export const SKIP_REASONS = [
  'kill_switch',
  'tenant_disabled',
  'tenant_not_found',
  'locked',
  'org_concurrency',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** The outcome of the gate check that opens every cycle. */
export type GateDecision =
  | { readonly proceed: true }
  | { readonly proceed: false; readonly reason: SkipReason; readonly detail: string };

/**
 * Decides whether a tenant's cycle may run, failing closed: an unreadable kill switch counts as on.
 * Order: global kill switch, then the tenant's existence and `agentEnabled` flag.
 */
export function decideGates(input: {
  readonly killSwitch: KillSwitchState | { readonly unreadable: string };
  readonly tenant: { readonly agentEnabled: boolean } | undefined;
}): GateDecision {
  if ('unreadable' in input.killSwitch) {
    return {
      proceed: false,
      reason: 'kill_switch',
      detail: `kill switch unreadable: ${input.killSwitch.unreadable}`,
    };
  }
  if (input.killSwitch.on) {
    return {
      proceed: false,
      reason: 'kill_switch',
      detail: input.killSwitch.reason ?? 'kill switch is on',
    };
  }
  if (!input.tenant)
    return { proceed: false, reason: 'tenant_not_found', detail: 'tenant has no settings' };
  if (!input.tenant.agentEnabled)
    return { proceed: false, reason: 'tenant_disabled', detail: 'agentEnabled is false' };
  return { proceed: true };
}

/**
 * Parses the kill-switch parameter value, failing closed: only `off` (or JSON with state `off`)
 * means off; `on`, JSON with state `on`, and any unrecognised value mean on.
 */
export function parseKillSwitchValue(value: string): KillSwitchState {
  const trimmed = value.trim();
  if (trimmed.toLowerCase() === 'off') return { on: false };
  if (trimmed.toLowerCase() === 'on') return { on: true };
  try {
    const parsed = JSON.parse(trimmed) as Record<string, unknown>;
    const state = typeof parsed['state'] === 'string' ? parsed['state'].toLowerCase() : undefined;
    const details = {
      ...(typeof parsed['reason'] === 'string' ? { reason: parsed['reason'] } : {}),
      ...(typeof parsed['changedAt'] === 'string' ? { changedAt: parsed['changedAt'] } : {}),
      ...(typeof parsed['changedBy'] === 'string' ? { changedBy: parsed['changedBy'] } : {}),
    };
    if (state === 'off') return { on: false, ...details };
    if (state === 'on') return { on: true, ...details };
  } catch {
    // fall through: unrecognised values keep the switch on
  }
  return {
    on: true,
    reason: `unrecognised kill switch value ${JSON.stringify(trimmed.slice(0, 40))}`,
  };
}

/** Serialises a kill-switch state for its parameter as JSON that {@link parseKillSwitchValue} reads back. */
export function formatKillSwitchValue(state: KillSwitchState): string {
  const { on, ...details } = state;
  return JSON.stringify({ state: on ? 'on' : 'off', ...details });
}
