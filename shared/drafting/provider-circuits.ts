import {
  circuitAfterFailure,
  isCircuitOpen,
  type CircuitPolicy,
  type CircuitState,
} from '../domain/deliverability.js';

/**
 * A drafting provider's circuit: five failures (errors or timeouts) within five minutes open it
 * for five minutes; while open the chain skips the provider. After the cool-down the next call is
 * a trial: a success closes the circuit, a failure opens it again at once.
 */
export const DRAFT_CIRCUIT_POLICY: CircuitPolicy = {
  failures: 5,
  windowMs: 5 * 60_000,
  openMs: 5 * 60_000,
};

/**
 * Circuits per provider, held in memory by the process (one warm Lambda container, one simulator
 * run): a provider outage is the same for every tenant, so the circuit is per provider, not per
 * tenant, and a cold start begins closed. Uses the send path's pure circuit rules.
 */
export class ProviderCircuits {
  private readonly states = new Map<string, CircuitState>();

  constructor(private readonly policy: CircuitPolicy = DRAFT_CIRCUIT_POLICY) {}

  /** True while `provider`'s circuit is open at `now`. */
  isOpen(provider: string, now: Date): boolean {
    return isCircuitOpen(this.states.get(provider), now);
  }

  /** Counts a failure; returns true exactly when this failure opened the circuit. */
  recordFailure(provider: string, now: Date): boolean {
    const { opened, ...next } = circuitAfterFailure(this.states.get(provider), now, this.policy);
    this.states.set(provider, next);
    return opened;
  }

  /** A success closes the circuit and forgets its failures. */
  recordSuccess(provider: string): void {
    this.states.delete(provider);
  }
}
