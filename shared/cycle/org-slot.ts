import { ORG_SLOT_LEASE_MS } from '../domain/org-concurrency.js';
import type { CycleRuntime } from './runtime.js';
import { requireRun, type CycleState, type LockResult } from './state.js';

/**
 * Takes a cycle slot of the tenant's organisation (named by the gates check in `gates.organisation`;
 * none for a tenant that is its own organisation) once the tenant lock is held. When every slot is
 * in use the tenant lock is given back, the run ends SKIPPED(`org_concurrency`) and the tenant is
 * marked due so the next fan-out runs it; the refusal is returned. `undefined`: go on.
 */
export async function takeOrgSlot(
  runtime: CycleRuntime,
  state: CycleState,
): Promise<LockResult | undefined> {
  const organisation = state.gates?.organisation;
  if (!organisation) return undefined;
  const { runId } = requireRun(state);
  const { tenantId, hourKey } = state;
  const slot = await runtime.repos.orgSlots.acquire(
    organisation,
    runId,
    runtime.orgCycleConcurrency,
    ORG_SLOT_LEASE_MS,
  );
  if (slot.acquired) return undefined;
  await runtime.repos.locks.release(tenantId, runId);
  await runtime.repos.runs.finish(tenantId, hourKey, {
    status: 'SKIPPED',
    reason: 'org_concurrency',
    error: {
      message: `organisation ${organisation} already runs ${runtime.orgCycleConcurrency} cycle(s) at once${slot.busy.length ? ` (runs ${slot.busy.join(', ')})` : ''}; the tenant stays due`,
    },
  });
  await runtime.repos.wake.markDirty(tenantId, runtime.clock.now());
  runtime.metric('CyclesSkipped', 1, { reason: 'org_concurrency' });
  return { acquired: false, ...(slot.busy[0] ? { holder: slot.busy[0] } : {}) };
}

/** Gives back the organisation slot this run may hold (idempotent; nothing for a lone tenant). */
export async function releaseOrgSlot(runtime: CycleRuntime, state: CycleState): Promise<void> {
  const organisation = state.gates?.organisation;
  const runId = state.gates?.runId;
  if (organisation && runId) await runtime.repos.orgSlots.release(organisation, runId);
}
