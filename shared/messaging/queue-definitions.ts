/** One work queue and its dead-letter queue, as both the CDK stack and the local stack build them. */
export interface QueueDefinition {
  /** Logical name: CDK construct id prefix and local queue name. */
  readonly name: string;
  /** Seconds a received message stays invisible; at least 6× the consumer's timeout for SQS event sources. */
  readonly visibilityTimeoutSeconds: number;
  /** Deliveries before a message moves to the dead-letter queue. */
  readonly maxReceiveCount: number;
  readonly retentionDays: number;
  /** Dead-letter queues keep messages for the SQS maximum, so nothing ages out before a redrive. */
  readonly dlqRetentionDays: number;
}

/** The agent's queues: outbound sends and Gmail ingest (DESIGN.md section 2). */
export const QUEUE_DEFINITIONS = {
  send: {
    name: 'send',
    visibilityTimeoutSeconds: 180,
    maxReceiveCount: 5,
    retentionDays: 4,
    dlqRetentionDays: 14,
  },
  ingest: {
    name: 'ingest',
    visibilityTimeoutSeconds: 180,
    maxReceiveCount: 5,
    retentionDays: 4,
    dlqRetentionDays: 14,
  },
} as const satisfies Record<string, QueueDefinition>;

export type QueueName = keyof typeof QUEUE_DEFINITIONS;

/** The SQS attributes a definition maps to, for creating a queue through the SQS API. */
export function sqsAttributes(
  definition: QueueDefinition,
  deadLetterQueueArn?: string,
): Record<string, string> {
  return {
    VisibilityTimeout: String(definition.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(definition.retentionDays * 86_400),
    ...(deadLetterQueueArn
      ? {
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: deadLetterQueueArn,
            maxReceiveCount: definition.maxReceiveCount,
          }),
        }
      : {}),
  };
}
