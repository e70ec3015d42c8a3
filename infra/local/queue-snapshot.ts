import { readFile, rename, writeFile } from 'node:fs/promises';
import {
  SendMessageCommand,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** A message attribute as the emulator stores it (binary values base64-encoded). */
export interface StoredMessageAttribute {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: string;
}
import { MAX_SQS_DELAY_SECONDS } from '../../shared/adapters/queue/message-queue.js';

/** File in a data dir that keeps the local queues' messages between runs. */
export const QUEUE_SNAPSHOT_FILE = 'queues.json';

/** One message as kept in the snapshot. */
export interface SnapshotMessage {
  readonly body: string;
  readonly messageAttributes?: Record<string, StoredMessageAttribute>;
  /** Seconds until a delayed message becomes visible, when it was saved. */
  readonly delaySeconds?: number;
  /** Deliveries so far; informational (SQS restarts the count when the message is re-sent). */
  readonly receiveCount?: number;
}

/** The snapshot file's content. */
export interface QueueSnapshot {
  readonly version: 1;
  readonly savedAt: string;
  /** Messages by queue name (`agent-local-send`, `agent-local-send-dlq` …). */
  readonly queues: Record<string, SnapshotMessage[]>;
}

/** What the snapshot reads from the running SQS emulator (fauxqs's non-destructive inspection). */
export interface QueueInspector {
  inspectQueue(name: string):
    | {
        readonly messages: {
          readonly ready: readonly InspectedMessage[];
          readonly delayed: readonly InspectedMessage[];
          readonly inflight: readonly { readonly message: InspectedMessage }[];
        };
      }
    | undefined;
}

/** The fields of a fauxqs message the snapshot keeps. */
export interface InspectedMessage {
  readonly body: string;
  readonly messageAttributes: Record<string, StoredMessageAttribute>;
  readonly approximateReceiveCount: number;
  readonly delayUntil?: number;
}

/** The queue name of a queue URL (its last path segment). */
export function queueNameOf(url: string): string {
  return url.slice(url.lastIndexOf('/') + 1);
}

/**
 * Writes every message of the named queues (ready, delayed and in flight: an in-flight message
 * would have become visible again) to `path`, so a data dir keeps its queues, DLQs included,
 * across `agentctl` runs although the SQS emulator holds them in memory only. Written through a
 * temporary file and a rename, so a reader never sees half a file.
 */
export async function saveQueueSnapshot(
  inspector: QueueInspector,
  queueNames: readonly string[],
  path: string,
  now: Date = new Date(),
): Promise<QueueSnapshot> {
  const queues: Record<string, SnapshotMessage[]> = {};
  for (const name of queueNames) {
    const state = inspector.inspectQueue(name);
    if (!state) continue;
    const messages = [
      ...state.messages.ready,
      ...state.messages.delayed,
      ...state.messages.inflight.map((entry) => entry.message),
    ];
    queues[name] = messages.map((message) => {
      const delayMs = (message.delayUntil ?? 0) - now.getTime();
      const attributes = message.messageAttributes;
      return {
        body: message.body,
        ...(Object.keys(attributes).length > 0 ? { messageAttributes: attributes } : {}),
        ...(delayMs > 0 ? { delaySeconds: Math.ceil(delayMs / 1_000) } : {}),
        ...(message.approximateReceiveCount > 0
          ? { receiveCount: message.approximateReceiveCount }
          : {}),
      };
    });
  }
  const snapshot: QueueSnapshot = { version: 1, savedAt: now.toISOString(), queues };
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(snapshot, null, 2)}\n`);
  await rename(temporary, path);
  return snapshot;
}

/**
 * Sends the messages of a snapshot at `path` back into the queues of the same names (URLs by
 * name); a missing file restores nothing. Returns how many messages went back.
 */
export async function restoreQueueSnapshot(
  sqs: SQSClient,
  urlsByName: ReadonlyMap<string, string>,
  path: string,
): Promise<number> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  const snapshot = JSON.parse(text) as QueueSnapshot;
  if (snapshot.version !== 1) throw new Error(`${path}: unknown queue snapshot version`);
  let restored = 0;
  for (const [name, messages] of Object.entries(snapshot.queues)) {
    const url = urlsByName.get(name);
    if (!url) continue;
    for (const message of messages) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: message.body,
          ...(message.messageAttributes
            ? { MessageAttributes: toSdkAttributes(message.messageAttributes) }
            : {}),
          ...(message.delaySeconds
            ? { DelaySeconds: Math.min(message.delaySeconds, MAX_SQS_DELAY_SECONDS) }
            : {}),
        }),
      );
      restored += 1;
    }
  }
  return restored;
}

function toSdkAttributes(
  attributes: Record<string, StoredMessageAttribute>,
): Record<string, MessageAttributeValue> {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [
      name,
      {
        DataType: value.DataType,
        ...(value.StringValue !== undefined ? { StringValue: value.StringValue } : {}),
        ...(value.BinaryValue !== undefined
          ? { BinaryValue: Buffer.from(value.BinaryValue, 'base64') }
          : {}),
      },
    ]),
  );
}
