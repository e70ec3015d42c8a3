import { errorText } from '../observability/error-text.js';
import type { CycleRuntime } from './runtime.js';
import { requireRun, type CycleState, type Phase } from './state.js';

/** Context a phase body receives. */
export interface PhaseContext {
  readonly tenantId: string;
  readonly hourKey: string;
  readonly runId: string;
  readonly now: Date;
}

/**
 * Runs one phase of a cycle: renews the lock lease (a run that lost its lock stops here with
 * LockNotOwnedError), records the phase's start and end on the run record, and records the
 * error on the phase before rethrowing it to the state machine's Catch.
 */
export async function runPhase<T>(
  runtime: CycleRuntime,
  state: CycleState,
  phase: Phase,
  body: (context: PhaseContext) => Promise<T>,
): Promise<T> {
  const { runId } = requireRun(state);
  const { tenantId, hourKey } = state;
  await runtime.repos.locks.extend(tenantId, runId, runtime.lockTtlMs);
  await runtime.repos.runs.startPhase(tenantId, hourKey, phase);
  const startedMs = runtime.clock.now().getTime();
  try {
    const result = await body({ tenantId, hourKey, runId, now: runtime.clock.now() });
    await runtime.repos.runs.endPhase(tenantId, hourKey, phase);
    runtime.metric('PhaseDuration', runtime.clock.now().getTime() - startedMs, { phase });
    return result;
  } catch (error) {
    await runtime.repos.runs
      .endPhase(tenantId, hourKey, phase, errorText(error))
      .catch(() => undefined);
    throw error;
  }
}
