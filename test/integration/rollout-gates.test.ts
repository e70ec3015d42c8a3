import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../shared/clock.js';
import { KillSwitch } from '../../shared/adapters/parameters/kill-switch.js';
import { FileParameterStore } from '../../shared/adapters/parameters/parameter-store.js';
import { createCycleRepositories } from '../../shared/cycle/create-runtime.js';
import type { OperatorAuditRecord } from '../../shared/storage/audit-repository.js';
import { startLocalStack } from '../../infra/local/local-stack.js';
import { LOCAL_KILL_SWITCH_PARAMETER } from '../../infra/local/local-runtime.js';
import { runCanaryCommand } from '../../infra/cli/canary-command.js';
import type { CanaryResult } from '../../infra/cli/canary.js';
import { agentctl } from '../helpers/agentctl.js';

/** Reads the tenant's ladder-change records straight from the data dir's table. */
async function ladderChanges(dataDir: string, tenantId: string): Promise<OperatorAuditRecord[]> {
  const stack = await startLocalStack({ dataDir });
  try {
    const repos = createCycleRepositories({
      doc: stack.clients.doc,
      tableName: stack.tableName,
      clock: new SystemClock(),
    });
    return await repos.audits.listOperatorRecords(tenantId, 'ladder_change', new Date(0));
  } finally {
    await stack.stop();
  }
}

describe('agentctl: rollout gates and the canary on a local data dir', () => {
  let dataDir: string;

  beforeAll(async () => {
    // Prepare: a data dir with the kill switch off and one tenant in shadow, dry_run.
    dataDir = await mkdtemp(join(tmpdir(), 'agent-gates-'));
    const stack = await startLocalStack({ dataDir });
    try {
      const repos = createCycleRepositories({
        doc: stack.clients.doc,
        tableName: stack.tableName,
        clock: new SystemClock(),
      });
      await new KillSwitch(
        new FileParameterStore(join(dataDir, 'parameters.json')),
        LOCAL_KILL_SWITCH_PARAMETER,
      ).set(false, { now: new Date() });
      await repos.tenants.put('pilot', {
        name: 'Pilot Co',
        agentEnabled: true,
        sendMode: 'dry_run',
        rollout: { phase: 'shadow' },
      });
    } finally {
      await stack.stop();
    }
  }, 60_000);

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses to advance with exit 1, naming each failing criterion, and changes nothing', async () => {
    const result = await agentctl(
      'rollout',
      'advance',
      'pilot',
      '--to',
      'assisted',
      '--json',
      '--local',
      dataDir,
    );

    expect(result.code).toBe(1);
    const decision = JSON.parse(result.out) as { moved: boolean; failing: string[] };
    expect(decision.moved).toBe(false);
    expect(decision.failing).toEqual([
      'kill_switch_tested',
      'agreement',
      'unsubscribe_tested',
      'dkim',
      'dmarc',
      'send_mode',
    ]);
    const text = await agentctl('rollout', 'advance', 'pilot', '--local', dataDir);
    expect(text.out).toContain(
      'refused: rollout of pilot stays shadow; parallel needs kill_switch_tested',
    );
    expect(text.out).toContain(
      'FAIL  kill_switch_tested: kill switch: never tested (run agentctl canary)',
    );
    const shown = await agentctl('tenant', 'show', 'pilot', '--json', '--local', dataDir);
    expect(JSON.parse(shown.out)).toMatchObject({
      rollout: { phase: 'shadow' },
      sendMode: 'dry_run',
    });
  }, 60_000);

  it('answers bad usage with exit 2 naming the field', async () => {
    const noReason = await agentctl('rollout', 'advance', 'pilot', '--force', '--local', dataDir);
    const badRung = await agentctl(
      'send-mode',
      'advance',
      'pilot',
      '--to',
      'live',
      '--local',
      dataDir,
    );

    expect(noReason).toMatchObject({ code: 2, err: expect.stringContaining('--reason') });
    expect(badRung).toMatchObject({
      code: 2,
      err: expect.stringContaining('--to: expected one of dry_run'),
    });
  }, 60_000);

  it('names the failing check and exits 1 when the unsubscribe link does not suppress', async () => {
    const out: string[] = [];
    const io = {
      out: { write: (t: string) => out.push(t) },
      err: { write: () => true },
      tty: false,
    } as never;

    // Act: the unsubscribe endpoint answers 200 but records nothing.
    const code = await runCanaryCommand({ json: true }, { local: dataDir }, io, {
      wrapUnsubscribe: () => async () => ({ statusCode: 200, headers: {}, body: 'ok' }),
    });

    // Assess
    const result = JSON.parse(out.join('')) as CanaryResult;
    expect(code).toBe(1);
    expect(result.passed).toBe(false);
    expect(result.checks.filter((c) => c.status === 'FAIL').map((c) => c.id)).toEqual([
      'unsubscribe_link',
    ]);
    expect(result.checks.find((c) => c.id === 'suppression_honoured')?.status).toBe('SKIP');
    expect(result.checks.find((c) => c.id === 'cleanup')?.status).toBe('PASS');
  }, 180_000);

  it('passes every canary check on the embedded stack, and the result lets the tenant advance one rung', async () => {
    const canary = await agentctl('canary', '--json', '--local', dataDir);

    expect(canary.code).toBe(0);
    const result = JSON.parse(canary.out) as CanaryResult;
    expect(result.checks.map((c) => [c.id, c.status])).toEqual([
      ['kill_switch_readable', 'PASS'],
      ['plan', 'PASS'],
      ['policy', 'PASS'],
      ['gate', 'PASS'],
      ['ses', 'PASS'],
      ['unsubscribe_link', 'PASS'],
      ['suppression_honoured', 'PASS'],
      ['kill_switch_honoured', 'PASS'],
      ['cleanup', 'PASS'],
    ]);
    // The kill switch is back off and the canary tenant is gone.
    expect((await agentctl('kill-switch', 'status', '--json', '--local', dataDir)).out).toContain(
      '"on": false',
    );
    expect((await agentctl('tenant', 'show', 'canary', '--local', dataDir)).code).toBe(2);

    // The canary's kill-switch proof is what shadow → parallel needs.
    const advanced = await agentctl('rollout', 'advance', 'pilot', '--local', dataDir);
    expect(advanced).toMatchObject({
      code: 0,
      out: expect.stringContaining('rollout of pilot: shadow → parallel'),
    });
    // assisted still needs agreement, DKIM/DMARC and a send mode above dry_run.
    const status = await agentctl('rollout', 'status', 'pilot', '--json', '--local', dataDir);
    const ladders = (
      JSON.parse(status.out) as {
        ladders: { ladder: string; current: string; next?: { failing: string[] } }[];
      }
    ).ladders;
    expect(ladders.map((l) => [l.ladder, l.current, l.next?.failing])).toEqual([
      ['rollout', 'parallel', ['agreement', 'dkim', 'dmarc', 'send_mode']],
      // Created moments ago: not yet 24 h in dry_run.
      ['send-mode', 'dry_run', ['time_in_mode', 'dkim', 'dmarc']],
    ]);
  }, 240_000);

  it('moves past failing criteria only with --force --reason, and audits who, why and what failed', async () => {
    const forced = await agentctl(
      'rollout',
      'advance',
      'pilot',
      '--to',
      'assisted',
      '--force',
      '--reason',
      'pilot sign-off, ticket 42',
      '--local',
      dataDir,
    );
    const demoted = await agentctl(
      'rollout',
      'advance',
      'pilot',
      '--to',
      'shadow',
      '--local',
      dataDir,
    );

    expect(forced).toMatchObject({
      code: 0,
      out: expect.stringContaining('FORCED past agreement, dkim, dmarc, send_mode'),
    });
    expect(demoted).toMatchObject({
      code: 0,
      out: expect.stringContaining('(step down, no criteria)'),
    });
    const changes = (await ladderChanges(dataDir, 'pilot')).map((record) => ({
      reason: record.reason,
      ...record.detail,
    }));
    expect(changes).toEqual([
      expect.objectContaining({ from: 'shadow', to: 'parallel', forced: false, failing: [] }),
      expect.objectContaining({
        from: 'parallel',
        to: 'assisted',
        forced: true,
        reason: 'pilot sign-off, ticket 42',
        failing: ['agreement', 'dkim', 'dmarc', 'send_mode'],
      }),
      expect.objectContaining({
        from: 'assisted',
        to: 'shadow',
        direction: 'demote',
        forced: false,
      }),
    ]);
  }, 60_000);
});
