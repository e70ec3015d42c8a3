import { summariseOutcomes } from '../domain/outcomes.js';
import type { CycleRuntime } from './runtime.js';
import { runPhase } from './phase.js';
import { applyTouches } from './engagement.js';
import type { CycleState } from './state.js';

/** Most requests carried from one cycle to the next; the rest wait in the inbox for the next cycle. */
export const MAX_CARRIED_REQUESTS = 25;

/**
 * React: folds the outcomes written since the last fold and before `now` minus
 * `OUTCOME_FOLD_LAG_MS` (send results, inbound mail, bounces, order updates), whatever their event
 * time, into the tenant's state: touches move engagement clocks, hard bounces and complaints
 * suppress the address, explicit requests are kept for the next Plan. The inbox cursor moves only
 * after everything is applied, so a retried React folds the same outcomes again (each application
 * is idempotent) and none is lost; an outcome appended twice is one inbox item, so it is counted
 * once.
 */
export async function react(
  runtime: CycleRuntime,
  state: CycleState,
): Promise<{ folded: number; requests: number; touches: number }> {
  return runPhase(runtime, state, 'react', async ({ tenantId, now, run }) => {
    const { repos } = runtime;
    const { settings, reactCursor } = await repos.workingSet.require(tenantId, {
      reactCursor: true,
    });
    const { outcomes, position } = await repos.outcomes.pendingAfter(tenantId, now, reactCursor);
    const summary = summariseOutcomes(outcomes);

    await applyTouches(runtime, tenantId, settings, summary.touches);
    for (const email of summary.bouncedEmails) {
      await repos.suppressions.add(tenantId, email, 'hard_bounce', 'react');
    }
    run.set({
      react: {
        folded: summary.folded,
        byKind: summary.byKind,
        sendsByStatus: summary.sendsByStatus,
        requests: summary.requests.slice(0, MAX_CARRIED_REQUESTS),
      },
    });
    if (position) await repos.outcomes.commit(tenantId, position);
    runtime.metric('OutcomesFolded', summary.folded);
    return {
      folded: summary.folded,
      requests: summary.requests.length,
      touches: summary.touches.length,
    };
  });
}
