import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { AgentAlarms, type AgentAlarmsProps } from './alarms.js';
import { AgentDashboard } from './dashboard.js';

/** Props for {@link AlarmTopic}. */
export interface AlarmTopicProps {
  /** On-call address to subscribe; SNS emails it a confirmation link first. No subscription when absent. */
  readonly email?: string;
}

/**
 * The SNS topic every CloudWatch alarm notifies (capability: observability). A topic policy
 * denies publishing without TLS.
 *
 * The topic is deliberately not KMS-encrypted: CloudWatch alarms cannot publish to a topic
 * encrypted with the AWS-managed SNS key (alias/aws/sns), whose key policy cannot grant
 * cloudwatch.amazonaws.com, and alarm notifications carry alarm names, states and metric values,
 * no customer data. A customer-managed key that grants CloudWatch can be added later. (cdk-nag 3's
 * AwsSolutions pack no longer has the SNS2 KMS rule, so there is nothing to acknowledge; the
 * HIPAA/NIST/PCI packs' SNSEncryptedKMS would need an acknowledgment with this reason.)
 */
export class AlarmTopic extends Construct {
  /** The topic; alarms add `new SnsAction(topic)`. */
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps = {}) {
    super(scope, id);
    this.topic = new Topic(this, 'Resource', { enforceSSL: true });
    if (props.email) this.topic.addSubscription(new EmailSubscription(props.email));
  }
}

/** Props for {@link AgentMonitoring}: what to watch, the topic to page, threshold overrides. */
export type AgentMonitoringProps = AgentAlarmsProps;

/**
 * Alarms and the dashboard over everything in the props (capability: observability). Create it
 * last in the stack; a later construct's resources are watched by adding them to the lists
 * (`functions`, `queues`, `stateMachines`) here, one line each.
 *
 * @example
 * new AgentMonitoring(this, 'Monitoring', {
 *   appName, stage, topic: alarmTopic.topic,
 *   functions: [...Object.values(cycle.functions), fanOut.listTenants],
 *   queues: { send: sendQueue, ingest: ingestQueue },
 *   stateMachines: { cycle: cycle.stateMachine, fanOut: fanOut.stateMachine },
 * });
 */
export class AgentMonitoring extends Construct {
  readonly alarms: AgentAlarms;
  readonly dashboard: AgentDashboard;

  constructor(scope: Construct, id: string, props: AgentMonitoringProps) {
    super(scope, id);
    this.alarms = new AgentAlarms(this, 'Alarms', props);
    this.dashboard = new AgentDashboard(this, 'Dashboard', {
      ...props,
      alarms: this.alarms.alarms.map((entry) => entry.alarm),
      annotations: {
        cycleFailureRatePercent: this.alarms.thresholds.cycleFailureRatePercent,
        engagementComplianceRatePercent: this.alarms.thresholds.engagementComplianceRatePercent,
      },
    });
  }
}
