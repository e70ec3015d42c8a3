import { acquireCycleLock, checkGates } from './gates-step.js';
import { reflect } from './reflect-step.js';
import { releaseOrgSlot } from './org-slot.js';
import type { CycleRuntime } from './runtime.js';
import { requireRun, type CycleState, type GatesResult, type LockResult } from './state.js';

/** The state after BeginCycle: the input with the gates' and the lock's results. */
export type BegunCycleState = CycleState & {
  readonly gates: GatesResult;
  readonly lock: LockResult;
};

/**
 * The cycle's first Task (BeginCycle): opens the run record and checks the gates, then takes the
 * tenant lock and the organisation slot, in one invocation. Returns the whole state with `gates`
 * and `lock` set; `lock.acquired` is true only when the gates are open and the lock and slot are
 * held, so one Choice decides between Plan and Skipped. Each refusal finishes the run SKIPPED with
 * its reason, as CheckGates and AcquireLock did.
 */
export async function beginCycle(
  runtime: CycleRuntime,
  state: CycleState,
): Promise<BegunCycleState> {
  const gates = await checkGates(runtime, state);
  if (!gates.proceed) return { ...state, gates, lock: { acquired: false } };
  const lock = await acquireCycleLock(runtime, { ...state, gates });
  return { ...state, gates, lock };
}

/**
 * The cycle's last Task (Reflect): runs the Reflect phase (whose end writes every phase and the
 * SUCCEEDED status to the run record; see `runPhase`), then frees the organisation slot and, as
 * its last write, the tenant lock, so no ReleaseLock state follows. The lock goes last so that a
 * transient failure before it retries the whole step under the lock.
 */
export async function reflectAndRelease(
  runtime: CycleRuntime,
  state: CycleState,
): Promise<{ hints: number; complianceRate: number; status: 'SUCCEEDED' }> {
  const { runId } = requireRun(state);
  const result = await reflect(runtime, state);
  await releaseOrgSlot(runtime, state);
  await runtime.repos.locks.release(state.tenantId, runId);
  runtime.metric('CyclesCompleted');
  return { ...result, status: 'SUCCEEDED' };
}
