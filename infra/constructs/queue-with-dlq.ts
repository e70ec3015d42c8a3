import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueDefinition } from '../../shared/messaging/queue-definitions.js';

/** Props for {@link AgentQueue}. */
export interface AgentQueueProps {
  /** Timeouts, retention and redrive count; the local stack builds its queues from the same definition. */
  readonly definition: QueueDefinition;
}

/**
 * A work queue and its dead-letter queue, both encrypted with SSE-SQS and refusing non-TLS
 * requests. A message that fails `maxReceiveCount` deliveries moves to the DLQ, which keeps it
 * for `dlqRetentionDays` so it can be inspected and redriven.
 *
 * @example
 * const send = new AgentQueue(this, 'SendQueue', { definition: QUEUE_DEFINITIONS.send });
 */
export class AgentQueue extends Construct {
  /** The work queue consumers read from. */
  readonly queue: Queue;
  /** Where messages land after `maxReceiveCount` failed deliveries. */
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: AgentQueueProps) {
    super(scope, id);
    const { definition } = props;
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(definition.dlqRetentionDays),
    });
    this.queue = new Queue(this, 'Resource', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(definition.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(definition.retentionDays),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: definition.maxReceiveCount },
    });
  }
}
