import {
  CIRCUIT_POLICY,
  DELIVERABILITY_THRESHOLDS,
  WARM_UP_LADDER,
  type SendingSettings,
} from './sending-settings.js';

/** Sends, bounces and complaints of one tenant over the deliverability window. */
export interface DeliverabilityStats {
  readonly sends: number;
  /** Hard (permanent) bounces. */
  readonly bounces: number;
  readonly softBounces: number;
  readonly complaints: number;
}

/** The auto-pause verdict on a tenant's deliverability. */
export interface DeliverabilityVerdict {
  readonly bounceRate: number;
  readonly complaintRate: number;
  /** Set when the rates pause the tenant's sending; never below the minimum sample. */
  readonly pause?: { readonly reason: 'bounce_rate' | 'complaint_rate'; readonly detail: string };
}

function rate(part: number, whole: number): number {
  return whole > 0 ? part / whole : 0;
}

/**
 * Rates over the window and whether they pause sending: over 5 % hard bounces or 0.1 % complaints,
 * once the window holds at least 50 sends (so one early bounce cannot pause a tenant). Soft
 * bounces are counted for the metrics but do not pause.
 */
export function deliverabilityVerdict(stats: DeliverabilityStats): DeliverabilityVerdict {
  const bounceRate = rate(stats.bounces, stats.sends);
  const complaintRate = rate(stats.complaints, stats.sends);
  const base = { bounceRate, complaintRate };
  if (stats.sends < DELIVERABILITY_THRESHOLDS.minSample) return base;
  if (bounceRate > DELIVERABILITY_THRESHOLDS.bounceRate) {
    return {
      ...base,
      pause: {
        reason: 'bounce_rate',
        detail: `bounce rate ${percent(bounceRate)} over ${stats.sends} sends exceeds ${percent(DELIVERABILITY_THRESHOLDS.bounceRate)}`,
      },
    };
  }
  if (complaintRate > DELIVERABILITY_THRESHOLDS.complaintRate) {
    return {
      ...base,
      pause: {
        reason: 'complaint_rate',
        detail: `complaint rate ${percent(complaintRate)} over ${stats.sends} sends exceeds ${percent(DELIVERABILITY_THRESHOLDS.complaintRate)}`,
      },
    };
  }
  return base;
}

function percent(value: number): string {
  return `${(value * 100).toFixed(2)}%`;
}

/** True while bounce and complaint rates are under the thresholds (no sends counts as healthy). */
export function ratesUnderThresholds(stats: DeliverabilityStats | undefined): boolean {
  if (!stats || stats.sends === 0) return true;
  return (
    rate(stats.bounces, stats.sends) <= DELIVERABILITY_THRESHOLDS.bounceRate &&
    rate(stats.complaints, stats.sends) <= DELIVERABILITY_THRESHOLDS.complaintRate
  );
}

/** Where a tenant stands on the warm-up ladder. */
export interface WarmUpState {
  /** Index into {@link WARM_UP_LADDER}. */
  readonly phase: number;
  readonly phaseStartedAt: string;
}

/** The warm-up cap that applies now, and the state to store when the ladder starts or advances. */
export interface WarmUpStatus {
  /** Daily cap from the ladder; absent when warm-up is off. */
  readonly cap?: number;
  readonly phase?: number;
  /** Present when the stored state must change (ladder started or advanced one phase). */
  readonly update?: WarmUpState;
}

/**
 * The warm-up ladder (10 → 25 → 50 → 100 → 150 per day). A phase advances on schedule, one phase
 * at a time, after `phaseDays` in the current phase and only while bounce and complaint rates are
 * under the thresholds; otherwise it holds. A tenant without stored state starts at phase 0 now.
 */
export function warmUpStatus(
  settings: SendingSettings['warmUp'],
  state: WarmUpState | undefined,
  deliverability: DeliverabilityStats | undefined,
  now: Date,
): WarmUpStatus {
  if (!settings.enabled) return {};
  const last = WARM_UP_LADDER.length - 1;
  if (!state) {
    return {
      cap: WARM_UP_LADDER[0],
      phase: 0,
      update: { phase: 0, phaseStartedAt: now.toISOString() },
    };
  }
  const phase = Math.min(Math.max(0, Math.trunc(state.phase)), last);
  const elapsedMs = now.getTime() - new Date(state.phaseStartedAt).getTime();
  if (
    phase < last &&
    elapsedMs >= settings.phaseDays * 86_400_000 &&
    ratesUnderThresholds(deliverability)
  ) {
    const next = phase + 1;
    return {
      cap: WARM_UP_LADDER[next],
      phase: next,
      update: { phase: next, phaseStartedAt: now.toISOString() },
    };
  }
  return { cap: WARM_UP_LADDER[phase], phase };
}

/** A tenant's provider circuit: recent failure instants and, when open, until when. */
export interface CircuitState {
  readonly failures: readonly string[];
  readonly openUntil?: string;
}

/** True while the circuit is open at `now`. */
export function isCircuitOpen(circuit: CircuitState | undefined, now: Date): boolean {
  return circuit?.openUntil !== undefined && new Date(circuit.openUntil).getTime() > now.getTime();
}

/** How many failures within which window open a circuit, and for how long. */
export interface CircuitPolicy {
  readonly failures: number;
  readonly windowMs: number;
  readonly openMs: number;
}

/**
 * The circuit after one more provider failure at `now`: failures older than the window drop out;
 * the policy's Nth failure within its window (by default the fifth within 15 minutes) opens the
 * circuit for its open time (`opened` is true exactly when this failure opened it).
 */
export function circuitAfterFailure(
  circuit: CircuitState | undefined,
  now: Date,
  policy: CircuitPolicy = CIRCUIT_POLICY,
): CircuitState & { readonly opened: boolean } {
  const since = now.getTime() - policy.windowMs;
  const failures = [
    ...(circuit?.failures ?? []).filter((at) => new Date(at).getTime() > since),
    now.toISOString(),
  ].slice(-policy.failures);
  const alreadyOpen = isCircuitOpen(circuit, now);
  if (!alreadyOpen && failures.length >= policy.failures) {
    return {
      failures,
      openUntil: new Date(now.getTime() + policy.openMs).toISOString(),
      opened: true,
    };
  }
  return {
    failures,
    ...(circuit?.openUntil && alreadyOpen ? { openUntil: circuit.openUntil } : {}),
    opened: false,
  };
}
