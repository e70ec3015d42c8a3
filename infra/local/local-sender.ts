import { randomBytes } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { Clock } from '../../shared/clock.js';
import type { SendMode } from '../../shared/domain/send-mode.js';
import { KillSwitch } from '../../shared/adapters/parameters/kill-switch.js';
import type { ParameterStore } from '../../shared/adapters/parameters/parameter-store.js';
import { SqsDeadLetterSink } from '../../shared/adapters/queue/sqs-dead-letter-sink.js';
import { SesEmailSender, type EmailSender } from '../../shared/adapters/ses/email-sender.js';
import type { MetricSink } from '../../shared/cycle/runtime.js';
import { QUEUE_DEFINITIONS } from '../../shared/messaging/queue-definitions.js';
import type { Observability } from '../../shared/observability/observability.js';
import { SendProcessor, type SenderPorts } from '../../shared/sending/send-processor.js';
import { createSenderHandler, type SenderHandler } from '../../shared/sending/sender-handler.js';
import { SigningKey } from '../../shared/sending/unsubscribe-token.js';
import { LOCAL_KILL_SWITCH_PARAMETER, localObservability } from './local-runtime.js';
import { SendQueueDrain, VirtualDelayQueue } from './send-queue-drain.js';
import { LocalSesEventStream } from './ses-event-stream.js';
import { SesFeedbackProcessor } from '../../shared/sending/ses-feedback.js';
import { eventReconciler } from '../../shared/sending/stages/reconcile.js';
import { sendingIdentityLimiter } from '../../shared/sending/stages/identity-limiter.js';
import { SendingIdentityRepository } from '../../shared/storage/sending-identity-repository.js';
import { TenantRepository } from '../../shared/storage/tenant-repository.js';
import { SuppressionRepository } from '../../shared/storage/suppression-repository.js';
import { OutcomeRepository } from '../../shared/storage/outcome-repository.js';
import { RateCounterRepository } from '../../shared/storage/rate-counter-repository.js';
import { SendingStateRepository } from '../../shared/storage/sending-state-repository.js';

/** The From address of local mail. */
export const LOCAL_FROM_ADDRESS = 'agent@sender.local.example';

/** The unsubscribe base URL local mail links to (no server listens; tests call the handler). */
export const LOCAL_UNSUBSCRIBE_URL = 'https://unsubscribe.local.example/';

/** What {@link createLocalSender} wires together. */
export interface LocalSenderOptions {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly ses: SESv2Client;
  readonly clock: Clock;
  /** Holds the kill switch (`LOCAL_KILL_SWITCH_PARAMETER`). */
  readonly parameters: ParameterStore;
  readonly sendMode: SendMode;
  readonly random?: () => number;
  readonly metric?: MetricSink;
  readonly observability?: Observability;
  /** Re-read at every decision, like the Lambda's `EMAIL_SEND_DISABLED`. @default never disabled */
  readonly emailSendDisabled?: () => boolean;
  /** @default a random key for this process */
  readonly signingKey?: SigningKey;
  readonly internalAllowList?: SenderPorts['internalAllowList'];
  /** Replaces the SES adapter (a sender that fails before SES sees the message). */
  readonly emailSender?: EmailSender;
  /**
   * Wraps the sender after the event stream (fault injection): a fault thrown here happens after
   * SES accepted the message, so its events still settle the send.
   */
  readonly afterAcceptance?: (sender: EmailSender) => EmailSender;
  readonly claimTtlMs?: number;
  /** The SES identities the sender may send from (`SES_SENDING_IDENTITIES`). @default unchecked */
  readonly sendingIdentities?: readonly string[];
  /** Messages waiting in the send queue, read in-process (see SendQueueDrainOptions.queued). */
  readonly queued?: () => number | undefined;
}

/** The sender running in-process on the embedded stack. */
export interface LocalSender {
  readonly processor: SendProcessor;
  /** The same middy + Powertools batch handler the Lambda runs. */
  readonly handler: SenderHandler;
  /** The send queue as the sender sees it: delays run on the virtual clock. */
  readonly delays: VirtualDelayQueue;
  /** The event source mapping stand-in. */
  readonly drain: SendQueueDrain;
  readonly signingKey: SigningKey;
  /** The emulated configuration-set event stream (Send, Delivery), flushed after every batch. */
  readonly events: LocalSesEventStream;
  /** The SES event processor the stream feeds (the ses-feedback Lambda's logic). */
  readonly feedback: SesFeedbackProcessor;
  /** Moves every dead-lettered send back to the send queue (as `agentctl dlq redrive send`). */
  redriveDeadLetters(): Promise<number>;
}

/**
 * Builds the real sender (processor, middy handler, Powertools batch processing) over the embedded
 * stack: dynalite, fauxqs (with delays on the virtual clock), aws-ses-v2-local, the kill switch in
 * a parameter store, and no real sleeps between provider retries.
 */
export function createLocalSender(options: LocalSenderOptions): LocalSender {
  const { clock } = options;
  const delays = new VirtualDelayQueue(options.sqs, options.queueUrl, clock);
  const signingKey = options.signingKey ?? new SigningKey(randomBytes(32));
  const observability = options.observability ?? localObservability('sender');
  const table = { doc: options.doc, tableName: options.tableName, clock };
  const metric = options.metric ?? (() => undefined);
  const events = new LocalSesEventStream(
    options.emailSender ?? new SesEmailSender(options.ses, 'local-configuration-set'),
    clock,
  );
  const feedback = new SesFeedbackProcessor({
    clock,
    tenants: new TenantRepository(table),
    suppressions: new SuppressionRepository(table),
    outcomes: new OutcomeRepository(table),
    rates: new RateCounterRepository(table),
    states: new SendingStateRepository(table),
    reconciler: eventReconciler(table, metric, observability.logger),
    metric,
    logger: observability.logger,
  });
  const processor = new SendProcessor({
    clock,
    random: options.random ?? Math.random,
    table,
    identity: sendingIdentityLimiter(new SendingIdentityRepository(table)),
    killSwitch: new KillSwitch(options.parameters, LOCAL_KILL_SWITCH_PARAMETER),
    emailSendDisabled: options.emailSendDisabled ?? (() => false),
    deploymentMode: options.sendMode,
    internalAllowList: options.internalAllowList ?? { domains: [], addresses: [] },
    emailSender: options.afterAcceptance ? options.afterAcceptance(events) : events,
    sendQueue: delays,
    deadLetters: new SqsDeadLetterSink(options.sqs, options.deadLetterQueueUrl),
    signingKey,
    unsubscribeBaseUrl: LOCAL_UNSUBSCRIBE_URL,
    fromAddress: LOCAL_FROM_ADDRESS,
    ...(options.sendingIdentities ? { sendingIdentities: options.sendingIdentities } : {}),
    claimTtlMs: options.claimTtlMs ?? 300_000,
    maxReceiveCount: QUEUE_DEFINITIONS.send.maxReceiveCount,
    metric,
    logger: observability.logger,
  });
  const handler = createSenderHandler({ processor, observability });
  const drain = new SendQueueDrain({
    sqs: options.sqs,
    queueUrl: options.queueUrl,
    handler,
    delays,
    clock,
    visibilityTimeoutSeconds: QUEUE_DEFINITIONS.send.visibilityTimeoutSeconds,
    afterBatch: async () => {
      await events.flush(feedback);
    },
    ...(options.queued ? { queued: options.queued } : {}),
  });
  const redriveDeadLetters = async () => {
    let moved = 0;
    for (;;) {
      const received = await options.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.deadLetterQueueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
        }),
      );
      const messages = received.Messages ?? [];
      if (messages.length === 0) return moved;
      for (const message of messages) {
        await options.sqs.send(
          new SendMessageCommand({ QueueUrl: options.queueUrl, MessageBody: message.Body ?? '' }),
        );
        await options.sqs.send(
          new DeleteMessageCommand({
            QueueUrl: options.deadLetterQueueUrl,
            ReceiptHandle: message.ReceiptHandle,
          }),
        );
        moved += 1;
      }
    }
  };
  return { processor, handler, delays, drain, signingKey, events, feedback, redriveDeadLetters };
}
