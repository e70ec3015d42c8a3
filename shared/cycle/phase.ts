import { errorText } from '../observability/error-text.js';
import type { RunPatch } from '../storage/run-repository.js';
import type { CycleRuntime } from './runtime.js';
import { mergeLivePhases, type LivePhases } from '../storage/live-run.js';
import { PHASES, requireRun, type CycleState, type Phase } from './state.js';

/**
 * Collects what a phase writes to its run record (counters, figures); {@link runPhase} writes it
 * with the phase's end in one write, however much it records.
 */
export class RunRecorder {
  private counts: Record<string, number> = {};
  private fields: Omit<RunPatch, 'counts'> = {};
  private ended: { readonly phases: LivePhases | undefined } | undefined;

  /**
   * Hands over the phases this run ended on the lock before this one, as the phase body just read
   * them with the run record (the working set), so the last phase finishes the run record without
   * reading the lock again. Only valid while this run holds the lock: no other phase can end then.
   */
  phasesEndedBefore(phases: LivePhases | undefined): void {
    this.ended = { phases };
  }

  /** What {@link phasesEndedBefore} handed over, or undefined when the body handed nothing. */
  endedBefore(): { readonly phases: LivePhases | undefined } | undefined {
    return this.ended;
  }

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
 * Runs one phase of a cycle with one write at its end. A phase before the last records its end
 * (timing and what the body recorded through `run`) on the tenant lock together with the lease
 * renewal and the next phase's start (a run that lost its lock stops there with
 * LockNotOwnedError, before the next phase); readers see those phases on the run record through
 * the working set and the run repository. The last phase (Reflect) writes every phase to the run
 * record with its own end and the SUCCEEDED status in one update. The lease the next phase runs
 * under is renewed at the previous boundary (the first phase's by the acquisition). A failing body
 * records its error on the run record's phase before rethrowing to the state machine's Catch; a
 * step that crashed outright leaves its phase open on the lock, where RecordFailure finds it.
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
  const run = new RunRecorder();
  let result: T;
  try {
    result = await body({ tenantId, hourKey, runId, now: runtime.clock.now(), run });
  } catch (error) {
    await runtime.repos.runs
      .endPhase(tenantId, hourKey, phase, errorText(error), { startedAt })
      .catch(() => undefined);
    throw error;
  }
  const endedMs = runtime.clock.now().getTime();
  const record = {
    startedAt,
    endedAt: new Date(endedMs).toISOString(),
    durationMs: endedMs - startedMs,
  };
  const next = PHASES[PHASES.indexOf(phase) + 1];
  if (next) {
    await runtime.repos.locks.endPhase(
      tenantId,
      runId,
      runtime.lockTtlMs,
      { name: phase, live: { record, patch: run.patch() } },
      { name: next, startedAt: record.endedAt },
    );
  } else {
    const { phases } = run.endedBefore() ?? (await runtime.repos.locks.live(tenantId, runId));
    const merged = mergeLivePhases({ ...phases, [phase]: { record, patch: run.patch() } });
    await runtime.repos.runs.finishWithPhases(tenantId, hourKey, {
      ...merged,
      finish: { status: 'SUCCEEDED' },
    });
  }
  runtime.metric('PhaseDuration', endedMs - startedMs, { phase });
  return result;
}
