import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
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
import { SqsMessageQueue } from '../adapters/queue/message-queue.js';
import { SqsDeadLetterSink } from '../adapters/queue/sqs-dead-letter-sink.js';
import { SesEmailSender } from '../adapters/ses/email-sender.js';
import { powertoolsMetricSink, type Observability } from '../observability/observability.js';
import { sesTenantName } from '../domain/ses-tenant.js';
import { SendProcessor, type SenderPorts } from './send-processor.js';
import { tenantRoutedSender, type SendHandling } from './tenant-routed-sender.js';
import { sendingIdentityLimiter } from './stages/identity-limiter.js';
import { SendingIdentityRepository } from '../storage/sending-identity-repository.js';
import { emailSendDisabledFrom, loadSenderConfig } from './sender-config.js';
import { loadSigningKey } from './signing-key-source.js';

/** Most tenant processors one container keeps. */
const TENANT_PROCESSOR_CACHE_SIZE = 64;

/**
 * Builds the sender for a Lambda function from its environment (`TABLE_NAME`, `SEND_QUEUE_URL`,
 * `SEND_DLQ_URL`, `KILL_SWITCH_PARAMETER`, `SEND_MODE`, `EMAIL_FROM_ADDRESS`,
 * `SES_CONFIGURATION_SET`, `UNSUBSCRIBE_BASE_URL`, `UNSUBSCRIBE_SIGNING_SECRET_ARN` …). Reads the
 * signing key from Secrets Manager once; call once per module (cold start). With
 * `TENANT_DATA_ROLE_ARN` set, each record is handled by its tenant's processor, whose table
 * client signs with that role assumed for the tenant (cached per container).
 */
export async function senderFromEnvironment(
  observability: Observability,
  env: Record<string, string | undefined> = process.env,
): Promise<SendHandling> {
  const { logger, tracer } = observability;
  const config = loadSenderConfig(env, { warn: (message, detail) => logger.warn(message, detail) });
  if (!config.sendQueueUrl) throw new ConfigError('SEND_QUEUE_URL', 'is required by the sender');
  const region = config.region;
  // One connection pool for the shared client and every tenant's.
  const httpsAgent = new Agent({ keepAlive: true, maxSockets: 50 });
  const documentClient = (credentials?: AwsCredentialIdentityProvider) =>
    DynamoDBDocumentClient.from(
      tracer.captureAWSv3Client(
        new DynamoDBClient({
          region,
          requestHandler: { httpsAgent },
          ...(credentials ? { credentials } : {}),
          ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
        }),
      ),
      { marshallOptions: { removeUndefinedValues: true } },
    );
  const doc = documentClient();
  const sqs = tracer.captureAWSv3Client(
    new SQSClient({ region, ...(config.sqsEndpoint ? { endpoint: config.sqsEndpoint } : {}) }),
  );
  const ses = tracer.captureAWSv3Client(
    // One attempt per call: SES has no idempotency token, and the sender is the one retry layer.
    new SESv2Client({
      region,
      maxAttempts: 1,
      ...(config.sesEndpoint ? { endpoint: config.sesEndpoint } : {}),
    }),
  );
  const signingKey = await loadSigningKey(env, {
    secrets: tracer.captureAWSv3Client(new SecretsManagerClient({ region })),
  });
  const clock = new SystemClock();
  const prefix = config.sesTenantPrefix;
  const table = { doc, tableName: config.tableName, clock };
  const ports: SenderPorts = {
    clock,
    random: Math.random,
    table,
    identity: sendingIdentityLimiter(new SendingIdentityRepository(table)),
    killSwitch: new KillSwitch(
      new SsmParameterStore(tracer.captureAWSv3Client(new SSMClient({ region })), {
        maxAgeSeconds: KILL_SWITCH_CACHE_SECONDS,
      }),
      config.killSwitchParameter,
    ),
    emailSendDisabled: emailSendDisabledFrom(env),
    deploymentMode: config.sendMode,
    internalAllowList: { domains: config.internalDomains, addresses: config.internalAddresses },
    emailSender: new SesEmailSender(ses, config.configurationSetName, {
      ...(prefix ? { sesTenantName: (tenantId: string) => sesTenantName(prefix, tenantId) } : {}),
    }),
    sendQueue: new SqsMessageQueue(sqs, config.sendQueueUrl),
    ...(config.deadLetterQueueUrl
      ? { deadLetters: new SqsDeadLetterSink(sqs, config.deadLetterQueueUrl) }
      : {}),
    signingKey,
    unsubscribeBaseUrl: config.unsubscribeBaseUrl,
    fromAddress: config.fromAddress,
    sendingIdentities: config.sendingIdentities,
    claimTtlMs: config.claimTtlSeconds * 1_000,
    maxReceiveCount: config.maxReceiveCount,
    metric: powertoolsMetricSink(observability.metrics),
    logger,
  };
  const base = new SendProcessor(ports);
  const roleArn = env[TENANT_DATA_ROLE_VARIABLE];
  if (!roleArn) return base;
  // Tenant items through the tenant role; the shared IDENTITY# counters (`identity`) stay on the
  // execution role, which may touch only those partitions.
  const credentials = new StsTenantCredentials(
    tracer.captureAWSv3Client(new STSClient({ region })),
    { roleArn, sessionPrefix: env['POWERTOOLS_SERVICE_NAME'] ?? 'sender' },
  );
  return tenantRoutedSender(
    base,
    perTenantCache(
      (tenantId) =>
        new SendProcessor({
          ...ports,
          table: { ...table, doc: documentClient(credentials.forTenant(tenantId)) },
        }),
      TENANT_PROCESSOR_CACHE_SIZE,
    ),
  );
}
