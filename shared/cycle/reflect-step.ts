import { reflectOnCycle } from '../domain/reflection.js';
import type { CycleRuntime } from './runtime.js';
import { runPhase } from './phase.js';
import { loadEngagement } from './engagement.js';
import type { CycleState } from './state.js';

/**
 * Reflect: writes the tenant-hour's reflection (metrics and how they moved, what was blocked and
 * why, hints and carried requests for the next hour), which the next Plan reads.
 */
export async function reflect(
  runtime: CycleRuntime,
  state: CycleState,
): Promise<{ hints: number; complianceRate: number }> {
  return runPhase(runtime, state, 'reflect', async ({ tenantId, hourKey, runId, now }) => {
    const { repos } = runtime;
    const settings = await repos.tenants.require(tenantId);
    const [cards, engagement, previous, run] = await Promise.all([
      repos.cards.listForRun(tenantId, hourKey),
      loadEngagement(runtime, tenantId, settings, now),
      repos.reflections.latestBefore(tenantId, hourKey),
      repos.runs.get(tenantId, hourKey),
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
    await repos.runs.setEngagement(tenantId, hourKey, engagement.stats);
    runtime.metric('EngagementComplianceRate', engagement.stats.complianceRate * 100);
    return { hints: body.hints.length, complianceRate: engagement.stats.complianceRate };
  });
}
