import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hourKey } from '../../../shared/clock.js';
import { decideOnApproval } from '../../../shared/rollout/decide.js';
import type { LocalExecutor } from '../../../infra/local/local-executor.js';
import { createCycleHarness, type CycleHarness } from '../../helpers/cycle-harness.js';

const START = new Date('2026-03-02T08:00:00.000Z');
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const HOURS = 12;
const TTL_HOURS = 5;

const keyOf = (hour: number) => hourKey(new Date(START.getTime() + hour * HOUR_MS));

describe('Rollout: approval deadlines and decisions wake an assisted tenant, waiting does not', () => {
  let harness: CycleHarness;
  let executor: LocalExecutor;

  beforeAll(async () => {
    harness = await createCycleHarness({ start: START.toISOString() });
    executor = harness.executor();
    const lastTouchAt = new Date(START.getTime() - 30 * DAY_MS).toISOString();
    for (const tenantId of ['held', 'answered']) {
      await harness.runtime.repos.tenants.put(tenantId, {
        name: tenantId,
        agentEnabled: true,
        goals: { pipelineTarget: 0, behindPace: false },
        rollout: { phase: 'assisted', approvalTtlHours: TTL_HOURS },
      });
      await harness.runtime.repos.contacts.put(tenantId, {
        contactId: 'c-1',
        email: `ana@${tenantId}.example`,
        lastTouchAt,
        createdAt: lastTouchAt,
      });
    }
    for (let hour = 0; hour < HOURS; hour += 1) {
      const at = new Date(START.getTime() + hour * HOUR_MS);
      harness.clock.set(at);
      await executor.runFanOut(at);
      if (hour === 0) {
        // Half an hour after the first cycle asked, an approver approves the answered tenant's touch.
        harness.clock.set(new Date(at.getTime() + 30 * 60_000));
        const [proposal] = await harness.runtime.repos.proposals.list('answered');
        await decideOnApproval(harness.runtime.repos, 'answered', proposal!.proposalId, 'approve', {
          by: 'ops@answered.example',
          now: harness.clock.now(),
        });
      }
    }
  }, 240_000);

  afterAll(async () => {
    await harness.dispose();
  });

  const startedHours = (tenantId: string) =>
    executor.executions
      .map((execution) => execution.executionName)
      .filter((name) => name.startsWith(`${tenantId}-`))
      .map((name) => name.slice(tenantId.length + 1));

  it('starts no execution while an approval waits, then runs at its deadline to expire it and ask again', async () => {
    // Asked at 08:00 (expires 13:00), re-asked at 13:00 (expires 18:00), and at 18:00.
    expect(startedHours('held')).toEqual([keyOf(0), keyOf(TTL_HOURS), keyOf(2 * TTL_HOURS)]);
    const [proposal] = await harness.runtime.repos.proposals.list('held');
    expect(proposal).toMatchObject({
      status: 'awaiting',
      generation: 3,
      expiresAt: new Date(START.getTime() + 3 * TTL_HOURS * HOUR_MS).toISOString(),
    });
    expect(proposal?.history.filter((event) => event.action === 'expired')).toHaveLength(2);
    expect((await harness.runtime.repos.runs.get('held', keyOf(0)))?.nextWakeAt).toBe(
      new Date(START.getTime() + TTL_HOURS * HOUR_MS).toISOString(),
    );
  });

  it('runs the hour after an approval to execute it exactly once', async () => {
    expect(startedHours('answered').slice(0, 2)).toEqual([keyOf(0), keyOf(1)]);
    const [proposal] = await harness.runtime.repos.proposals.list('answered');
    expect(proposal?.status).toBe('executed');
    expect(proposal?.history.filter((event) => event.action === 'executed')).toHaveLength(1);
  });
});
