import { describe, expect, it } from 'vitest';
import { hourKey } from '../../shared/clock.js';
import { createCycleHarness } from '../helpers/cycle-harness.js';

describe('Fan-out: synthesized fan-out state machine on the embedded stack', () => {
  it('starts exactly one cycle per enabled tenant-hour for 500 tenants, across pages', async () => {
    // Prepare
    const harness = await createCycleHarness({ start: '2026-01-05T08:00:00.000Z' });
    try {
      const tenantIds = Array.from({ length: 500 }, (_, i) => `t-${String(i).padStart(3, '0')}`);
      for (const tenantId of tenantIds) {
        await harness.runtime.repos.tenants.put(tenantId, { name: tenantId, agentEnabled: true });
      }
      await harness.runtime.repos.tenants.put('t-disabled', {
        name: 'disabled',
        agentEnabled: false,
      });
      const executor = harness.executor();
      const at = harness.clock.now();

      // Act: the scheduler fires twice for the same hour (at-least-once delivery).
      const first = await executor.runFanOut(at);
      const repeat = await executor.runFanOut(at);

      // Assess
      expect(first).toMatchObject({ started: 500, alreadyStarted: 0 });
      // The repeat starts nothing: each cycle settled its tenant's wake time past this hour, so
      // the due listing is empty (a repeat while cycles still run ends in AlreadyStarted instead).
      expect(repeat).toMatchObject({ started: 0, alreadyStarted: 0 });
      expect(executor.executions).toHaveLength(500);
      expect(new Set(executor.executions.map((e) => e.executionName)).size).toBe(500);
      expect(executor.executions.every((e) => e.status === 'SUCCEEDED')).toBe(true);
      const key = hourKey(at);
      for (const tenantId of [tenantIds[0], tenantIds[250], tenantIds[499]] as string[]) {
        const runs = await harness.runtime.repos.runs.list(tenantId);
        expect(runs.items.map((run) => [run.hourKey, run.status])).toEqual([[key, 'SUCCEEDED']]);
      }
      expect((await harness.runtime.repos.runs.list('t-disabled')).items).toEqual([]);
    } finally {
      await harness.dispose();
    }
  }, 600_000); // a hang guard, not a time budget: 500 cycles take ~60 s quiet, ~300 s at load 10

  it('keeps fanning out when one tenant cycle cannot be started', async () => {
    const harness = await createCycleHarness({ start: '2026-01-05T08:00:00.000Z' });
    try {
      for (const tenantId of ['a', 'b', 'c'])
        await harness.runtime.repos.tenants.put(tenantId, { name: tenantId, agentEnabled: true });
      const executor = harness.executor({
        taskOverrides: {
          BeginCycle: async (input) => {
            if ((input as { tenantId: string }).tenantId === 'b') throw new Error('boom');
            return {
              ...(input as object),
              gates: { proceed: false, runId: 'x', cycleNumber: 0, reason: 'test' },
              lock: { acquired: false },
            };
          },
        },
      });

      const result = await executor.runFanOut(harness.clock.now());

      expect(result.started).toBe(3);
      expect(executor.executions.map((e) => e.status).sort()).toEqual([
        'FAILED',
        'SUCCEEDED',
        'SUCCEEDED',
      ]);
    } finally {
      await harness.dispose();
    }
  });
});
