import { planActions } from '../domain/planner.js';
import { isOpenBid, isOpenDeal } from '../domain/pipeline.js';
import type { CycleRuntime } from './runtime.js';
import { runPhase } from './phase.js';
import { loadEngagement, type EngagementSnapshot } from './engagement.js';
import { METRIC_NAMES } from '../observability/metric-names.js';
import { createHash } from 'node:crypto';
import { hourKey } from '../clock.js';
import { hourKeyStart } from '../domain/wake.js';
import type { CycleState, PreviousReflection } from './state.js';
import { plannedCardsFor, type PlannedCards } from './planned-cards.js';

/**
 * Plan: gathers the tenant's situation (due contacts, new orders, pipeline, goals, the last
 * reflection's hints and carried requests), asks the planner for actions and persists them as
 * `planned` cards. Cards are numbered in plan order, so a retried Plan re-creates nothing. Its
 * result carries the previous reflection's metrics and hints (null: none) for Reflect and the
 * run's card ids, their targets and the day's other sends for Act (shared/cycle/planned-cards.ts).
 */
export async function plan(
  runtime: CycleRuntime,
  state: CycleState,
): Promise<{
  planned: number;
  created: number;
  previousReflection: PreviousReflection | null;
  cards: PlannedCards;
}> {
  return runPhase(runtime, state, 'plan', async ({ tenantId, hourKey, runId, now, run }) => {
    const { repos } = runtime;
    // Contacts, deals and bids are neighbours in the partition: one Query reads all three. The
    // day's cards hold the run's cards of an earlier attempt and the day's quota usage for Act.
    // The previous hour's reflection, the latest one when the tenant ran then, comes with the
    // settings; only without it is the latest earlier one looked for.
    const [{ settings, reflection }, situation, newOrderIds, dayCards] = await Promise.all([
      repos.workingSet.require(tenantId, { reflectionHourKey: previousHourKey(hourKey) }),
      repos.workingSet.contactsAndPipeline(tenantId),
      repos.orders.listIdsByStatus(tenantId, 'new'),
      repos.cards.listForDay(tenantId, hourKey.slice(0, 8)),
    ]);
    const previous = reflection ?? (await repos.reflections.latestBefore(tenantId, hourKey));
    const engagement = await loadEngagement(runtime, tenantId, settings, now, {
      contacts: situation.contacts,
    });
    const pipeline = {
      openDeals: situation.deals.filter(isOpenDeal).length,
      openBids: situation.bids.filter(isOpenBid).length,
    };
    const proposals = planActions({
      now,
      dueContacts: engagement.dueContacts,
      // Contactable contacts only: suppressed and discovered ones never hold research back.
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
    await reportNotContactable(runtime, tenantId, engagement, now);
    if (engagement.stalePendingSends.length > 0) {
      runtime.metric(METRIC_NAMES.stalePendingSends, engagement.stalePendingSends.length);
    }
    const existing = dayCards.filter((card) => card.hourKey === hourKey);
    const newCards = await repos.cards.createMissing(
      tenantId,
      { hourKey, runId },
      proposals,
      existing,
    );
    const created = newCards.length;
    run.addCounts({ actionsPlanned: created });
    // Act decides on these same figures, so it reads them from the run instead of recomputing.
    run.set({ engagement: engagement.stats, pipeline });
    runtime.metric('ActionsPlanned', created);
    return {
      planned: proposals.length,
      created,
      // Reflect compares with the same reflection: handed on (small) instead of read again.
      previousReflection: previous ? { metrics: previous.metrics, hints: previous.hints } : null,
      // Act reads these cards and their targets by key, with the settings (ids and a count).
      cards: plannedCardsFor(
        [...existing, ...newCards].sort(
          (a, b) => a.sequence - b.sequence || a.cardId.localeCompare(b.cardId),
        ),
        dayCards,
        hourKey,
      ),
    };
  });
}

/** The hour key of the UTC hour before `hourKey`. */
function previousHourKey(key: string): string {
  return hourKey(new Date(hourKeyStart(key) - 3_600_000));
}

/**
 * The first time a not-contactable contact (suppressed, do-not-contact, discovered) would have
 * been due, records it once as a `suppressed` send result with its reason, and marks that touch
 * resolved so it is not reported again until the contact's clock moves.
 */
async function reportNotContactable(
  runtime: CycleRuntime,
  tenantId: string,
  engagement: EngagementSnapshot,
  now: Date,
): Promise<void> {
  for (const entry of engagement.newlyNotContactable) {
    const id = createHash('sha256').update(entry.touchKey).digest('hex').slice(0, 24);
    await runtime.repos.outcomes.append(
      tenantId,
      `notcontactable-${id}`,
      {
        kind: 'send_result',
        email: entry.email,
        contactId: entry.contactId,
        status: 'suppressed',
        reason: entry.reason,
        touchKey: entry.touchKey,
      },
      now,
    );
    await runtime.repos.contacts.resolvePendingSend(tenantId, entry.contactId, {
      touchKey: entry.touchKey,
      status: 'suppressed',
      at: now,
      resolved: true,
    });
  }
}
