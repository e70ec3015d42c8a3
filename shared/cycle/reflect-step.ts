import { reflectOnCycle } from '../domain/reflection.js';
import type { CycleRuntime } from './runtime.js';
import { runPhase } from './phase.js';
import { loadEngagement } from './engagement.js';
import type { CycleState, PreviousReflection } from './state.js';
import { previousReflectionOf } from './previous-reflection.js';
import { handedCardsOf } from './handed-cards.js';
import {
  approvalWakeTimes,
  cardKeepsTenantBusy,
  foldKeepsTenantBusy,
  nextWakeAt,
  hourKeyStart,
} from '../domain/wake.js';
import { OUTCOME_FOLD_LAG_MS } from '../storage/outcome-repository.js';

/**
 * Reflect: writes the tenant-hour's reflection (metrics and how they moved, what was blocked and
 * why, hints and carried requests for the next hour), which the next Plan reads, and sets when the
 * tenant's next cycle is due (its wake time, recorded on the run too) unless new input arrived.
 */
export async function reflect(
  runtime: CycleRuntime,
  state: CycleState,
): Promise<{ hints: number; complianceRate: number }> {
  return runPhase(
    runtime,
    state,
    'reflect',
    async ({ tenantId, hourKey, runId, now, run: record }) => {
      const { repos } = runtime;
      const { settings, run, livePhases } = await repos.workingSet.require(tenantId, { hourKey });
      record.phasesEndedBefore(livePhases);
      const [cards, engagement, previous] = await Promise.all([
        handedCardsOf(state) ?? repos.cards.listForRun(tenantId, hourKey),
        // Reflect needs the figures, not the ranked due list (whose account reads it would cost).
        loadEngagement(runtime, tenantId, settings, now, { rank: false }),
        previousReflection(runtime, state),
      ]);
      const body = reflectOnCycle({
        cards,
        engagement: engagement.stats,
        outcomesFolded: run?.react?.folded ?? 0,
        pendingRequests: run?.react?.requests ?? [],
        ...(previous ? { previous } : {}),
        now,
      });
      await repos.reflections.put(tenantId, hourKey, runId, body);
      const wakeAt = nextWakeAt({
        hourStart: new Date(hourKeyStart(hourKey)),
        now,
        busy:
          cards.some(cardKeepsTenantBusy) ||
          foldKeepsTenantBusy(run?.react) ||
          body.pendingRequests.length > 0 ||
          engagement.pendingSends > 0,
        upcoming: [
          engagement.upcomingDueAt,
          // Open approvals' deadlines: each is expired and re-planned then, idle or not.
          ...approvalWakeTimes(cards, approvalDeadlineOf(state)),
          ...body.hints.flatMap((hint) => ('until' in hint ? [hint.until] : [])),
        ],
      });
      // Input written after React's fold window keeps the tenant due (the settle is conditional).
      const startedAt = new Date(run?.startedAt ?? now.toISOString()).getTime();
      const settled = await repos.wake.settle(tenantId, wakeAt, {
        consumedUntil: new Date(startedAt - OUTCOME_FOLD_LAG_MS),
        startedAt: new Date(startedAt),
      });
      record.set({
        engagement: engagement.stats,
        ...(settled ? { nextWakeAt: wakeAt.toISOString() } : {}),
      });
      runtime.metric('EngagementComplianceRate', engagement.stats.complianceRate * 100);
      return { hints: body.hints.length, complianceRate: engagement.stats.complianceRate };
    },
  );
}

/** The reflection this one is compared with: as Plan handed it on, else read. */
async function previousReflection(
  runtime: CycleRuntime,
  state: CycleState,
): Promise<PreviousReflection | undefined> {
  const handed = previousReflectionOf(state);
  if (handed !== undefined) return handed ?? undefined;
  return runtime.repos.reflections.latestBefore(state.tenantId, state.hourKey);
}

/** The earliest open approval deadline Act saw (`act.approvalDeadline`), if any. */
function approvalDeadlineOf(state: CycleState): string | undefined {
  const deadline = state.act?.['approvalDeadline'];
  return typeof deadline === 'string' ? deadline : undefined;
}
