import { agentctl } from '../helpers/agentctl.js';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hourKey, VirtualClock } from '../../shared/clock.js';
import { KillSwitch } from '../../shared/adapters/parameters/kill-switch.js';
import { FileParameterStore } from '../../shared/adapters/parameters/parameter-store.js';
import { createCycleRepositories } from '../../shared/cycle/create-runtime.js';
import { cycleExecutionName } from '../../shared/cycle/fan-out.js';
import type { CheckReport } from '../../infra/cli/check-report.js';
import { checkHealth } from '../../infra/cli/health.js';
import { openOperatorContext } from '../../infra/cli/operator-context.js';
import { startLocalStack } from '../../infra/local/local-stack.js';
import { LOCAL_KILL_SWITCH_PARAMETER } from '../../infra/local/local-runtime.js';
import { QUEUE_SNAPSHOT_FILE } from '../../infra/local/queue-snapshot.js';

const START = new Date('2026-01-05T08:00:00.000Z');
const TWO_HOURS_LATER = new Date(START.getTime() + 2 * 3_600_000);
const POISON = JSON.stringify({ version: 1, tenantId: 'steady', to: 'not-an-address' });

describe('agentctl: health, preflight and dlq redrive on a local data dir', () => {
  let dataDir: string;

  beforeAll(async () => {
    // Prepare a data dir as a crashed cycle leaves it: tenant "stuck" has a RUNNING run from 08:00
    // whose lock was never released (lease expired 08:15); tenant "steady" ran fine at 10:00; a
    // poison message sits in the send DLQ.
    dataDir = await mkdtemp(join(tmpdir(), 'agent-ops-'));
    const stack = await startLocalStack({ dataDir });
    try {
      const clock = new VirtualClock(START);
      const repos = createCycleRepositories({
        doc: stack.clients.doc,
        tableName: stack.tableName,
        clock,
      });
      await new KillSwitch(
        new FileParameterStore(join(dataDir, 'parameters.json')),
        LOCAL_KILL_SWITCH_PARAMETER,
      ).set(false, { now: START });
      await repos.tenants.put('stuck', { name: 'Stuck', agentEnabled: true });
      await repos.tenants.put('steady', { name: 'Steady', agentEnabled: true });
      const stuckRun = cycleExecutionName('stuck', hourKey(START));
      await repos.runs.start('stuck', {
        hourKey: hourKey(START),
        runId: stuckRun,
        executionName: stuckRun,
      });
      await repos.locks.acquire('stuck', stuckRun, 15 * 60_000);
      clock.set(TWO_HOURS_LATER);
      const steadyHour = hourKey(TWO_HOURS_LATER);
      await repos.runs.start('steady', {
        hourKey: steadyHour,
        runId: cycleExecutionName('steady', steadyHour),
      });
      await repos.runs.finish('steady', steadyHour, { status: 'SUCCEEDED' });
      await stack.clients.sqs.send(
        new SendMessageCommand({ QueueUrl: stack.queues.send.dlqUrl, MessageBody: POISON }),
      );
    } finally {
      await stack.stop();
    }
  }, 60_000);

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps the DLQ message in the data dir after the local stack stops', async () => {
    // Act
    const snapshot = JSON.parse(await readFile(join(dataDir, QUEUE_SNAPSHOT_FILE), 'utf8')) as {
      queues: Record<string, { body: string }[]>;
    };

    // Assess
    expect(snapshot.queues['agent-local-send-dlq']).toEqual([{ body: POISON }]);
  });

  it('reports degraded and exits non-zero for a stale lock and a DLQ message', async () => {
    // Act
    const { code, out } = await agentctl('health', '--local', dataDir);

    // Assess
    expect(code).toBe(1);
    expect(out).toContain('as of 2026-01-05T10:00:00.000Z');
    expect(out).toMatch(/^WARN {2}tenant stuck: stale lock of run stuck-2026010508/m);
    expect(out).toMatch(/^FAIL {2}tenant stuck: last run 2026010508 #1 RUNNING/m);
    expect(out).toMatch(/^FAIL {2}dlq send: 1 message in the dead-letter queue$/m);
    expect(out).toMatch(/^ {6}fix: find the cause .*agentctl dlq redrive send --dry-run/m);
    expect(out).toMatch(/^PASS {2}tenant steady: last run 2026010510 #1 SUCCEEDED$/m);
    expect(out).toMatch(/^SKIP {2}alarms:/m);
    expect(out).toMatch(/^DEGRADED: /m);
  });

  it('prints the same findings as JSON with --json', async () => {
    // Act
    const { code, out } = await agentctl('health', '--json', '--local', dataDir);
    const report = JSON.parse(out) as CheckReport;

    // Assess
    expect(code).toBe(1);
    expect(report.status).toBe('degraded');
    const byId = Object.fromEntries(report.checks.map((check) => [check.id, check.status]));
    expect(byId).toMatchObject({
      'kill-switch': 'PASS',
      tenants: 'PASS',
      'tenant:stuck:lock': 'WARN',
      'tenant:stuck:last-run': 'FAIL',
      'tenant:steady:last-run': 'PASS',
      'dlq:send': 'FAIL',
      'dlq:ingest': 'PASS',
      alarms: 'SKIP',
    });
  });

  it('reports the alarms in ALARM as a FAIL line when an alarm reader is given', async () => {
    // Prepare
    const context = await openOperatorContext({ local: dataDir });
    try {
      // Act
      const report = await checkHealth({
        context,
        alarms: {
          firing: async () => [
            { name: 'EngagementAgent-dev-CycleFailureRate', reason: 'Threshold Crossed' },
          ],
        },
      });

      // Assess
      expect(report.checks.find((check) => check.id === 'alarms')).toMatchObject({
        status: 'FAIL',
        summary: 'alarms in ALARM: EngagementAgent-dev-CycleFailureRate',
      });
    } finally {
      await context.close();
    }
  });

  it('prints a FAIL with a fix for a tenant whose Gmail is not configured (preflight --local)', async () => {
    // Act
    const { code, out } = await agentctl('preflight', '--local', dataDir);

    // Assess
    expect(code).toBe(1);
    expect(out).toMatch(/^FAIL {2}Gmail steady: not configured$/m);
    expect(out).toMatch(/^ {6}fix: connect steady's inbox: .*docs\/RUNBOOK\.md#gmail-oauth-setup/m);
    expect(out).toMatch(/^PASS {2}kill switch readable: off$/m);
    expect(out).toMatch(/^SKIP {2}SES identity:/m);
    expect(out).toMatch(/^NOT READY: /m);
  });

  it('counts without moving on --dry-run, then moves the message back and keeps it moved', async () => {
    // Act
    const dry = await agentctl('dlq', 'redrive', 'send', '--dry-run', '--local', dataDir);
    const moved = await agentctl('dlq', 'redrive', 'send', '--json', '--local', dataDir);
    const again = await agentctl('health', '--json', '--local', dataDir);
    const unknown = await agentctl('dlq', 'redrive', 'nope', '--local', dataDir);

    // Assess
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('dry run: 1 message in the send dead-letter queue would move back');
    expect(dry.out).toContain('"to":"not-an-address"');
    expect(moved.code).toBe(0);
    expect(JSON.parse(moved.out)).toMatchObject({ queue: 'send', found: 1, moved: 1 });
    const checks = (JSON.parse(again.out) as CheckReport).checks;
    expect(checks.find((check) => check.id === 'dlq:send')?.status).toBe('PASS');
    const snapshot = JSON.parse(await readFile(join(dataDir, QUEUE_SNAPSHOT_FILE), 'utf8')) as {
      queues: Record<string, { body: string }[]>;
    };
    expect(snapshot.queues['agent-local-send']).toEqual([{ body: POISON }]);
    expect(snapshot.queues['agent-local-send-dlq']).toEqual([]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('no queue named "nope"; known: send, ingest');
  });
});
