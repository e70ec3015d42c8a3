import { errorText } from '../observability/error-text.js';
import { LockNotOwnedError } from '../errors.js';
import { PHASES, type CycleState } from './state.js';
import type { CycleRuntime } from './runtime.js';
import { releaseOrgSlot } from './org-slot.js';
import { mergeLivePhases } from '../storage/live-run.js';
import type { PhaseRecord } from '../domain/entities.js';

/**
 * The Catch target of every cycle step: marks the failed phase and the run FAILED with the error,
 * and releases the lock if this run still holds it, and its organisation slot. Never throws for
 * a lock or slot it no longer holds.
 */
export async function recordFailure(
  runtime: CycleRuntime,
  state: CycleState,
): Promise<{ status: 'FAILED'; phase?: string }> {
  const { tenantId, hourKey } = state;
  const run = await runtime.repos.runs.get(tenantId, hourKey);
  const runId = state.gates?.runId ?? run?.runId;
  const message = describeError(state.error);
  // The phases the run ended on the lock, and the one a crashed step left open there (runPhase
  // records each boundary on the lock); `runs.get` has already applied the ended ones.
  const live = runId ? await runtime.repos.locks.live(tenantId, runId) : {};
  const open = live.open;
  const openPhase = open && !run?.phases[open.name]?.endedAt ? open : undefined;
  const phase =
    openPhase?.name ??
    [...PHASES]
      .reverse()
      .find((name) => run?.phases[name]?.startedAt && !run.phases[name]?.endedAt) ??
    [...PHASES].reverse().find((name) => run?.phases[name]?.error) ??
    inferStep(state);

  if (run) {
    // One write: the phases ended on the lock, the failed phase's end and the FAILED status.
    const merged = mergeLivePhases(live.phases ?? {});
    const phases: Record<string, PhaseRecord> = { ...merged.phases };
    if (phase && (PHASES as readonly string[]).includes(phase) && !run.phases[phase]?.endedAt) {
      const now = runtime.clock.now();
      const startedAt =
        (openPhase?.name === phase ? openPhase.startedAt : run.phases[phase]?.startedAt) ??
        now.toISOString();
      phases[phase] = {
        startedAt,
        endedAt: now.toISOString(),
        durationMs: now.getTime() - new Date(startedAt).getTime(),
        error: run.phases[phase]?.error ?? message,
      };
    }
    await runtime.repos.runs.finishWithPhases(tenantId, hourKey, {
      phases,
      patch: merged.patch,
      finish: { status: 'FAILED', error: { ...(phase ? { phase } : {}), message } },
    });
  }
  if (runId) {
    try {
      await runtime.repos.locks.release(tenantId, runId);
    } catch (error) {
      if (!(error instanceof LockNotOwnedError)) throw error;
    }
  }
  await releaseOrgSlot(runtime, state);
  // A failed hour is retried at the next fan-out, whatever wake time the run may have set.
  await runtime.repos.wake.markDirty(tenantId, runtime.clock.now());
  runtime.metric('CyclesFailed', 1, phase ? { phase } : {});
  return { status: 'FAILED', ...(phase ? { phase } : {}) };
}

/** The step that failed when no phase was open: the first step whose result is missing. */
function inferStep(state: CycleState): string {
  const steps = [
    ['begin_cycle', state.lock],
    ['plan', state.plan],
    ['act', state.act],
    ['react', state.react],
    ['reflect', state.reflect],
  ] as const;
  return steps.find(([, result]) => result === undefined)?.[0] ?? 'reflect';
}

/**
 * Turns a Step Functions error (`Error` + `Cause`) into one line. Lambda's Cause is a JSON document
 * with `errorMessage`; the local runner's is the plain message. Secrets are cut out.
 */
export function describeError(error: CycleState['error']): string {
  if (!error) return 'unknown error';
  let cause = error.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') cause = parsed.errorMessage;
  } catch {
    // plain-text cause
  }
  return errorText([error.Error, cause].filter(Boolean).join(': ') || 'unknown error');
}
