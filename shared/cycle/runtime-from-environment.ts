import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SNSClient } from '@aws-sdk/client-sns';
import { SnsApprovalNotifier } from '../adapters/sns/approval-topic.js';
import { SystemClock } from '../clock.js';
import { loadConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { KILL_SWITCH_CACHE_SECONDS, KillSwitch } from '../adapters/parameters/kill-switch.js';
import { SsmParameterStore } from '../adapters/parameters/parameter-store.js';
import { SqsMessageQueue, type MessageQueue } from '../adapters/queue/message-queue.js';
import { powertoolsMetricSink, type Observability } from '../observability/observability.js';
import { createCycleRuntime, type CycleRuntimeParts } from './create-runtime.js';
import type { CycleRuntime } from './runtime.js';

/**
 * Builds a cycle runtime for a Lambda function from its environment (`TABLE_NAME`,
 * `KILL_SWITCH_PARAMETER`, `SEND_QUEUE_URL`, optional local endpoints). Call once per module.
 * A function without a send queue gets one that refuses to send, so a misconfigured Act fails loudly.
 * With `APPROVALS_TOPIC_ARN` (Act), approval requests are also published to that SNS topic.
 * `drafting` (Act only, see shared/drafting/drafting-runtime.ts `draftingFromEnvironment`) adds
 * the drafting ports.
 */
export function cycleRuntimeFromEnvironment(
  observability: Observability,
  env: NodeJS.ProcessEnv = process.env,
  drafting?: CycleRuntimeParts['drafting'],
): CycleRuntime {
  const config = loadConfig(env, {
    warn: (message, detail) => observability.logger.warn(message, detail),
  });
  const dynamodb = observability.tracer.captureAWSv3Client(
    new DynamoDBClient({
      region: config.region,
      ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
    }),
  );
  const doc = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });
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
  const approvalsTopic = env['APPROVALS_TOPIC_ARN'];
  const runtime = createCycleRuntime({
    doc,
    tableName: config.tableName,
    clock: new SystemClock(),
    killSwitch: new KillSwitch(
      new SsmParameterStore(ssm, { maxAgeSeconds: KILL_SWITCH_CACHE_SECONDS }),
      config.killSwitchParameter,
    ),
    sendQueue,
    lockTtlSeconds: config.lockTtlSeconds,
    metric: powertoolsMetricSink(observability.metrics),
    ...(drafting ? { drafting } : {}),
  });
  if (!approvalsTopic) return runtime;
  const sns = observability.tracer.captureAWSv3Client(new SNSClient({ region: config.region }));
  return { ...runtime, approvalNotifier: new SnsApprovalNotifier(sns, approvalsTopic) };
}
