import type { PhaseRecord, RunRecord } from '../domain/entities.js';
import type { RunPatch } from './run-repository.js';

/** The lock item attribute that carries an ended phase: `live_<phase>` (top level, no parent map). */
export const LIVE_PHASE_PREFIX = 'live_';

/**
 * One ended phase of a run in progress as the tenant lock carries it (`live_<phase>`): its
 * timing and what it recorded for the run record. The run record gets them all in one write when
 * the run ends (see `RunRepository.finishWithPhases`).
 */
export interface LivePhase {
  readonly record: PhaseRecord;
  readonly patch: RunPatch;
}

/** Ended phases by name. */
export type LivePhases = Readonly<Record<string, LivePhase>>;

/**
 * The ended phases a lock item carries for `runId`'s run, or `undefined` when the item is absent,
 * held by another run, or carries none. A released lock keeps no owner, so it yields nothing: by
 * then the run record holds the phases.
 */
export function livePhasesOf(
  lockItem: Record<string, unknown> | undefined,
  runId: string,
): LivePhases | undefined {
  if (!lockItem || lockItem['owner'] !== runId) return undefined;
  const phases = Object.fromEntries(
    Object.entries(lockItem)
      .filter(([name, value]) => name.startsWith(LIVE_PHASE_PREFIX) && typeof value === 'object')
      .map(([name, value]) => [name.slice(LIVE_PHASE_PREFIX.length), value as LivePhase]),
  );
  return Object.keys(phases).length > 0 ? phases : undefined;
}

/**
 * Folds phases ended on the lock into one patch of the run record: each phase's record by name,
 * counters added up, figures set in phase order (a later phase's figure replaces an earlier one's).
 */
export function mergeLivePhases(live: LivePhases): {
  readonly phases: Readonly<Record<string, PhaseRecord>>;
  readonly patch: RunPatch;
} {
  const phases: Record<string, PhaseRecord> = {};
  const counts: Record<string, number> = {};
  let fields: Omit<RunPatch, 'counts'> = {};
  const ordered = Object.entries(live).sort(([, a], [, b]) =>
    a.record.startedAt.localeCompare(b.record.startedAt),
  );
  for (const [name, { record, patch }] of ordered) {
    phases[name] = record;
    for (const [counter, value] of Object.entries(patch.counts ?? {}))
      counts[counter] = (counts[counter] ?? 0) + value;
    fields = { ...fields, ...figuresOf(patch) };
  }
  return {
    phases,
    patch: Object.keys(counts).length > 0 ? { ...fields, counts } : fields,
  };
}

/**
 * A run record as it stands with the phases its lock still carries applied, so readers (the next
 * phase, `agentctl runs`, the report) see a run in progress as if each phase had written its end
 * to the run record.
 */
export function withLivePhases(run: RunRecord, live: LivePhases | undefined): RunRecord {
  if (!live) return run;
  const merged = mergeLivePhases(live);
  const counts = { ...run.counts };
  for (const [name, value] of Object.entries(merged.patch.counts ?? {}))
    counts[name] = (counts[name] ?? 0) + value;
  return {
    ...run,
    ...figuresOf(merged.patch),
    phases: { ...run.phases, ...merged.phases },
    counts,
  };
}

/** A patch without its counters. */
export function figuresOf(patch: RunPatch): Omit<RunPatch, 'counts'> {
  return Object.fromEntries(Object.entries(patch).filter(([name]) => name !== 'counts'));
}
