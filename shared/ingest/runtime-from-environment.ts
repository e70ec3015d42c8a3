import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SystemClock } from '../clock.js';
import { ConfigError } from '../errors.js';
import { KILL_SWITCH_CACHE_SECONDS, KillSwitch } from '../adapters/parameters/kill-switch.js';
import { SsmParameterStore } from '../adapters/parameters/parameter-store.js';
import { SqsBatchQueue, type BatchQueue } from '../adapters/queue/batch-queue.js';
import { SecretsManagerSecretStore } from '../adapters/secrets/secret-store.js';
import { powertoolsMetricSink, type Observability } from '../observability/observability.js';
import { GmailConnections } from './gmail-connections.js';
import { loadIngestConfig } from './ingest-config.js';
import { createIngestRepositories, type IngestRuntime } from './runtime.js';

/**
 * Builds the ingest runtime of the poller or ingest function from its environment (`TABLE_NAME`,
 * `KILL_SWITCH_PARAMETER`, `INGEST_QUEUE_URL`, `GMAIL_SECRET_PREFIX`, optional local endpoints).
 * Call once per module. Without an ingest queue, enqueueing fails loudly.
 */
export function ingestRuntimeFromEnvironment(
  observability: Observability,
  env: NodeJS.ProcessEnv = process.env,
): IngestRuntime {
  const config = loadIngestConfig(env, {
    warn: (message, detail) => observability.logger.warn(message, detail),
  });
  const { tracer } = observability;
  const dynamodb = tracer.captureAWSv3Client(
    new DynamoDBClient({
      region: config.region,
      ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
    }),
  );
  const doc = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const clock = new SystemClock();
  const repos = createIngestRepositories({ doc, tableName: config.tableName, clock });
  const ingestQueue: BatchQueue = config.ingestQueueUrl
    ? new SqsBatchQueue(
        tracer.captureAWSv3Client(
          new SQSClient({
            region: config.region,
            ...(config.sqsEndpoint ? { endpoint: config.sqsEndpoint } : {}),
          }),
        ),
        config.ingestQueueUrl,
      )
    : {
        sendAll: () =>
          Promise.reject(new ConfigError('INGEST_QUEUE_URL', 'is not set for this function')),
      };
  const ssm = tracer.captureAWSv3Client(new SSMClient({ region: config.region }));
  const secrets = new SecretsManagerSecretStore(
    tracer.captureAWSv3Client(new SecretsManagerClient({ region: config.region })),
  );
  return {
    clock,
    repos,
    connections: new GmailConnections({
      state: repos.mailboxes,
      secrets,
      secretPrefix: config.gmailSecretPrefix,
      clock,
      ...(config.gmailApiRootUrl ? { rootUrl: config.gmailApiRootUrl } : {}),
      ...(config.gmailTokenUrl ? { tokenUrl: config.gmailTokenUrl } : {}),
    }),
    ingestQueue,
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
}
