import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '../../shared/observability/tracing/tracer.js';
import { VirtualClock } from '../../shared/clock.js';
import { KillSwitch } from '../../shared/adapters/parameters/kill-switch.js';
import { MemoryParameterStore } from '../../shared/adapters/parameters/parameter-store.js';
import { MemorySecretStore } from '../../shared/adapters/secrets/secret-store.js';
import { gmailClientSecretName } from '../../shared/adapters/gmail/secret-layout.js';
import { METRIC_NAMESPACE, type Observability } from '../../shared/observability/observability.js';
import type { IngestHandler } from '../../shared/ingest/handlers.js';
import { pollMailboxes, type PollSummary } from '../../shared/ingest/poll-mailboxes.js';
import type { IngestRuntime, IngestSettings } from '../../shared/ingest/runtime.js';
import type { TenantSettingsInput } from '../../shared/domain/tenant.js';
import { startLocalStack, type LocalStack } from '../../infra/local/local-stack.js';
import { LOCAL_KILL_SWITCH_PARAMETER, MetricTally } from '../../infra/local/local-runtime.js';
import { LocalGmailServer, type LocalMailboxMessage } from '../../infra/local/gmail-server.js';
import {
  drainIngestQueue,
  LOCAL_GMAIL_CLIENT,
  LOCAL_GMAIL_SECRET_PREFIX,
  localIngestHandler,
  localIngestRuntime,
  type DrainSummary,
} from '../../infra/local/local-ingest.js';

/** An embedded stack, a local Gmail server and the real poller and ingest handler over them. */
export interface IngestHarness {
  readonly stack: LocalStack;
  readonly clock: VirtualClock;
  readonly gmail: LocalGmailServer;
  readonly secrets: MemorySecretStore;
  readonly parameters: MemoryParameterStore;
  readonly runtime: IngestRuntime;
  readonly handler: IngestHandler;
  readonly metrics: MetricTally;
  /** Every line the Powertools loggers printed (poller and ingest run at DEBUG). */
  readonly logLines: string[];
  /** Creates an enabled tenant, a mailbox with `messages`, and connects it. */
  connectTenant(
    tenantId: string,
    messages: readonly LocalMailboxMessage[],
    options?: { settings?: Partial<TenantSettingsInput>; address?: string },
  ): Promise<{ address: string; refreshToken: string }>;
  poll(): Promise<PollSummary>;
  drain(): Promise<DrainSummary>;
  setKillSwitch(on: boolean): Promise<void>;
  dispose(): Promise<void>;
}

/** The refresh token the harness gives a tenant: distinctive, so log scans can look for it. */
export function testRefreshToken(tenantId: string): string {
  return `1//0test-refresh-${tenantId}-SECRET-7c1f`;
}

/** Starts a fresh embedded stack (own table and queues) with a Gmail server on a virtual clock. */
export async function createIngestHarness(
  options: { start?: string; settings?: Partial<IngestSettings> } = {},
): Promise<IngestHarness> {
  const stack = await startLocalStack({ queuePrefix: `ingest-${randomUUID().slice(0, 8)}` });
  const clock = new VirtualClock(options.start ?? '2026-01-05T08:00:00.000Z');
  const gmail = await LocalGmailServer.start({ clock, ...LOCAL_GMAIL_CLIENT });
  const parameters = new MemoryParameterStore();
  const killSwitch = new KillSwitch(parameters, LOCAL_KILL_SWITCH_PARAMETER);
  await killSwitch.set(false, { now: clock.now() });
  const secrets = new MemorySecretStore({
    [gmailClientSecretName(LOCAL_GMAIL_SECRET_PREFIX)]: LOCAL_GMAIL_CLIENT,
  });
  const logLines: string[] = [];
  const observability = capturingObservability('ingest', logLines);
  const metrics = new MetricTally();
  const runtime = localIngestRuntime({
    stack,
    clock,
    parameters,
    gmail: { rootUrl: gmail.rootUrl, tokenUrl: gmail.tokenUrl },
    secrets,
    metric: metrics.sink,
    observability,
    ...(options.settings ? { settings: options.settings } : {}),
  });
  const handler = localIngestHandler(runtime, observability);
  return {
    stack,
    clock,
    gmail,
    secrets,
    parameters,
    runtime,
    handler,
    metrics,
    logLines,
    async connectTenant(tenantId, messages, connectOptions = {}) {
      const domain = connectOptions.settings?.internalDomains?.[0] ?? `${tenantId}.example`;
      const address = connectOptions.address ?? `team@${domain}`;
      await runtime.repos.tenants.put(tenantId, {
        name: tenantId,
        agentEnabled: true,
        internalDomains: [domain],
        ...connectOptions.settings,
      });
      const refreshToken = testRefreshToken(tenantId);
      gmail.addMailbox(address, messages, { refreshToken });
      await runtime.connections.connect(tenantId, { refreshToken, emailAddress: address });
      return { address, refreshToken };
    },
    poll: () => pollMailboxes(runtime),
    drain: () => drainIngestQueue(stack, handler),
    setKillSwitch: async (on) => {
      await killSwitch.set(on, { now: clock.now(), reason: 'test' });
    },
    async dispose() {
      await gmail.stop();
      await stack.stop();
    },
  };
}

/**
 * Powertools instances whose logger writes every line (DEBUG and up) into `lines` instead of
 * stdout, unredacted: a test that finds no token there proves the code never logs one.
 */
export function capturingObservability(serviceName: string, lines: string[]): Observability {
  process.env['POWERTOOLS_METRICS_DISABLED'] ??= 'true';
  const logger = new Logger({ serviceName, logLevel: 'DEBUG' });
  const sink = {
    log: (line: string) => lines.push(line),
    error: (line: string) => lines.push(line),
  };
  for (const method of ['info', 'warn', 'error', 'debug', 'log', 'trace'] as const) {
    (logger as unknown as { console: Record<string, (line: string) => void> }).console[method] = (
      line: string,
    ) => sink.log(line);
  }
  return {
    logger,
    metrics: new Metrics({ serviceName, namespace: METRIC_NAMESPACE, logger }),
    tracer: new Tracer({ serviceName, enabled: false }),
  };
}
