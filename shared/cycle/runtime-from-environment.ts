import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SNSClient } from '@aws-sdk/client-sns';
import { SnsApprovalNotifier } from '../adapters/sns/approval-topic.js';
import { STSClient } from '@aws-sdk/client-sts';
import { Agent } from 'node:https';
import {
  perTenantCache,
  StsTenantCredentials,
  TENANT_DATA_ROLE_VARIABLE,
  type AwsCredentialIdentityProvider,
  type TenantCredentials,
} from '../adapters/credentials/tenant-credentials.js';
import { SystemClock } from '../clock.js';
import { loadConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { KILL_SWITCH_CACHE_SECONDS, KillSwitch } from '../adapters/parameters/kill-switch.js';
import { SsmParameterStore } from '../adapters/parameters/parameter-store.js';
import { SqsMessageQueue, type MessageQueue } from '../adapters/queue/message-queue.js';
import { powertoolsMetricSink, type Observability } from '../observability/observability.js';
import { createCycleRuntime, type CycleRuntimeParts } from './create-runtime.js';
import type { CycleRuntime } from './runtime.js';
import type { TenantScoping } from './step-handler.js';
import {
  ORG_CYCLE_CONCURRENCY_VARIABLE,
  parseOrgCycleConcurrency,
} from '../domain/org-concurrency.js';

/** Most tenant runtimes one container keeps; the oldest is dropped (and its client closed) past it. */
const TENANT_RUNTIME_CACHE_SIZE = 64;

/**
 * Builds a cycle runtime for a Lambda function from its environment (`TABLE_NAME`,
 * `KILL_SWITCH_PARAMETER`, `SEND_QUEUE_URL`, optional local endpoints). Call once per module.
 * A function without a send queue gets one that refuses to send, so a misconfigured Act fails loudly.
 * With `APPROVALS_TOPIC_ARN` (Act), approval requests are also published to that SNS topic.
 * `drafting` (Act only, see shared/drafting/drafting-runtime.ts `draftingFromEnvironment`) adds
 * the drafting ports.
 * With `TENANT_DATA_ROLE_ARN` set, the runtime also has `forTenant`: a runtime whose table client
 * signs with that role assumed for the tenant (cached per container per tenant), which the step
 * handler uses for every input that names a tenant.
 */
export function cycleRuntimeFromEnvironment(
  observability: Observability,
  env: NodeJS.ProcessEnv = process.env,
  drafting?: CycleRuntimeParts['drafting'],
): CycleRuntime & TenantScoping<CycleRuntime> {
  const config = loadConfig(env, {
    warn: (message, detail) => observability.logger.warn(message, detail),
  });
  // One connection pool for every tenant's table client.
  const httpsAgent = new Agent({ keepAlive: true, maxSockets: 50 });
  const tableClient = (credentials?: AwsCredentialIdentityProvider) =>
    observability.tracer.captureAWSv3Client(
      new DynamoDBClient({
        region: config.region,
        requestHandler: { httpsAgent },
        ...(credentials ? { credentials } : {}),
        ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
      }),
    );
  const ssm = observability.tracer.captureAWSv3Client(new SSMClient({ region: config.region }));
  const sendQueue: MessageQueue = config.sendQueueUrl
    ? new SqsMessageQueue(
        observability.tracer.captureAWSv3Client(
          new SQSClient({
            region: config.region,
            ...(config.sqsEndpoint ? { endpoint: config.sqsEndpoint } : {}),
          }),
        ),
        config.sendQueueUrl,
      )
    : {
        send: () =>
          Promise.reject(new ConfigError('SEND_QUEUE_URL', 'is not set for this function')),
      };
  const killSwitch = new KillSwitch(
    new SsmParameterStore(ssm, { maxAgeSeconds: KILL_SWITCH_CACHE_SECONDS }),
    config.killSwitchParameter,
  );
  const approvalsTopic = env['APPROVALS_TOPIC_ARN'];
  const approvalNotifier = approvalsTopic
    ? new SnsApprovalNotifier(
        observability.tracer.captureAWSv3Client(new SNSClient({ region: config.region })),
        approvalsTopic,
      )
    : undefined;
  const orgCycleConcurrency = parseOrgCycleConcurrency(env[ORG_CYCLE_CONCURRENCY_VARIABLE]);
  const build = (dynamodb: DynamoDBClient): CycleRuntime => {
    const runtime = createCycleRuntime({
      doc: DynamoDBDocumentClient.from(dynamodb, {
        marshallOptions: { removeUndefinedValues: true },
      }),
      tableName: config.tableName,
      clock: new SystemClock(),
      killSwitch,
      sendQueue,
      lockTtlSeconds: config.lockTtlSeconds,
      orgCycleConcurrency,
      metric: powertoolsMetricSink(observability.metrics),
      ...(drafting ? { drafting } : {}),
    });
    return approvalNotifier ? { ...runtime, approvalNotifier } : runtime;
  };
  const base = build(tableClient());
  const roleArn = env[TENANT_DATA_ROLE_VARIABLE];
  if (!roleArn) return base;
  const credentials: TenantCredentials = new StsTenantCredentials(
    observability.tracer.captureAWSv3Client(new STSClient({ region: config.region })),
    { roleArn, sessionPrefix: env['POWERTOOLS_SERVICE_NAME'] ?? 'cycle' },
  );
  // The least recently built runtime is dropped past the limit; its client shares the connection
  // pool, so dropping it closes nothing.
  return {
    ...base,
    forTenant: perTenantCache(
      (tenantId) => build(tableClient(credentials.forTenant(tenantId))),
      TENANT_RUNTIME_CACHE_SIZE,
    ),
  };
}
