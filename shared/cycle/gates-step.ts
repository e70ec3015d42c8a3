import { decideGates } from '../domain/gates.js';
import { AlreadyExistsError, LockHeldError } from '../errors.js';
import { METRIC_NAMES } from '../observability/metric-names.js';
import { organisationSlotOf } from '../domain/org-concurrency.js';
import { releaseOrgSlot, takeOrgSlot } from './org-slot.js';
import type { CycleRuntime } from './runtime.js';
import { PHASES, requireRun, type CycleState, type GatesResult, type LockResult } from './state.js';

/**
 * Opens the run record for the tenant-hour and checks the gates (global kill switch, tenant
 * enabled). A closed gate finishes the run as SKIPPED with the reason. A retried BeginCycle finds
 * its run record and reuses it.
 */
export async function checkGates(runtime: CycleRuntime, state: CycleState): Promise<GatesResult> {
  const { tenantId, hourKey } = state;
  const { repos } = runtime;
  // Settings and run record in one read; the settings are only used once the run is RUNNING.
  const { settings: tenant, run: existing } = await repos.workingSet.read(tenantId, { hourKey });
  let run = existing;
  if (!run) {
    try {
      run = await repos.runs.start(tenantId, {
        hourKey,
        // The execution name (<tenant>-<hour>) is the run id when known: findable in the console.
        runId: state.executionName ?? runtime.newId(),
        ...(state.executionName ? { executionName: state.executionName } : {}),
      });
    } catch (error) {
      if (!(error instanceof AlreadyExistsError)) throw error;
      run = await repos.runs.get(tenantId, hourKey);
      if (!run) throw error;
    }
  }
  if (run.status !== 'RUNNING') {
    return {
      proceed: false,
      runId: run.runId,
      cycleNumber: run.cycleNumber,
      reason: 'already_finished',
    };
  }

  const killSwitch = await runtime.killSwitch.read();
  const decision = decideGates({ killSwitch, tenant });
  if (!decision.proceed) {
    await repos.runs.finish(tenantId, hourKey, {
      status: 'SKIPPED',
      reason: decision.reason,
      error: { message: decision.detail },
    });
    runtime.metric('CyclesSkipped', 1, { reason: decision.reason });
    return {
      proceed: false,
      runId: run.runId,
      cycleNumber: run.cycleNumber,
      reason: decision.reason,
    };
  }
  const organisation = organisationSlotOf(tenant!);
  return {
    proceed: true,
    runId: run.runId,
    cycleNumber: run.cycleNumber,
    ...(organisation ? { organisation } : {}),
  };
}

/**
 * Takes the tenant's cycle lock for this run. A lock held by another run finishes this run as
 * SKIPPED(locked); a lock this run already holds (a retried step) counts as acquired.
 */
export async function acquireCycleLock(
  runtime: CycleRuntime,
  state: CycleState,
): Promise<LockResult> {
  const { runId } = requireRun(state);
  const { tenantId, hourKey } = state;
  try {
    // The acquisition records Plan as started: the first phase needs no write of its own.
    const lock = await runtime.repos.locks.acquire(tenantId, runId, runtime.lockTtlMs, {
      name: PHASES[0],
      startedAt: runtime.clock.now().toISOString(),
    });
    return (
      (await takeOrgSlot(runtime, state)) ?? {
        acquired: true,
        owner: lock.owner,
        fence: lock.fence,
      }
    );
  } catch (error) {
    if (!(error instanceof LockHeldError)) throw error;
    if (error.holder === runId)
      return (await takeOrgSlot(runtime, state)) ?? { acquired: true, owner: runId };
    await runtime.repos.runs.finish(tenantId, hourKey, {
      status: 'SKIPPED',
      reason: 'locked',
      error: {
        message: `lock held by run ${error.holder ?? 'unknown'} until ${error.expiresAt ?? 'unknown'}`,
      },
    });
    runtime.metric('CyclesSkipped', 1, { reason: 'locked' });
    // How long the other run has held the lock: the "tenant lock held > 1 hour" alarm reads it.
    const held = await runtime.repos.locks.current(tenantId);
    if (held) {
      const heldMs = runtime.clock.now().getTime() - new Date(held.acquiredAt).getTime();
      runtime.metric(METRIC_NAMES.lockHeldSeconds, Math.max(0, Math.round(heldMs / 1_000)));
    }
    return { acquired: false, ...(error.holder ? { holder: error.holder } : {}) };
  }
}

/**
 * Releases the lock and finishes the run as SUCCEEDED with its card counts.
 */
export async function releaseCycleLock(
  runtime: CycleRuntime,
  state: CycleState,
): Promise<{ status: 'SUCCEEDED' }> {
  const { runId } = requireRun(state);
  await releaseOrgSlot(runtime, state);
  await runtime.repos.locks.release(state.tenantId, runId);
  await runtime.repos.runs.finish(state.tenantId, state.hourKey, { status: 'SUCCEEDED' });
  runtime.metric('CyclesCompleted');
  return { status: 'SUCCEEDED' };
}
