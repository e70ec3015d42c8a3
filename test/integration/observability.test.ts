import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { draftTouch } from '../../shared/drafting/draft-touch.js';
import { DRAFT_CIRCUIT_POLICY, ProviderCircuits } from '../../shared/drafting/provider-circuits.js';
import { templateProvider, type DraftProvider } from '../../shared/drafting/providers.js';
import { DEFAULT_MESSAGING_PACK } from '../../shared/domain/drafting/messaging-pack.js';
import { hourKey } from '../../shared/clock.js';
import { KillSwitch } from '../../shared/adapters/parameters/kill-switch.js';
import { SqsMessageQueue } from '../../shared/adapters/queue/message-queue.js';
import { createCycleRuntime } from '../../shared/cycle/create-runtime.js';
import { cycleExecutionName } from '../../shared/cycle/fan-out.js';
import type { CycleRuntime, MetricSink } from '../../shared/cycle/runtime.js';
import {
  createObservability,
  METRIC_NAMESPACE,
  powertoolsMetricSink,
  type Observability,
} from '../../shared/observability/observability.js';
import { METRIC_NAMES } from '../../shared/observability/metric-names.js';
import { REDACTED } from '../../shared/observability/redaction.js';
import { keys } from '../../shared/storage/keys.js';
import { LOCAL_KILL_SWITCH_PARAMETER } from '../../infra/local/local-runtime.js';
import { LocalExecutor } from '../../infra/local/local-executor.js';
import { synthesizeStateMachineDefinitions } from '../../infra/local/state-machine-definitions.js';
import { AgentStack } from '../../infra/stacks/agent-stack.js';
import { agentStackName, parseStageConfig } from '../../infra/stage-config.js';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { captureConsole, emfMetrics, type ConsoleCapture } from '../helpers/capture-console.js';
import { createCycleHarness, type CycleHarness } from '../helpers/cycle-harness.js';
import { ACME_ACCOUNT, seedAccountsAndContacts, seedNewOrder } from '../helpers/cycle-seed.js';

const START = '2026-01-05T08:00:00.000Z';
const FIRST_HOUR = hourKey(new Date(START));
const SECOND_HOUR = hourKey(new Date(new Date(START).getTime() + 3_600_000));
/** A secret in the functions' configuration (environment), as an OAuth client secret would be. */
const CLIENT_SECRET = 'gmail-client-secret-Zx81Qp42';
/** A secret in the tenant's stored configuration, as a Gmail refresh token would be. */
const REFRESH_TOKEN = '1//0gTenantRefreshTokenAbcdefghijklmnop';
const ENV = { APP_NAME: 'engagement-agent', STAGE: 'dev' };

/** A tenant with overdue contacts (one a competitor, so policy blocks it) and a new order. */
async function seedTenant(runtime: CycleRuntime, tenantId: string): Promise<void> {
  const { repos } = runtime;
  await repos.tenants.put(tenantId, {
    name: tenantId,
    agentEnabled: true,
    // An excluded industry is the policy engine's call at Act (a block with a violation).
    doNotContact: { excludedIndustries: ['gambling'] },
  });
  await seedAccountsAndContacts(
    repos,
    tenantId,
    START,
    [
      ACME_ACCOUNT,
      { accountId: 'acc-2', name: 'Lucky Casino', status: 'prospect', industry: 'gambling' },
    ],
    [
      ['c-1', 'ana@acme.example', 30, 'acc-1'],
      ['c-2', 'pit@casino.example', 50, 'acc-2'],
    ],
  );
  await seedNewOrder(repos, tenantId, START);
  // A product the catalog does not have: validation ends in an exception.
  await repos.orders.put(tenantId, {
    orderId: 'o-2',
    accountId: 'acc-1',
    paymentMethod: 'card',
    productCode: 'P9',
    fee: 100,
    techFee: 10,
    total: 110,
    propertyAddress: '2 Main St',
    borrower: { name: 'Bo Borrower', phone: '+1 312 555 0100' },
    propertyContact: { name: 'Pat Owner', phone: '+1 312 555 0101' },
    createdAt: START,
  });
}

/**
 * The harness's runtime over another metric sink, with `listIdsByStatus` of the order repository
 * failing (echoing both secrets, as a careless SDK error would) while `failing.on` is set.
 */
function runtimeWith(
  harness: CycleHarness,
  metric: MetricSink,
  failing: { on: boolean } = { on: false },
): CycleRuntime {
  const base = createCycleRuntime({
    doc: harness.stack.clients.doc,
    tableName: harness.stack.tableName,
    clock: harness.clock,
    killSwitch: new KillSwitch(harness.parameters, LOCAL_KILL_SWITCH_PARAMETER),
    sendQueue: new SqsMessageQueue(harness.stack.clients.sqs, harness.stack.queues.send.url),
    lockTtlSeconds: 900,
    metric,
  });
  const orders = new Proxy(base.repos.orders, {
    get(target, property, receiver) {
      if (property === 'listIdsByStatus' && failing.on)
        return async () => {
          throw new Error(
            `order source refused refresh token ${REFRESH_TOKEN} (client secret ${CLIENT_SECRET})`,
          );
        };
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
  return { ...base, repos: { ...base.repos, orders } };
}

describe('Observability: log lines of a cycle', () => {
  let harness: CycleHarness;
  let capture: ConsoleCapture;
  const tenantId = 'logged';

  beforeAll(async () => {
    harness = await createCycleHarness({ start: START });
    await seedTenant(harness.runtime, tenantId);
    // The tenant's stored configuration carries a token too (written as a later capability would).
    const settings = await harness.runtime.repos.tenants.require(tenantId);
    await harness.stack.clients.doc.send(
      new PutCommand({
        TableName: harness.stack.tableName,
        Item: {
          ...keys.tenantSettings(tenantId),
          ...keys.enabledTenantIndex(tenantId),
          entity: 'tenant',
          ...settings,
          gmail: { refreshToken: REFRESH_TOKEN },
        },
      }),
    );
  });

  afterAll(async () => {
    await harness.dispose();
  });

  afterEach(() => {
    capture?.restore();
    delete process.env['GMAIL_CLIENT_SECRET'];
  });

  it('never prints a secret from the config, and every line carries tenant_id and run_id', async () => {
    // Prepare: the secret is in the functions' environment, DEBUG logging, production loggers.
    process.env['GMAIL_CLIENT_SECRET'] = CLIENT_SECRET;
    capture = captureConsole();
    const failing = { on: false };
    const observability = new Map<string, Observability>();
    const executor = new LocalExecutor({
      definitions: synthesizeStateMachineDefinitions(),
      runtime: runtimeWith(harness, harness.metrics.sink, failing),
      observability: (step) => {
        const created = createObservability(step, { logLevel: 'DEBUG' });
        observability.set(step, created);
        return created;
      },
    });

    // Act: one cycle that succeeds, one whose Plan fails with both secrets in the error.
    const succeeded = await executor.runCycle({ tenantId, hourKey: FIRST_HOUR });
    harness.clock.set(new Date(new Date(START).getTime() + 3_600_000));
    failing.on = true;
    const failed = await executor.runCycle({ tenantId, hourKey: SECOND_HOUR });

    // Assess
    expect(succeeded.status).toBe('SUCCEEDED');
    expect(failed.status).toBe('FAILED');
    const lines = capture.json().filter((line) => 'level' in line);
    expect(lines.length).toBeGreaterThanOrEqual(10);
    for (const raw of capture.raw) {
      expect(raw).not.toContain(CLIENT_SECRET);
      expect(raw).not.toContain(REFRESH_TOKEN);
    }
    const failure = lines.find((line) => line['message'] === 'step failed');
    expect(failure).toMatchObject({ phase: 'plan', tenant_id: tenantId });
    expect(JSON.stringify(failure)).toContain(REDACTED);
    const runIds = new Set([
      cycleExecutionName(tenantId, FIRST_HOUR),
      cycleExecutionName(tenantId, SECOND_HOUR),
    ]);
    for (const line of lines) {
      expect(line['tenant_id'], JSON.stringify(line)).toBe(tenantId);
      expect(runIds.has(String(line['run_id'])), JSON.stringify(line)).toBe(true);
    }
    const completed = lines.filter((line) => line['message'] === 'step completed');
    expect(completed.map((line) => line['phase'])).toEqual(
      expect.arrayContaining(['begin_cycle', 'plan', 'act', 'react', 'reflect']),
    );
    for (const line of completed) expect(typeof line['duration_ms']).toBe('number');
    expect([...observability.keys()]).toEqual(
      expect.arrayContaining(['begin-cycle', 'plan', 'reflect', 'record-failure']),
    );
  });
});

describe('Observability: alarm metrics match what the code publishes', () => {
  let harness: CycleHarness;
  let capture: ConsoleCapture;
  let template: Template;

  beforeAll(async () => {
    harness = await createCycleHarness({ start: START });
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const config = parseStageConfig({});
    template = Template.fromStack(new AgentStack(app, agentStackName(config), { config }));
  });

  afterAll(async () => {
    await harness.dispose();
  });

  afterEach(() => {
    capture?.restore();
  });

  it('publishes every custom metric an alarm reads with exactly the alarm dimensions', async () => {
    // Prepare: production Metrics (EMF captured) behind the cycle's metric sink.
    capture = captureConsole();
    const { metrics } = createObservability('cycle', { env: ENV });
    const sink = powertoolsMetricSink(metrics);
    const emitted: string[] = [];
    const recording: MetricSink = (name, value, dimensions) => {
      emitted.push(name);
      sink(name, value, dimensions);
    };
    const failing = { on: false };
    const runtime = runtimeWith(harness, recording, failing);
    const executor = new LocalExecutor({
      definitions: synthesizeStateMachineDefinitions(),
      runtime,
      observability: (step) => ({ ...createObservability(step, { env: ENV }), metrics }),
    });
    const second = new Date(new Date(START).getTime() + 3_600_000);
    for (const tenant of ['ok', 'failing', 'switched', 'contended'])
      await seedTenant(runtime, tenant);

    // Act: a completed cycle, a failed one, one skipped by the kill switch, one by a held lock.
    await executor.runCycle({ tenantId: 'ok', hourKey: FIRST_HOUR });
    failing.on = true;
    await executor.runCycle({ tenantId: 'failing', hourKey: FIRST_HOUR });
    failing.on = false;
    await runtime.repos.locks.acquire('contended', 'another-run', 3 * 3_600_000);
    harness.clock.set(second);
    await executor.runCycle({ tenantId: 'contended', hourKey: SECOND_HOUR });
    await harness.setKillSwitch(true);
    await executor.runCycle({ tenantId: 'switched', hourKey: SECOND_HOUR });
    await harness.setKillSwitch(false);
    // What the sender and Gmail ingest (issues 5 and 6) publish through the same sink.
    sink(METRIC_NAMES.emailSends, 1, { outcome: 'sent' });
    for (const name of [
      METRIC_NAMES.emailBounces,
      METRIC_NAMES.emailComplaints,
      METRIC_NAMES.providerFailures,
      METRIC_NAMES.sendsUnknown,
      METRIC_NAMES.gmailQuotaErrors,
    ])
      sink(name, 1);
    // What Act's drafting publishes when the Bedrock provider's circuit opens (issue 16).
    const unavailable: DraftProvider = {
      name: 'bedrock',
      metered: false,
      draft: () => Promise.reject(new Error('model unavailable')),
    };
    const drafting = {
      providers: [unavailable, templateProvider],
      circuits: new ProviderCircuits(),
      clock: harness.clock,
      timeoutMs: 1_000,
      metric: sink,
    };
    for (let attempt = 0; attempt < DRAFT_CIRCUIT_POLICY.failures; attempt += 1)
      await draftTouch(drafting, {
        tenantId: 'ok',
        pack: DEFAULT_MESSAGING_PACK,
        quota: { dailyTokens: 1_000, dailyCostUsd: 1 },
        source: { tenantName: 'Ok', touchType: 'check_in', tier: 'default' },
      });
    metrics.publishStoredMetrics();

    // Assess
    const published = capture
      .json()
      .filter((line) => '_aws' in line)
      .flatMap(emfMetrics)
      .map((metric) => JSON.stringify({ ...metric, dimensions: sortKeys(metric.dimensions) }));
    // What the fan-out machine itself publishes (its StartFailed task's PutMetricData; the local
    // runner counts that metric through the runtime's sink instead of CloudWatch).
    published.push(...machinePublishedMetrics(synthesizeStateMachineDefinitions()));
    const alarmMetrics = customAlarmMetrics(template);
    expect(alarmMetrics.length).toBeGreaterThanOrEqual(13);
    for (const metric of alarmMetrics) expect(published, metric).toContain(metric);
    const known = new Set<string>(Object.values(METRIC_NAMES));
    for (const name of emitted) expect(known.has(name), name).toBe(true);
  });
});

/** The metrics the state machines publish with `cloudwatch:putMetricData` tasks, as JSON like {@link customAlarmMetrics}. */
function machinePublishedMetrics(definitions: object): string[] {
  type MetricDatum = { MetricName: string; Dimensions?: { Name: string; Value: string }[] };
  const found: string[] = [];
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const state = node as {
      Resource?: unknown;
      Parameters?: { Namespace?: string; MetricData?: MetricDatum[] };
    };
    if (typeof state.Resource === 'string' && state.Resource.endsWith('cloudwatch:putMetricData'))
      for (const datum of state.Parameters?.MetricData ?? [])
        found.push(
          JSON.stringify({
            namespace: state.Parameters?.Namespace,
            name: datum.MetricName,
            dimensions: sortKeys(
              Object.fromEntries((datum.Dimensions ?? []).map((d) => [d.Name, d.Value])),
            ),
          }),
        );
    for (const value of Object.values(node)) visit(value);
  };
  visit(definitions);
  return found;
}

/** The custom (EngagementAgent) metrics of every alarm, as JSON of `{ namespace, name, dimensions }`. */
function customAlarmMetrics(template: Template): string[] {
  type Dimension = { Name: string; Value: string };
  type MetricStat = {
    Metric: { Namespace: string; MetricName: string; Dimensions?: Dimension[] };
  };
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as {
    Properties: {
      Namespace?: string;
      MetricName?: string;
      Dimensions?: Dimension[];
      Metrics?: { MetricStat?: MetricStat }[];
    };
  }[];
  const found = new Set<string>();
  const add = (namespace: string, name: string, dimensions: Dimension[] = []) => {
    if (namespace !== METRIC_NAMESPACE) return;
    const sorted = Object.fromEntries(
      dimensions.map((dimension) => [dimension.Name, dimension.Value]),
    );
    found.add(JSON.stringify({ namespace, name, dimensions: sortKeys(sorted) }));
  };
  for (const { Properties: p } of alarms) {
    if (p.Namespace && p.MetricName) add(p.Namespace, p.MetricName, p.Dimensions);
    for (const entry of p.Metrics ?? []) {
      const stat = entry.MetricStat?.Metric;
      if (stat) add(stat.Namespace, stat.MetricName, stat.Dimensions);
    }
  }
  return [...found];
}

function sortKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
