import { GetQueueAttributesCommand, ListQueuesCommand, type SQSClient } from '@aws-sdk/client-sqs';

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
    list: async () =>
      Object.entries(queues).map(([name, urls]) => ({
        name,
        url: urls.url,
        deadLetterUrl: urls.dlqUrl,
      })),
  };
}

/**
 * The deployed stack's queues, found without CloudFormation access: CloudFormation names them
 * `<stackName>-<logicalId>-<suffix>`, so the stack's queues are those listed under the stack-name
 * prefix, and each work queue's redrive policy names its DLQ. The short name comes from the
 * construct id in the logical id (`SendQueue1FEF7B60` → `send`, `IngestQueue…` → `ingest`), the
 * same names the local stack uses.
 */
export function awsQueueDirectory(sqs: SQSClient, stackName: string): QueueDirectory {
  return {
    sqs,
    list: async () => {
      const urls: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await sqs.send(
          new ListQueuesCommand({
            QueueNamePrefix: stackName,
            MaxResults: 1_000,
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
        );
        urls.push(...(page.QueueUrls ?? []));
        nextToken = page.NextToken;
      } while (nextToken);
      const described = await Promise.all(
        urls.map(async (url) => {
          const { Attributes } = await sqs.send(
            new GetQueueAttributesCommand({
              QueueUrl: url,
              AttributeNames: ['QueueArn', 'RedrivePolicy'],
            }),
          );
          return { url, arn: Attributes?.QueueArn, redrive: Attributes?.RedrivePolicy };
        }),
      );
      const urlByArn = new Map(described.map((queue) => [queue.arn, queue.url]));
      const refs: QueueRef[] = [];
      for (const queue of described) {
        if (!queue.redrive) continue;
        const target = (JSON.parse(queue.redrive) as { deadLetterTargetArn?: string })
          .deadLetterTargetArn;
        const deadLetterUrl = urlByArn.get(target);
        if (deadLetterUrl)
          refs.push({ name: shortQueueName(queue.url, stackName), url: queue.url, deadLetterUrl });
      }
      return refs.sort((a, b) => a.name.localeCompare(b.name));
    },
  };
}

/**
 * `https://…/EngagementAgent-dev-SendQueue1FEF7B60-AbC` → `send`: strip the stack prefix, the
 * CloudFormation suffix and the logical-id hash, a trailing `Queue`, then kebab-case.
 */
export function shortQueueName(url: string, stackName: string): string {
  const queueName = url.slice(url.lastIndexOf('/') + 1);
  const withoutStack = queueName.startsWith(`${stackName}-`)
    ? queueName.slice(stackName.length + 1)
    : queueName;
  const logicalId = withoutStack.replace(/-[A-Za-z0-9]+$/, '');
  const constructId = logicalId.replace(/[0-9A-F]{8}$/, '').replace(/Queue$/, '');
  return (
    constructId
      .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
      .toLowerCase()
      .replace(/^-+|-+$/g, '') || queueName
  );
}
