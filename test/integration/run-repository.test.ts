import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hourKey } from '../../shared/clock.js';
import { AlreadyExistsError } from '../../shared/errors.js';
import { createTestTable, type TestTable } from '../helpers/local-table.js';

describe('Storage: RunRepository', () => {
  let table: TestTable;

  beforeAll(async () => {
    table = await createTestTable('2026-01-05T09:00:00.000Z');
  });

  afterAll(async () => {
    await table.dispose();
  });

  it('numbers runs per tenant with an increasing cycle number', async () => {
    const numbers: number[] = [];
    for (let hour = 0; hour < 3; hour += 1) {
      const run = await table.repos.runs.start('numbered', {
        hourKey: hourKey(table.clock.now()),
        runId: `r${hour}`,
      });
      numbers.push(run.cycleNumber);
      table.clock.advance({ hours: 1 });
    }
    const other = await table.repos.runs.start('numbered-other', {
      hourKey: '2026010509',
      runId: 'x',
    });

    expect(numbers).toEqual([1, 2, 3]);
    expect(other.cycleNumber).toBe(1);
  });

  it('refuses a second run for the same tenant-hour and keeps the first', async () => {
    await table.repos.runs.start('once', { hourKey: '2026010510', runId: 'first' });

    await expect(
      table.repos.runs.start('once', { hourKey: '2026010510', runId: 'second' }),
    ).rejects.toBeInstanceOf(AlreadyExistsError);
    expect((await table.repos.runs.get('once', '2026010510'))?.runId).toBe('first');
  });

  it('records phase timings, counts and the final status', async () => {
    await table.repos.runs.start('phased', { hourKey: '2026010511', runId: 'p' });
    await table.repos.runs.startPhase('phased', '2026010511', 'plan');
    table.clock.advance({ ms: 1_500 });
    await table.repos.runs.endPhase('phased', '2026010511', 'plan');
    await table.repos.runs.addCounts('phased', '2026010511', { actionsPlanned: 3 });
    await table.repos.runs.addCounts('phased', '2026010511', {
      actionsPlanned: 2,
      actionsBlocked: 1,
    });

    await table.repos.runs.finish('phased', '2026010511', {
      status: 'FAILED',
      error: { phase: 'act', message: 'boom' },
    });

    const run = await table.repos.runs.get('phased', '2026010511');
    expect(run?.phases['plan']).toMatchObject({ durationMs: 1_500 });
    expect(run?.counts).toEqual({ actionsPlanned: 5, actionsBlocked: 1 });
    expect(run).toMatchObject({ status: 'FAILED', error: { phase: 'act', message: 'boom' } });
    expect(run?.endedAt).toBe(table.clock.now().toISOString());
  });

  it('writes a phase end with its counters and figures in one update, without reading the run', async () => {
    await table.repos.runs.start('patched', { hourKey: '2026010512', runId: 'p' });
    await table.repos.runs.addCounts('patched', '2026010512', { actionsPlanned: 1 });
    const startedAt = await table.repos.runs.startPhase('patched', '2026010512', 'act');
    table.clock.advance({ ms: 2_000 });
    table.requestCounts.clear();

    await table.repos.runs.endPhase('patched', '2026010512', 'act', undefined, {
      startedAt,
      patch: {
        counts: { actionsPlanned: 2, actionsExecuted: 1 },
        pipeline: { openDeals: 3, openBids: 1 },
        nextWakeAt: '2026-01-05T15:00:00.000Z',
      },
    });

    expect([...table.requestCounts.entries()]).toEqual([['UpdateItemCommand', 1]]);
    const run = await table.repos.runs.get('patched', '2026010512');
    expect(run?.phases['act']).toMatchObject({ startedAt, durationMs: 2_000 });
    expect(run?.counts).toEqual({ actionsPlanned: 3, actionsExecuted: 1 });
    expect(run).toMatchObject({
      pipeline: { openDeals: 3, openBids: 1 },
      nextWakeAt: '2026-01-05T15:00:00.000Z',
    });
  });

  it('lists runs newest first, or oldest first on request', async () => {
    const newest = await table.repos.runs.list('numbered');
    const oldest = await table.repos.runs.list('numbered', { oldestFirst: true, limit: 2 });

    expect(newest.items.map((r) => r.cycleNumber)).toEqual([3, 2, 1]);
    expect(oldest.items.map((r) => r.cycleNumber)).toEqual([1, 2]);
    expect(oldest.nextCursor).toBeDefined();
  });

  it('refuses to update a run that was never started', async () => {
    await expect(
      table.repos.runs.finish('nobody', '2026010509', { status: 'SUCCEEDED' }),
    ).rejects.toMatchObject({
      field: 'hourKey',
    });
  });
});
