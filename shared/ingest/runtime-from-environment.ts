import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STSClient } from '@aws-sdk/client-sts';
import { Agent } from 'node:https';
import {
  perTenantCache,
  StsTenantCredentials,
  TENANT_DATA_ROLE_VARIABLE,
  type AwsCredentialIdentityProvider,
} from '../adapters/credentials/tenant-credentials.js';
import { SystemClock } from '../clock.js';
import { ConfigError } from '../errors.js';
import { KILL_SWITCH_CACHE_SECONDS, KillSwitch } from '../adapters/parameters/kill-switch.js';
import { SsmParameterStore } from '../adapters/parameters/parameter-store.js';
import type { BatchQueue } from '../adapters/queue/batch-queue.js';
import { SecretsManagerSecretStore } from '../adapters/secrets/secret-store.js';
import { powertoolsMetricSink, type Observability } from '../observability/observability.js';
import { GmailConnections } from './gmail-connections.js';
import { loadIngestConfig, type IngestConfig } from './ingest-config.js';
import { createIngestRepositories, type IngestRuntime } from './runtime.js';

/** Most tenant runtimes one container keeps (each a table and a Secrets Manager client over one pool). */
const TENANT_RUNTIME_CACHE_SIZE = 64;

/** Builds the queue the poller enqueues message ids on, from the function's configuration. */
export type IngestQueueFactory = (
  config: IngestConfig,
  observability: Observability,
) => BatchQueue | undefined;

/**
 * Builds the ingest runtime of the poller or ingest function from its environment (`TABLE_NAME`,
 * `KILL_SWITCH_PARAMETER`, `GMAIL_SECRET_PREFIX`, optional local endpoints). Call once per
 * module. Only the poller enqueues: it passes `ingestQueue` (`sqsIngestQueue`, which reads
 * `INGEST_QUEUE_URL`), so the ingest function's bundle has no SQS client; without one,
 * enqueueing fails loudly. With
 * `TENANT_DATA_ROLE_ARN` set the runtime has `forTenant`: the same runtime with the table and
 * Secrets Manager clients signed by that role assumed for the tenant, so a tenant's invocation
 * can read only its own items and its own refresh token.
 */
export function ingestRuntimeFromEnvironment(
  observability: Observability,
  env: NodeJS.ProcessEnv = process.env,
  ingestQueue?: IngestQueueFactory,
): IngestRuntime {
  const config = loadIngestConfig(env, {
    warn: (message, detail) => observability.logger.warn(message, detail),
  });
  const { tracer } = observability;
  const clock = new SystemClock();
  // One connection pool for every tenant's clients.
  const httpsAgent = new Agent({ keepAlive: true, maxSockets: 50 });
  const scopedClients = (credentials?: AwsCredentialIdentityProvider) => {
    const dynamodb = tracer.captureAWSv3Client(
      new DynamoDBClient({
        region: config.region,
        requestHandler: { httpsAgent },
        ...(credentials ? { credentials } : {}),
        ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
      }),
    );
    const doc = DynamoDBDocumentClient.from(dynamodb, {
      marshallOptions: { removeUndefinedValues: true },
    });
    const repos = createIngestRepositories({ doc, tableName: config.tableName, clock });
    const secrets = new SecretsManagerSecretStore(
      tracer.captureAWSv3Client(
        new SecretsManagerClient({
          region: config.region,
          requestHandler: { httpsAgent },
          ...(credentials ? { credentials } : {}),
        }),
      ),
    );
    const connections = new GmailConnections({
      state: repos.mailboxes,
      secrets,
      secretPrefix: config.gmailSecretPrefix,
      clock,
      ...(config.gmailApiRootUrl ? { rootUrl: config.gmailApiRootUrl } : {}),
      ...(config.gmailTokenUrl ? { tokenUrl: config.gmailTokenUrl } : {}),
    });
    return { repos, connections };
  };
  const queue: BatchQueue = ingestQueue?.(config, observability) ?? {
    sendAll: () =>
      Promise.reject(new ConfigError('INGEST_QUEUE_URL', 'is not set for this function')),
  };
  const ssm = tracer.captureAWSv3Client(new SSMClient({ region: config.region }));
  const base: IngestRuntime = {
    clock,
    ...scopedClients(),
    ingestQueue: queue,
    killSwitch: new KillSwitch(
      new SsmParameterStore(ssm, { maxAgeSeconds: KILL_SWITCH_CACHE_SECONDS }),
      config.killSwitchParameter,
    ),
    metric: powertoolsMetricSink(observability.metrics),
    logger: observability.logger,
    settings: {
      leaseMs: config.leaseSeconds * 1_000,
      fullSyncDays: config.fullSyncDays,
      fullSyncMaxMessages: config.fullSyncMaxMessages,
      historyMaxPages: config.historyMaxPages,
      pollConcurrency: config.pollConcurrency,
      memoryBudgetBytes: config.memoryBudgetMb * 1024 * 1024,
    },
  };
  const roleArn = env[TENANT_DATA_ROLE_VARIABLE];
  if (!roleArn) return base;
  const credentials = new StsTenantCredentials(
    tracer.captureAWSv3Client(new STSClient({ region: config.region })),
    { roleArn, sessionPrefix: env['POWERTOOLS_SERVICE_NAME'] ?? 'ingest' },
  );
  return {
    ...base,
    forTenant: perTenantCache(
      (tenantId) => ({ ...base, ...scopedClients(credentials.forTenant(tenantId)) }),
      TENANT_RUNTIME_CACHE_SIZE,
    ),
  };
}
