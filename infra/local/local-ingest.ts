import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import type { Clock } from '../../shared/clock.js';
import { KillSwitch } from '../../shared/adapters/parameters/kill-switch.js';
import type { ParameterStore } from '../../shared/adapters/parameters/parameter-store.js';
import { SqsBatchQueue } from '../../shared/adapters/queue/batch-queue.js';
import { MemorySecretStore, type SecretStore } from '../../shared/adapters/secrets/secret-store.js';
import {
  gmailClientSecretName,
  gmailSecretPrefix,
} from '../../shared/adapters/gmail/secret-layout.js';
import type { MetricSink } from '../../shared/cycle/runtime.js';
import type { Observability } from '../../shared/observability/observability.js';
import { GmailConnections } from '../../shared/ingest/gmail-connections.js';
import { createIngestHandler, type IngestHandler } from '../../shared/ingest/handlers.js';
import {
  createIngestRepositories,
  DEFAULT_INGEST_SETTINGS,
  type IngestRuntime,
  type IngestSettings,
} from '../../shared/ingest/runtime.js';
import type { LocalStack } from './local-stack.js';
import { LOCAL_KILL_SWITCH_PARAMETER, localObservability } from './local-runtime.js';
import { localLambdaContext } from './lambda-context.js';

/** The Gmail secret prefix of the local stack (the dev stage's). */
export const LOCAL_GMAIL_SECRET_PREFIX = gmailSecretPrefix('engagement-agent', 'dev');

/** The OAuth client the local Gmail server and the local secrets agree on (not a real credential). */
export const LOCAL_GMAIL_CLIENT = {
  clientId: 'local-client.apps.googleusercontent.example',
  clientSecret: 'local-client-secret',
} as const;

/** Builds an ingest runtime over the embedded stack, pointing the production Gmail client at `gmail`. */
export function localIngestRuntime(options: {
  stack: LocalStack;
  clock: Clock;
  parameters: ParameterStore;
  gmail: { rootUrl: string; tokenUrl: string };
  secrets?: SecretStore;
  metric?: MetricSink;
  observability?: Observability;
  settings?: Partial<IngestSettings>;
}): IngestRuntime {
  const ctx = {
    doc: options.stack.clients.doc,
    tableName: options.stack.tableName,
    clock: options.clock,
  };
  const repos = createIngestRepositories(ctx);
  const secrets =
    options.secrets ??
    new MemorySecretStore({
      [gmailClientSecretName(LOCAL_GMAIL_SECRET_PREFIX)]: LOCAL_GMAIL_CLIENT,
    });
  return {
    clock: options.clock,
    repos,
    connections: new GmailConnections({
      state: repos.mailboxes,
      secrets,
      secretPrefix: LOCAL_GMAIL_SECRET_PREFIX,
      clock: options.clock,
      rootUrl: options.gmail.rootUrl,
      tokenUrl: options.gmail.tokenUrl,
    }),
    ingestQueue: new SqsBatchQueue(options.stack.clients.sqs, options.stack.queues.ingest.url),
    killSwitch: new KillSwitch(options.parameters, LOCAL_KILL_SWITCH_PARAMETER),
    metric: options.metric ?? (() => undefined),
    logger: (options.observability ?? localObservability('ingest')).logger,
    settings: { ...DEFAULT_INGEST_SETTINGS, ...options.settings },
  };
}

/** What one drain of the local ingest queue did. */
export interface DrainSummary {
  readonly received: number;
  readonly succeeded: number;
  readonly failed: number;
}

/**
 * Runs the ingest function's real handler over the local ingest queue until it is empty: receives
 * batches of up to 10 (as the SQS event source does), invokes the handler, deletes the records it
 * did not report as failed and makes the failed ones visible again at once (SQS would wait the
 * visibility timeout, which runs in real time locally). fauxqs moves a message to the DLQ after
 * `maxReceiveCount` receives, as SQS does.
 */
export async function drainIngestQueue(
  stack: LocalStack,
  handler: IngestHandler,
  options: { maxRounds?: number } = {},
): Promise<DrainSummary> {
  let received = 0;
  let failed = 0;
  const queueUrl = stack.queues.ingest.url;
  for (let round = 0; round < (options.maxRounds ?? 200); round += 1) {
    const batch = await stack.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      }),
    );
    const messages = batch.Messages ?? [];
    if (messages.length === 0) break;
    received += messages.length;
    const event: SQSEvent = {
      Records: messages.map((message) => ({
        messageId: message.MessageId ?? '',
        receiptHandle: message.ReceiptHandle ?? '',
        body: message.Body ?? '',
        attributes: {
          ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
          SentTimestamp: message.Attributes?.SentTimestamp ?? '0',
          SenderId: 'local',
          ApproximateFirstReceiveTimestamp: '0',
        },
        messageAttributes: {},
        md5OfBody: message.MD5OfBody ?? '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:ingest',
        awsRegion: stack.region,
      })),
    };
    const response = await handler(event, localLambdaContext('ingest', `local-${round}`));
    const failedIds = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
    failed += failedIds.size;
    const done = messages.filter((message) => !failedIds.has(message.MessageId ?? ''));
    if (done.length > 0) {
      await stack.clients.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: done.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle ?? '',
          })),
        }),
      );
    }
    for (const message of messages.filter((candidate) =>
      failedIds.has(candidate.MessageId ?? ''),
    )) {
      await stack.clients.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: message.ReceiptHandle ?? '',
          VisibilityTimeout: 0,
        }),
      );
    }
  }
  return { received, succeeded: received - failed, failed };
}

/** The ingest function's handler over a local runtime, with silent (or the given) Powertools. */
export function localIngestHandler(
  runtime: IngestRuntime,
  observability?: Observability,
): IngestHandler {
  return createIngestHandler(runtime, observability ?? localObservability('ingest'));
}
