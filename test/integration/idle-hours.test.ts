import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hourKey } from '../../shared/clock.js';
import type { CycleRuntime } from '../../shared/cycle/runtime.js';
import { idleHours } from '../../shared/domain/wake.js';
import type { LocalExecutor } from '../../infra/local/local-executor.js';
import { createCycleHarness, type CycleHarness } from '../helpers/cycle-harness.js';

const START = new Date('2026-01-05T08:00:00.000Z');
const HOUR_MS = 3_600_000;
const HOURS = 26;
/** The hour (0-based) in which mail arrives for the dirty tenant. */
const MAIL_HOUR = 5;

/** A tenant with nothing to do: one contact touched yesterday, no orders, no pipeline goal. */
async function seedQuietTenant(runtime: CycleRuntime, tenantId: string): Promise<void> {
  await runtime.repos.tenants.put(tenantId, {
    name: tenantId,
    agentEnabled: true,
    goals: { pipelineTarget: 0, behindPace: false },
  });
  const lastTouchAt = new Date(START.getTime() - 86_400_000).toISOString();
  await runtime.repos.contacts.put(tenantId, {
    contactId: 'c-1',
    email: `ana@${tenantId}.example`,
    lastTouchAt,
    createdAt: lastTouchAt,
  });
}

function keyOf(hour: number): string {
  return hourKey(new Date(START.getTime() + hour * HOUR_MS));
}

describe('Fan-out: idle tenant-hours start no execution', () => {
  let harness: CycleHarness;
  let executor: LocalExecutor;

  beforeAll(async () => {
    harness = await createCycleHarness({ start: START.toISOString() });
    await seedQuietTenant(harness.runtime, 'quiet');
    await seedQuietTenant(harness.runtime, 'dirty');
    executor = harness.executor();
    for (let hour = 0; hour < HOURS; hour += 1) {
      const at = new Date(START.getTime() + hour * HOUR_MS);
      harness.clock.set(at);
      await executor.runFanOut(at);
      if (hour === MAIL_HOUR) {
        // A reply arrives ten minutes into the hour (as ingest records it).
        harness.clock.set(new Date(at.getTime() + 10 * 60_000));
        await harness.runtime.repos.outcomes.append('dirty', 'reply-1', {
          kind: 'inbound_message',
          messageId: '<reply-1@dirty.example>',
          from: 'ana@dirty.example',
          contactId: 'c-1',
          classification: 'reply',
        } as never);
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

  it('starts a tenant with nothing due once, then again a day later, and no execution in between', () => {
    expect(startedHours('quiet')).toEqual([keyOf(0), keyOf(24)]);
  });

  it('records every hour between as SKIPPED idle, with the wake time the cycle set', async () => {
    const runs = (await harness.runtime.repos.runs.list('quiet', { oldestFirst: true })).items;
    expect(runs.map((run) => [run.hourKey, run.status])).toEqual([
      [keyOf(0), 'SUCCEEDED'],
      [keyOf(24), 'SUCCEEDED'],
    ]);
    expect(runs[0]?.nextWakeAt).toBe(new Date(START.getTime() + 24 * HOUR_MS).toISOString());
    const expectedIdle = Array.from({ length: HOURS - 1 }, (_, i) => keyOf(i + 1)).filter(
      (key) => key !== keyOf(24),
    );
    expect(idleHours(runs, keyOf(HOURS - 1))).toEqual(expectedIdle);
  });

  it('starts a dirty tenant at the next fan-out after new input arrives, and not before', () => {
    const hours = startedHours('dirty');
    expect(hours.slice(0, 2)).toEqual([keyOf(0), keyOf(MAIL_HOUR + 1)]);
    for (let hour = 1; hour <= MAIL_HOUR; hour += 1) expect(hours).not.toContain(keyOf(hour));
  });

  it('folds the new input in the cycle it woke', async () => {
    const run = await harness.runtime.repos.runs.get('dirty', keyOf(MAIL_HOUR + 1));
    expect(run?.status).toBe('SUCCEEDED');
    expect(run?.react?.folded).toBe(1);
  });
});
