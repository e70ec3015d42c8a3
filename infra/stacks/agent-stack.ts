import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { Construct } from 'constructs';
import { QUEUE_DEFINITIONS } from '../../shared/messaging/queue-definitions.js';
import { KillSwitch } from '../constructs/control.js';
import { CycleStateMachine } from '../constructs/cycle.js';
import { FanOut } from '../constructs/fan-out.js';
import { Ingest } from '../constructs/ingest.js';
import { AgentMonitoring, AlarmTopic } from '../constructs/observability.js';
import { AgentQueue } from '../constructs/queue-with-dlq.js';
import { Sending } from '../constructs/sending.js';
import { AgentTable } from '../constructs/storage.js';
import type { StageConfig } from '../stage-config.js';

/** Props for {@link AgentStack}. */
export interface AgentStackProps extends StackProps {
  /** Stage settings parsed from CDK context by `infra/app.ts`. */
  readonly config: StageConfig;
}

/**
 * The engagement agent for one stage. It only composes constructs; behaviour lives in them.
 *
 * Construct ids below determine CloudFormation logical ids. The table and queues are stateful:
 * renaming or moving them replaces the resource (and loses its data), so their ids are frozen and
 * `test/infra/agent-stack.test.ts` pins the resulting logical ids.
 */
export class AgentStack extends Stack {
  readonly table: AgentTable;
  readonly sendQueue: AgentQueue;
  readonly ingestQueue: AgentQueue;
  readonly killSwitch: KillSwitch;
  readonly alarmTopic: AlarmTopic;
  /** The per-tenant hourly cycle (Standard state machine, one function per step). */
  readonly cycle: CycleStateMachine;
  /** The hourly schedule and the machine that starts one cycle per enabled tenant. */
  readonly fanOut: FanOut;
  /** The outbound email pipeline: sender, SES configuration set, feedback, unsubscribe URL. */
  readonly sending: Sending;
  /** Gmail ingest: the 5-minute poller schedule and the ingest queue consumer. */
  readonly ingest: Ingest;
  /** Alarms (to the alarm topic) and the dashboard over everything above; created last. */
  readonly monitoring: AgentMonitoring;

  constructor(scope: Construct, id: string, props: AgentStackProps) {
    const { config, ...stackProps } = props;
    super(scope, id, {
      description: `Engagement agent (${config.appName}, stage ${config.stage})`,
      terminationProtection: config.stage === 'prod',
      ...stackProps,
    });

    this.table = new AgentTable(this, 'Table', { retain: config.stage === 'prod' });
    this.sendQueue = new AgentQueue(this, 'SendQueue', { definition: QUEUE_DEFINITIONS.send });
    this.ingestQueue = new AgentQueue(this, 'IngestQueue', {
      definition: QUEUE_DEFINITIONS.ingest,
    });
    this.killSwitch = new KillSwitch(this, 'KillSwitch', {
      appName: config.appName,
      stage: config.stage,
    });
    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', { email: config.alarmEmail });
    this.cycle = new CycleStateMachine(this, 'Cycle', {
      appName: config.appName,
      stage: config.stage,
      sendMode: config.sendMode,
      ...(config.fromAddress ? { fromAddress: config.fromAddress } : {}),
      table: this.table.table,
      sendQueue: this.sendQueue.queue,
      killSwitch: this.killSwitch.parameter,
      drafting: { mode: config.llmMode, bedrockModelId: config.bedrockModelId },
      orgCycleConcurrency: config.orgCycleConcurrency,
    });
    // Every schedule of the stack, so its Scheduler metrics (per group) are the agent's alone.
    const scheduleGroup = new ScheduleGroup(this, 'Schedules', {
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.fanOut = new FanOut(this, 'FanOut', {
      scheduleGroup,
      appName: config.appName,
      stage: config.stage,
      table: this.table.table,
      cycleStateMachine: this.cycle.stateMachine,
    });
    this.sending = new Sending(this, 'Sending', {
      sendingIdentities: config.sendingIdentities,
      ...(config.sesTenants ? { sesTenants: true } : {}),
      appName: config.appName,
      stage: config.stage,
      sendMode: config.sendMode,
      ...(config.fromAddress ? { fromAddress: config.fromAddress } : {}),
      table: this.table.table,
      sendQueue: this.sendQueue.queue,
      sendDeadLetterQueue: this.sendQueue.deadLetterQueue,
      killSwitch: this.killSwitch.parameter,
    });
    this.ingest = new Ingest(this, 'Ingest', {
      scheduleGroup,
      appName: config.appName,
      stage: config.stage,
      table: this.table.table,
      ingestQueue: this.ingestQueue,
      killSwitch: this.killSwitch.parameter,
    });
    // A later construct's functions, queues and state machines get alarms and dashboard
    // widgets by being added to these lists.
    this.monitoring = new AgentMonitoring(this, 'Monitoring', {
      appName: config.appName,
      stage: config.stage,
      topic: this.alarmTopic.topic,
      runbookUrl: config.runbookUrl,
      functions: [
        ...Object.values(this.cycle.functions),
        this.fanOut.listTenants,
        this.sending.sender,
        this.sending.unsubscribe,
        this.sending.feedback,
        ...this.ingest.functions,
      ],
      queues: { send: this.sendQueue, ingest: this.ingestQueue },
      stateMachines: { cycle: this.cycle.stateMachine, fanOut: this.fanOut.stateMachine },
      scheduleGroup,
      eventRules: { sesFeedback: this.sending.feedbackRule },
      edgeDeadLetterQueues: {
        fanOutSchedule: this.fanOut.scheduleDeadLetterQueue.queue,
        gmailPoll: this.ingest.pollDeadLetterQueue.queue,
        sesFeedback: this.sending.feedbackDeadLetterQueue.queue,
      },
    });

    new CfnOutput(this, 'TableName', {
      description: 'Single DynamoDB table',
      value: this.table.table.tableName,
    });
    new CfnOutput(this, 'KillSwitchParameterName', {
      description: 'SSM parameter that stops all agent activity when "on"',
      value: this.killSwitch.parameter.parameterName,
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'SNS topic alarms notify',
      value: this.alarmTopic.topic.topicArn,
    });
    new CfnOutput(this, 'ApprovalTopicArn', {
      description: 'SNS topic approvers subscribe to (rollout phase assisted)',
      value: this.cycle.approvalTopic.topicArn,
    });
    new CfnOutput(this, 'SendQueueUrl', {
      description: 'Outbound email queue',
      value: this.sendQueue.queue.queueUrl,
    });
    new CfnOutput(this, 'SendDeadLetterQueueUrl', {
      description: 'Dead-letter queue of the send queue',
      value: this.sendQueue.deadLetterQueue.queueUrl,
    });
    new CfnOutput(this, 'IngestQueueUrl', {
      description: 'Gmail ingest queue',
      value: this.ingestQueue.queue.queueUrl,
    });
    new CfnOutput(this, 'CycleStateMachineArn', {
      description: 'Per-tenant hourly cycle state machine',
      value: this.cycle.stateMachine.stateMachineArn,
    });
    new CfnOutput(this, 'FanOutStateMachineArn', {
      description: 'Hourly fan-out state machine (started by the schedule)',
      value: this.fanOut.stateMachine.stateMachineArn,
    });
    new CfnOutput(this, 'SesTenantPrefix', {
      description:
        'SES tenants of this stage are <prefix>-<tenantId> (agentctl tenant enable creates them)',
      value: this.sending.sesTenantPrefix,
    });
    new CfnOutput(this, 'SesConfigurationSetArn', {
      description: 'Configuration set every SES tenant of this stage is associated with',
      value: this.sending.configurationSetArn,
    });
    new CfnOutput(this, 'SesDefaultFromDomain', {
      description: 'SES identity of tenants that set no sending.fromAddress',
      value: this.sending.defaultFromDomain,
    });
    new CfnOutput(this, 'SesTenantAdminPolicyArn', {
      description: 'Managed policy an operator needs to create this stage SES tenants',
      value: this.sending.sesTenantAdminPolicy.managedPolicyArn,
    });
    new CfnOutput(this, 'IngestDeadLetterQueueUrl', {
      description: 'Dead-letter queue of the ingest queue',
      value: this.ingestQueue.deadLetterQueue.queueUrl,
    });
    new CfnOutput(this, 'UnsubscribeUrl', {
      description: 'Unsubscribe Function URL the sender links to (agentctl canary calls it)',
      value: this.sending.unsubscribeUrl.url,
    });
    new CfnOutput(this, 'UnsubscribeSigningSecretArn', {
      description:
        'Secret holding the unsubscribe signing key (agentctl canary signs its link with it)',
      value: this.sending.signingKey.secretArn,
    });
  }
}
