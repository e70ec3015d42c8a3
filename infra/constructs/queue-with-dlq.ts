import { Duration, Validations } from 'aws-cdk-lib';
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
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'Serverless::Serverless-SQSRedrivePolicy',
      reason: `Dead-letter queue of the ${id} work queue: the last stop, alarmed on and redriven with agentctl dlq.`,
    });
  }
}

/** Props for {@link EdgeDeadLetterQueue}. */
export interface EdgeDeadLetterQueueProps {
  /** What lands here, for the acknowledgment and the console (`the hourly fan-out schedule`). */
  readonly edge: string;
}

/**
 * The dead-letter queue of an asynchronous edge (a Scheduler target, an EventBridge rule target,
 * a function's async invocations): SSE-SQS, TLS only, 14 days' retention. It is itself the last
 * stop, so it has no DLQ of its own.
 */
export class EdgeDeadLetterQueue extends Construct {
  readonly queue: Queue;

  constructor(scope: Construct, id: string, props: EdgeDeadLetterQueueProps) {
    super(scope, id);
    this.queue = new Queue(this, 'Resource', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeLastStop(this.queue, props.edge);
  }
}

/** Acknowledges, on a dead-letter queue, the findings that ask it for a dead-letter queue. */
export function acknowledgeLastStop(queue: Queue, edge: string): void {
  Validations.of(queue).acknowledge(
    {
      id: 'AwsSolutions-SQS3',
      reason: `Dead-letter queue of ${edge}: the last stop, alarmed on and redriven by hand.`,
    },
    {
      id: 'Serverless::Serverless-SQSRedrivePolicy',
      reason: `Dead-letter queue of ${edge}: the last stop, alarmed on and redriven by hand.`,
    },
  );
}
