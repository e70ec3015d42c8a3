import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  QUEUE_DEFINITIONS,
  sqsAttributes,
  type QueueDefinition,
  type QueueName,
} from '../../shared/messaging/queue-definitions.js';

/** URLs of one work queue and its dead-letter queue. */
export interface QueueUrls {
  readonly url: string;
  readonly dlqUrl: string;
}

/**
 * Creates every queue of {@link QUEUE_DEFINITIONS} with its dead-letter queue and redrive policy,
 * through the SQS API, exactly as configured for the deployed stack.
 */
export async function ensureQueues(
  client: SQSClient,
  prefix: string,
): Promise<Record<QueueName, QueueUrls>> {
  const entries = await Promise.all(
    (Object.entries(QUEUE_DEFINITIONS) as [QueueName, QueueDefinition][]).map(
      async ([name, definition]) => {
        const dlq = await client.send(
          new CreateQueueCommand({
            QueueName: `${prefix}-${definition.name}-dlq`,
            Attributes: { MessageRetentionPeriod: String(definition.dlqRetentionDays * 86_400) },
          }),
        );
        const dlqUrl = required(dlq.QueueUrl, 'dead-letter queue URL');
        const { Attributes } = await client.send(
          new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
        );
        const queue = await client.send(
          new CreateQueueCommand({
            QueueName: `${prefix}-${definition.name}`,
            Attributes: sqsAttributes(
              definition,
              required(Attributes?.QueueArn, 'dead-letter queue ARN'),
            ),
          }),
        );
        return [name, { url: required(queue.QueueUrl, 'queue URL'), dlqUrl }] as const;
      },
    ),
  );
  return Object.fromEntries(entries) as Record<QueueName, QueueUrls>;
}

function required(value: string | undefined, what: string): string {
  if (!value) throw new Error(`SQS returned no ${what}`);
  return value;
}
