import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hourKey } from '../../shared/clock.js';
import { ORG_SLOT_LEASE_MS } from '../../shared/domain/org-concurrency.js';
import { beginCycle, reflectAndRelease } from '../../shared/cycle/cycle-ends.js';
import { plan } from '../../shared/cycle/plan-step.js';
import type { CycleRuntime } from '../../shared/cycle/runtime.js';
import { parseCycleState } from '../../shared/cycle/state.js';
import { LocalExecutor } from '../../infra/local/local-executor.js';
import { synthesizeStateMachineDefinitions } from '../../infra/local/state-machine-definitions.js';
import { createCycleHarness, type CycleHarness } from '../helpers/cycle-harness.js';

const ORG = 'acme-group';

/**
 * An executor over `runtime` that counts, per organisation, the cycles between a granted
 * BeginCycle and the end of their Reflect (which releases the lock), and holds each Plan open for a moment so that cycles started
 * together overlap. The steps themselves are the real ones.
 */
function observedExecutor(runtime: CycleRuntime, organisationOf: (tenant: string) => string) {
  const running = new Map<string, number>();
  const peak = new Map<string, number>();
  let overall = 0;
  let overallPeak = 0;
  const executor = new LocalExecutor({
    definitions: synthesizeStateMachineDefinitions(),
    runtime,
    taskOverrides: {
      BeginCycle: async (input) => {
        const state = parseCycleState(input);
        const result = await beginCycle(runtime, state);
        if (result.lock.acquired) {
          const org = organisationOf(state.tenantId);
          running.set(org, (running.get(org) ?? 0) + 1);
          peak.set(org, Math.max(peak.get(org) ?? 0, running.get(org)!));
          overall += 1;
          overallPeak = Math.max(overallPeak, overall);
        }
        return result;
      },
      Plan: async (input) => {
        await new Promise((resolve) => setTimeout(resolve, 150));
        return plan(runtime, parseCycleState(input));
      },
      Reflect: async (input) => {
        const state = parseCycleState(input);
        const org = organisationOf(state.tenantId);
        running.set(org, (running.get(org) ?? 1) - 1);
        overall -= 1;
        return reflectAndRelease(runtime, state);
      },
    },
  });
  return { executor, peak, overallPeak: () => overallPeak };
}

describe('Cycle: bounded concurrency per organisation', () => {
  let harness: CycleHarness;
  const organisations: Record<string, string> = {
    north: ORG,
    south: ORG,
    east: ORG,
    solo: 'solo',
  };

  beforeAll(async () => {
    harness = await createCycleHarness({ start: '2026-01-05T09:00:00.000Z' });
    for (const tenantId of ['north', 'south', 'east']) {
      await harness.runtime.repos.tenants.put(tenantId, {
        name: tenantId,
        agentEnabled: true,
        organisation: ORG,
      });
    }
    await harness.runtime.repos.tenants.put('solo', { name: 'Solo', agentEnabled: true });
  }, 60_000);

  afterAll(async () => {
    await harness?.dispose();
  });

  it('never runs two cycles of one organisation at once with N=1: one runs, the other ends SKIPPED org_concurrency and stays due', async () => {
    const { runtime, clock } = harness;
    const { executor, peak, overallPeak } = observedExecutor(runtime, (t) => organisations[t]!);
    const hour = hourKey(clock.now());

    const results = await Promise.all(
      ['north', 'south', 'solo'].map((tenantId) => executor.runCycle({ tenantId, hourKey: hour })),
    );

    expect(results.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(peak.get(ORG)).toBe(1);
    // The tenant of another organisation ran alongside: the bound is per organisation.
    expect(overallPeak()).toBe(2);
    const runs = await Promise.all(
      ['north', 'south'].map((tenantId) => runtime.repos.runs.get(tenantId, hour)),
    );
    const statuses = runs.map((run) => [run?.status, run?.reason]).sort();
    expect(statuses).toEqual([
      ['SKIPPED', 'org_concurrency'],
      ['SUCCEEDED', undefined],
    ]);
    const skipped = runs.find((run) => run?.status === 'SKIPPED')!;
    expect(skipped.error?.message).toContain(`organisation ${ORG} already runs 1 cycle(s) at once`);
    expect((await runtime.repos.runs.get('solo', hour))?.status).toBe('SUCCEEDED');
    // The skipped tenant is due at the next fan-out; its lock was given back.
    const skippedTenant = ['north', 'south'][runs.indexOf(skipped)]!;
    expect((await runtime.repos.wake.listDue(clock.now())).items).toContain(skippedTenant);
    expect(await runtime.repos.locks.current(skippedTenant)).toBeUndefined();

    // Next hour the slot is free again: the skipped tenant runs.
    clock.advance({ ms: 3_600_000 });
    const next = await executor.runCycle({
      tenantId: skippedTenant,
      hourKey: hourKey(clock.now()),
    });
    expect(next.status).toBe('SUCCEEDED');
    expect((await runtime.repos.runs.get(skippedTenant, hourKey(clock.now())))?.status).toBe(
      'SUCCEEDED',
    );
  }, 120_000);

  it('runs two cycles of one organisation side by side when the stage allows N=2, and a third waits', async () => {
    const runtime = { ...harness.runtime, orgCycleConcurrency: 2 };
    const { executor, peak } = observedExecutor(runtime, (t) => organisations[t]!);
    harness.clock.advance({ ms: 3_600_000 });
    const hour = hourKey(harness.clock.now());

    await Promise.all(
      ['north', 'south', 'east'].map((tenantId) => executor.runCycle({ tenantId, hourKey: hour })),
    );

    expect(peak.get(ORG)).toBe(2);
    const runs = await Promise.all(
      ['north', 'south', 'east'].map((tenantId) => runtime.repos.runs.get(tenantId, hour)),
    );
    expect(runs.map((run) => run?.status).sort()).toEqual(['SKIPPED', 'SUCCEEDED', 'SUCCEEDED']);
  }, 120_000);

  it('gives the slot back when a cycle fails, so the next cycle of the organisation runs', async () => {
    const { runtime, clock } = harness;
    clock.advance({ ms: 3_600_000 });
    const hour = hourKey(clock.now());
    const failing = new LocalExecutor({
      definitions: synthesizeStateMachineDefinitions(),
      runtime,
      taskOverrides: {
        Plan: async () => {
          throw new Error('planner crashed');
        },
      },
    });

    const failed = await failing.runCycle({ tenantId: 'north', hourKey: hour });
    const next = await harness.executor().runCycle({ tenantId: 'south', hourKey: hour });

    expect(failed.status).toBe('FAILED');
    expect((await runtime.repos.runs.get('north', hour))?.status).toBe('FAILED');
    expect(next.status).toBe('SUCCEEDED');
    expect((await runtime.repos.runs.get('south', hour))?.status).toBe('SUCCEEDED');
  }, 120_000);

  it('frees the slot of a cycle that died without releasing it once its lease expires', async () => {
    const { runtime, clock } = harness;
    const executor = harness.executor();
    clock.advance({ ms: 3_600_000 });
    await runtime.repos.orgSlots.acquire(ORG, 'crashed-run', 1, ORG_SLOT_LEASE_MS);

    const blocked = await executor.runCycle({ tenantId: 'east', hourKey: hourKey(clock.now()) });
    const blockedRun = await runtime.repos.runs.get('east', hourKey(clock.now()));
    // The lease (the cycle's execution timeout) ends within the hour: the next hour's cycle runs.
    expect(ORG_SLOT_LEASE_MS).toBeLessThan(3_600_000);
    clock.advance({ ms: 3_600_000 });
    const freed = await executor.runCycle({ tenantId: 'east', hourKey: hourKey(clock.now()) });

    expect(blocked.status).toBe('SUCCEEDED');
    expect(blockedRun).toMatchObject({ status: 'SKIPPED', reason: 'org_concurrency' });
    expect(blockedRun?.error?.message).toContain('crashed-run');
    expect(freed.status).toBe('SUCCEEDED');
    expect((await runtime.repos.runs.get('east', hourKey(clock.now())))?.status).toBe('SUCCEEDED');
  }, 120_000);
});
