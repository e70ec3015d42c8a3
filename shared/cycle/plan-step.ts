import { planActions } from '../domain/planner.js';
import type { CycleRuntime } from './runtime.js';
import { runPhase } from './phase.js';
import { loadEngagement } from './engagement.js';
import type { CycleState } from './state.js';

/**
 * Plan: gathers the tenant's situation (due contacts, new orders, pipeline, goals, the last
 * reflection's hints and carried requests), asks the planner for actions and persists them as
 * `planned` cards. Cards are numbered in plan order, so a retried Plan re-creates nothing.
 */
export async function plan(
  runtime: CycleRuntime,
  state: CycleState,
): Promise<{ planned: number; created: number }> {
  return runPhase(runtime, state, 'plan', async ({ tenantId, hourKey, runId, now }) => {
    const { repos } = runtime;
    const settings = await repos.tenants.require(tenantId);
    const [engagement, newOrderIds, previous, openDeals, openBids] = await Promise.all([
      loadEngagement(runtime, tenantId, settings, now),
      repos.orders.listIdsByStatus(tenantId, 'new'),
      repos.reflections.latestBefore(tenantId, hourKey),
      repos.deals.countOpen(tenantId),
      repos.bids.countOpen(tenantId),
    ]);
    const pipeline = { openDeals, openBids };
    const proposals = planActions({
      now,
      dueContacts: engagement.dueContacts,
      overdueContacts: engagement.stats.overdue,
      newOrderIds,
      openDeals: pipeline.openDeals,
      openBids: pipeline.openBids,
      goals: {
        behindPace: settings.goals.behindPace,
        pipelineThin: pipeline.openDeals + pipeline.openBids < settings.goals.pipelineTarget,
      },
      hints: previous?.hints ?? [],
      pendingRequests: previous?.pendingRequests ?? [],
    });
    let created = 0;
    for (const [sequence, proposal] of proposals.entries()) {
      if (await repos.cards.create(tenantId, { hourKey, runId }, sequence, proposal)) created += 1;
    }
    await repos.runs.addCounts(tenantId, hourKey, { actionsPlanned: created });
    // Act decides on these same figures, so it reads them from the run instead of recomputing.
    await repos.runs.setSituation(tenantId, hourKey, { engagement: engagement.stats, pipeline });
    runtime.metric('ActionsPlanned', created);
    return { planned: proposals.length, created };
  });
}
