import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { ValidationError } from '../../shared/errors.js';
import { redactString } from '../../shared/observability/redaction.js';
import { queueDepth, type QueueDirectory, type QueueRef } from './queue-directory.js';

/** Options of {@link redriveDeadLetterQueue}. */
export interface RedriveOptions {
  /** Count (and preview) the messages without moving any. */
  readonly dryRun?: boolean;
  /** Move at most this many messages. */
  readonly limit?: number;
  /** How many message bodies a dry run previews. @default 5 */
  readonly preview?: number;
}

/** What a redrive did (or, dry, would do). */
export interface RedriveResult {
  readonly queue: string;
  readonly from: string;
  readonly to: string;
  readonly dryRun: boolean;
  /** Messages in the dead-letter queue before the redrive (SQS approximation). */
  readonly found: number;
  /** Messages moved back to the work queue (0 on a dry run; those found, for a move task). */
  readonly moved: number;
  /** The SQS message move task doing the move server-side (AWS without `--limit`). */
  readonly moveTaskHandle?: string;
  /** Redacted, truncated bodies of the first messages (dry run only). */
  readonly preview: readonly string[];
}

/** Thrown when NAME matches no queue (bad input, exit 2); lists the names that exist. */
export class UnknownQueueError extends ValidationError {
  constructor(name: string, known: readonly string[]) {
    super(
      'NAME',
      `no queue named "${name}"; known: ${known.length > 0 ? known.join(', ') : '(none found)'}`,
    );
  }
}

/** Finds a queue by short name (`send`), work-queue URL or dead-letter-queue URL. */
export async function findQueue(directory: QueueDirectory, name: string): Promise<QueueRef> {
  const queues = await directory.list();
  const found = queues.find(
    (queue) => queue.name === name || queue.url === name || queue.deadLetterUrl === name,
  );
  if (!found)
    throw new UnknownQueueError(
      name,
      queues.map((queue) => queue.name),
    );
  return found;
}

/**
 * Moves the messages of a queue's dead-letter queue back to the queue. On AWS (a directory with
 * `serverSideMove`) it starts an SQS message move task (`StartMessageMoveTask`, what the
 * console's "Start DLQ redrive" does): SQS moves every message server-side, keeping attributes,
 * and the call returns once the task is started. Locally (fauxqs has no move task), or with a
 * `limit`, which a move task cannot honour, it moves one message at a time: receive from the DLQ,
 * send body and message attributes to the work queue, then delete from the DLQ (a crash between
 * send and delete leaves a duplicate, never a loss; consumers are idempotent). A dry run counts
 * and previews without moving: it receives with a zero visibility timeout, so the messages stay
 * visible.
 *
 * @example
 * await redriveDeadLetterQueue(context.queues, 'send', { dryRun: true });
 */
export async function redriveDeadLetterQueue(
  directory: QueueDirectory,
  name: string,
  options: RedriveOptions = {},
): Promise<RedriveResult> {
  const queue = await findQueue(directory, name);
  const { sqs } = directory;
  const found = await queueDepth(sqs, queue.deadLetterUrl);
  const base = { queue: queue.name, from: queue.deadLetterUrl, to: queue.url };
  if (options.dryRun) {
    return {
      ...base,
      dryRun: true,
      found,
      moved: 0,
      preview: await peek(sqs, queue.deadLetterUrl, options.preview ?? 5),
    };
  }
  if (directory.serverSideMove && options.limit === undefined) {
    const [sourceArn, destinationArn] = await Promise.all([
      queueArn(sqs, queue.deadLetterUrl),
      queueArn(sqs, queue.url),
    ]);
    const { TaskHandle } = await sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: sourceArn, DestinationArn: destinationArn }),
    );
    return {
      ...base,
      dryRun: false,
      found,
      moved: found,
      preview: [],
      ...(TaskHandle ? { moveTaskHandle: TaskHandle } : {}),
    };
  }
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  let moved = 0;
  while (moved < limit) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queue.deadLetterUrl,
        MaxNumberOfMessages: Math.min(10, limit - moved),
        MessageAttributeNames: ['All'],
        VisibilityTimeout: 60,
        WaitTimeSeconds: 0,
      }),
    );
    if (Messages.length === 0) break;
    for (const message of Messages) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queue.url,
          MessageBody: message.Body ?? '',
          ...(message.MessageAttributes && Object.keys(message.MessageAttributes).length > 0
            ? { MessageAttributes: message.MessageAttributes }
            : {}),
        }),
      );
      await sqs.send(
        new DeleteMessageCommand({
          QueueUrl: queue.deadLetterUrl,
          ReceiptHandle: message.ReceiptHandle,
        }),
      );
      moved += 1;
    }
  }
  return { ...base, dryRun: false, found, moved, preview: [] };
}

async function queueArn(sqs: SQSClient, url: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error(`SQS returned no QueueArn for ${url}`);
  return arn;
}

async function peek(sqs: SQSClient, url: string, count: number): Promise<string[]> {
  if (count <= 0) return [];
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      MaxNumberOfMessages: Math.min(10, count),
      VisibilityTimeout: 0,
      WaitTimeSeconds: 0,
    }),
  );
  return Messages.slice(0, count).map((message) => {
    const body = redactString(message.Body ?? '');
    return body.length > 200 ? `${body.slice(0, 200)}…` : body;
  });
}

/** The redrive result as operator text. */
export function formatRedrive(result: RedriveResult): string {
  if (result.dryRun) {
    const lines = [
      `dry run: ${result.found} message${result.found === 1 ? '' : 's'} in the ${result.queue} dead-letter queue would move back to ${result.to}`,
      ...result.preview.map((body, index) => `  [${index + 1}] ${body}`),
    ];
    return lines.join('\n');
  }
  if (result.moveTaskHandle)
    return `started an SQS move task for ${result.found} message${result.found === 1 ? '' : 's'} from the ${result.queue} dead-letter queue back to ${result.to} (task ${result.moveTaskHandle}; follow it with aws sqs list-message-move-tasks --source-arn <DLQ ARN>)`;
  return `moved ${result.moved} message${result.moved === 1 ? '' : 's'} from the ${result.queue} dead-letter queue back to ${result.to}`;
}
