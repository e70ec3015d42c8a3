import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { QUEUE_DEFINITIONS, type QueueName } from '../../shared/messaging/queue-definitions.js';
import { queueOutputKeys, type StackOutputs } from './stack-outputs.js';

/** A work queue and the dead-letter queue its redrive policy names. */
export interface QueueRef {
  /** Short name: `send`, `ingest` … (what `agentctl dlq redrive NAME` takes). */
  readonly name: string;
  readonly url: string;
  readonly deadLetterUrl: string;
}

/** Finds the agent's queues on the target and counts their messages. */
export interface QueueDirectory {
  readonly sqs: SQSClient;
  /**
   * Whether the queues support SQS's server-side `StartMessageMoveTask` (AWS does; fauxqs, the
   * local emulator, does not).
   */
  readonly serverSideMove: boolean;
  /** Every work queue that has a dead-letter queue. */
  list(): Promise<QueueRef[]>;
}

/** Messages in a queue: visible, in flight and delayed (the SQS approximations). */
export async function queueDepth(sqs: SQSClient, url: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

/** The queues of the embedded local stack, by the names of QUEUE_DEFINITIONS. */
export function localQueueDirectory(
  sqs: SQSClient,
  queues: Readonly<Record<string, { readonly url: string; readonly dlqUrl: string }>>,
): QueueDirectory {
  return {
    sqs,
    serverSideMove: false,
    list: async () =>
      Object.entries(queues).map(([name, urls]) => ({
        name,
        url: urls.url,
        deadLetterUrl: urls.dlqUrl,
      })),
  };
}

/**
 * The deployed stack's queues, from its outputs (`SendQueueUrl`, `SendDeadLetterQueueUrl`, … per
 * name of QUEUE_DEFINITIONS), in name order. An absent output fails `list()` with the error of
 * {@link StackOutputs.require}, which names the output.
 */
export function stackQueueDirectory(sqs: SQSClient, outputs: StackOutputs): QueueDirectory {
  return {
    sqs,
    serverSideMove: true,
    list: async () =>
      (Object.keys(QUEUE_DEFINITIONS) as QueueName[]).sort().map((name) => {
        const keys = queueOutputKeys(name);
        return {
          name,
          url: outputs.require(keys.url),
          deadLetterUrl: outputs.require(keys.deadLetterUrl),
        };
      }),
  };
}
