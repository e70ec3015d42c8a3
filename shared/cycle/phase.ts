import { errorText } from '../observability/error-text.js';
import type { RunPatch } from '../storage/run-repository.js';
import type { CycleRuntime } from './runtime.js';
import { requireRun, type CycleState, type Phase } from './state.js';

/**
 * Collects what a phase writes to its run record (counters, figures); {@link runPhase} writes it
 * with the phase's end in one update, so a phase costs the run record two writes however much it
 * records.
 */
export class RunRecorder {
  private counts: Record<string, number> = {};
  private fields: Omit<RunPatch, 'counts'> = {};

  /** Adds to named run counters (e.g. `actionsPlanned`). */
  addCounts(counts: Readonly<Record<string, number>>): void {
    for (const [name, value] of Object.entries(counts))
      this.counts[name] = (this.counts[name] ?? 0) + value;
  }

  /** Sets run figures; a later call replaces a field an earlier one set. */
  set(fields: Omit<RunPatch, 'counts'>): void {
    this.fields = { ...this.fields, ...fields };
  }

  /** Everything recorded so far. */
  patch(): RunPatch {
    return Object.keys(this.counts).length > 0
      ? { ...this.fields, counts: this.counts }
      : this.fields;
  }
}

/** Context a phase body receives. */
export interface PhaseContext {
  readonly tenantId: string;
  readonly hourKey: string;
  readonly runId: string;
  readonly now: Date;
  /** What the phase records on its run, written when it ends successfully. */
  readonly run: RunRecorder;
}

/**
 * Runs one phase of a cycle: renews the lock lease and records the phase's start on the lock in
 * the same write (a run that lost its lock stops here with LockNotOwnedError), records the phase
 * (start, end, duration) on the run record when it ends, together with what the body recorded
 * through `run`, and records the error on the phase before rethrowing it to the state machine's
 * Catch. A step that crashed outright leaves its phase open on the lock, where RecordFailure
 * finds it.
 */
export async function runPhase<T>(
  runtime: CycleRuntime,
  state: CycleState,
  phase: Phase,
  body: (context: PhaseContext) => Promise<T>,
): Promise<T> {
  const { runId } = requireRun(state);
  const { tenantId, hourKey } = state;
  const startedMs = runtime.clock.now().getTime();
  const startedAt = new Date(startedMs).toISOString();
  // The phase's start is recorded on the lock with the lease renewal (one write); the run record
  // gets the phase once it ends.
  await runtime.repos.locks.extend(tenantId, runId, runtime.lockTtlMs, {
    name: phase,
    startedAt,
  });
  const run = new RunRecorder();
  try {
    const result = await body({ tenantId, hourKey, runId, now: runtime.clock.now(), run });
    await runtime.repos.runs.endPhase(tenantId, hourKey, phase, undefined, {
      startedAt,
      patch: run.patch(),
    });
    runtime.metric('PhaseDuration', runtime.clock.now().getTime() - startedMs, { phase });
    return result;
  } catch (error) {
    await runtime.repos.runs
      .endPhase(tenantId, hourKey, phase, errorText(error), { startedAt })
      .catch(() => undefined);
    throw error;
  }
}
