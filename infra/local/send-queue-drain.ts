import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { Clock } from '../../shared/clock.js';
import { SqsMessageQueue, type MessageQueue } from '../../shared/adapters/queue/message-queue.js';
import type { SenderHandler } from '../../shared/sending/sender-handler.js';
import { localLambdaContext } from './lambda-context.js';

/**
 * A send queue whose delays run on a virtual clock. The emulator's `DelaySeconds` runs in real
 * time, which a simulated month cannot wait for; this holds delayed messages in memory with the
 * virtual instant they become visible and sends them on to the real queue (fauxqs) once the clock
 * reaches it, so the sender's "re-enqueue with a delay until due" path runs unchanged.
 */
export class VirtualDelayQueue implements MessageQueue {
  private readonly pending: { body: unknown; visibleAt: number; sequence: number }[] = [];
  private sequence = 0;
  private readonly inner: MessageQueue;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly clock: Clock,
  ) {
    this.inner = new SqsMessageQueue(sqs, queueUrl);
  }

  async send(body: unknown, options: { delaySeconds?: number } = {}): Promise<string> {
    const delay = Math.max(0, Math.round(options.delaySeconds ?? 0));
    if (delay === 0) return this.inner.send(body);
    this.sequence += 1;
    this.pending.push({
      body,
      visibleAt: this.clock.now().getTime() + delay * 1_000,
      sequence: this.sequence,
    });
    return `virtual-delay-${this.sequence}`;
  }

  /** Messages still held back. */
  get size(): number {
    return this.pending.length;
  }

  /** When the earliest held message becomes visible, if any. */
  nextVisibleAt(): Date | undefined {
    const times = this.pending.map((entry) => entry.visibleAt);
    return times.length > 0 ? new Date(Math.min(...times)) : undefined;
  }

  /** Sends on every held message visible at `now` (in visibility, then enqueue order). */
  async release(now: Date): Promise<number> {
    const due = this.pending
      .filter((entry) => entry.visibleAt <= now.getTime())
      .sort((a, b) => a.visibleAt - b.visibleAt || a.sequence - b.sequence);
    const released = new Set(due);
    this.pending.splice(
      0,
      this.pending.length,
      ...this.pending.filter((entry) => !released.has(entry)),
    );
    for (let i = 0; i < due.length; i += 10) {
      const result = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: due.slice(i, i + 10).map((entry, index) => ({
            Id: String(index),
            MessageBody: JSON.stringify(entry.body),
          })),
        }),
      );
      if ((result.Failed ?? []).length > 0) throw new Error('SQS refused part of a batch send');
    }
    return due.length;
  }
}

/** Options of {@link SendQueueDrain}. */
export interface SendQueueDrainOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly handler: SenderHandler;
  readonly delays: VirtualDelayQueue;
  readonly clock: Clock;
  /** Seconds a failed message stays invisible, in virtual time (the queue's visibility timeout). */
  readonly visibilityTimeoutSeconds: number;
  /** Records per handler invocation (the event source's batch size). @default 10 */
  readonly batchSize?: number;
  /** Runs after every handler invocation (e.g. delivering the SES events it caused). */
  readonly afterBatch?: () => Promise<void>;
  /**
   * Messages ready or delayed in the queue, read without a request (the embedded emulator's
   * count); at 0 the drain skips the receive that would come back empty. Unknown: it receives.
   */
  readonly queued?: () => number | undefined;
}

/** Counts of one drain. */
export interface DrainCounts {
  readonly invocations: number;
  readonly delivered: number;
  readonly failed: number;
}

/**
 * Plays the Lambda event source mapping for the send queue on the embedded stack: receives
 * batches, invokes the sender handler with an SQS event, deletes the records it did not report as
 * failed and leaves the failed ones invisible for the visibility timeout (in virtual time), so
 * retries, `ApproximateReceiveCount` and the redrive to the DLQ behave as on AWS without waiting.
 */
export class SendQueueDrain {
  private readonly retries: { receiptHandle: string; visibleAt: number }[] = [];
  private invocationCount = 0;

  constructor(private readonly options: SendQueueDrainOptions) {}

  /** Invokes the handler until nothing is visible at the current virtual instant. */
  async drainVisible(): Promise<DrainCounts> {
    await this.releaseDue();
    let invocations = 0;
    let delivered = 0;
    let failed = 0;
    for (;;) {
      if (this.options.queued?.() === 0) break;
      const messages = await this.receive();
      if (messages.length === 0) break;
      const response = await this.options.handler(toEvent(messages), this.context());
      await this.options.afterBatch?.();
      invocations += 1;
      delivered += messages.length;
      const failedIds = new Set(response.batchItemFailures.map((item) => item.itemIdentifier));
      const succeeded = messages.filter((message) => !failedIds.has(message.MessageId ?? ''));
      for (const message of messages) {
        if (!failedIds.has(message.MessageId ?? '')) continue;
        failed += 1;
        this.retries.push({
          receiptHandle: message.ReceiptHandle ?? '',
          visibleAt:
            this.options.clock.now().getTime() + this.options.visibilityTimeoutSeconds * 1_000,
        });
      }
      if (succeeded.length > 0) {
        await this.options.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: this.options.queueUrl,
            Entries: succeeded.map((message, index) => ({
              Id: String(index),
              ReceiptHandle: message.ReceiptHandle,
            })),
          }),
        );
      }
      await this.releaseDue();
    }
    return { invocations, delivered, failed };
  }

  /**
   * Drains, then moves the clock to the next instant a delayed or failed message becomes visible,
   * and drains again, until the next such instant is at or after `until` (never sleeping).
   */
  async runUntil(until: Date, advanceTo: (instant: Date) => void): Promise<DrainCounts> {
    const total = { invocations: 0, delivered: 0, failed: 0 };
    for (;;) {
      const counts = await this.drainVisible();
      total.invocations += counts.invocations;
      total.delivered += counts.delivered;
      total.failed += counts.failed;
      const next = this.nextEventAt();
      if (!next || next.getTime() >= until.getTime()) return total;
      advanceTo(next);
    }
  }

  /** Messages waiting in virtual time (delayed or invisible after a failure). */
  get waiting(): number {
    return this.options.delays.size + this.retries.length;
  }

  /** How many times the handler was invoked in total. */
  get invocations(): number {
    return this.invocationCount;
  }

  private nextEventAt(): Date | undefined {
    const times = [
      ...(this.options.delays.nextVisibleAt()
        ? [this.options.delays.nextVisibleAt()!.getTime()]
        : []),
      ...this.retries.map((retry) => retry.visibleAt),
    ];
    return times.length > 0 ? new Date(Math.min(...times)) : undefined;
  }

  private async releaseDue(): Promise<void> {
    const now = this.options.clock.now();
    await this.options.delays.release(now);
    const due = this.retries.filter((retry) => retry.visibleAt <= now.getTime());
    for (const retry of due) {
      this.retries.splice(this.retries.indexOf(retry), 1);
      await this.options.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: this.options.queueUrl,
          ReceiptHandle: retry.receiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    }
  }

  private async receive(): Promise<Message[]> {
    const result = await this.options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.options.queueUrl,
        MaxNumberOfMessages: this.options.batchSize ?? 10,
        WaitTimeSeconds: 0,
        // Real seconds; failed messages are made visible again by releaseDue in virtual time.
        VisibilityTimeout: 43_200,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    return result.Messages ?? [];
  }

  private context() {
    this.invocationCount += 1;
    return localLambdaContext('sender', `local-send-${this.invocationCount}`);
  }
}

/** An SQS event as the Lambda service builds it from received messages. */
export function toEvent(messages: readonly Message[]): SQSEvent {
  return {
    Records: messages.map((message): SQSRecord => ({
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
        SentTimestamp: message.Attributes?.SentTimestamp ?? '0',
        SenderId: message.Attributes?.SenderId ?? 'local',
        ApproximateFirstReceiveTimestamp:
          message.Attributes?.ApproximateFirstReceiveTimestamp ?? '0',
      },
      messageAttributes: {},
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:send',
      awsRegion: 'us-east-1',
    })),
  };
}
