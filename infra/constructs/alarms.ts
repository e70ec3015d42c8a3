import { Duration, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  AnomalyDetectionAlarm,
  ComparisonOperator,
  MathExpression,
  Metric,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IRule } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { Stage } from '../../shared/config.js';
import {
  agentMetricDimensions,
  KILL_SWITCH_SKIP_REASON,
  METRIC_DIMENSIONS,
  METRIC_NAMES,
} from '../../shared/observability/metric-names.js';
import { DRAFTING_METRICS } from '../../shared/drafting/drafting-metrics.js';
import { METRIC_NAMESPACE } from '../../shared/observability/observability.js';
import { defaultRunbookUrl } from '../stage-config.js';

/** The runbook's place in this repository (what `defaultRunbookUrl` links to). */
export const RUNBOOK_PATH = 'docs/RUNBOOK.md';

/** The link to one alarm kind's runbook section: `<runbookUrl>#<lower-cased section>`. */
export function runbookUrlFor(runbookUrl: string, kind: AlarmKind): string {
  return `${runbookUrl}#${ALARM_RUNBOOK_SECTIONS[kind].toLowerCase()}`;
}

/**
 * The runbook section of each alarm kind: a `###` heading in docs/RUNBOOK.md whose GitHub anchor
 * is the lower-cased key (a test checks every heading exists).
 */
export const ALARM_RUNBOOK_SECTIONS = {
  CycleFailureRate: 'CycleFailureRate',
  TenantLockHeld: 'TenantLockHeld',
  PolicyBlockSpike: 'PolicyBlockSpike',
  EngagementComplianceLow: 'EngagementComplianceLow',
  OrderExceptionRate: 'OrderExceptionRate',
  SendVolumeAnomaly: 'SendVolumeAnomaly',
  ProviderFailures: 'ProviderFailures',
  SendsUnknown: 'SendsUnknown',
  GmailQuotaErrors: 'GmailQuotaErrors',
  BounceRate: 'BounceRate',
  ComplaintRate: 'ComplaintRate',
  KillSwitchOn: 'KillSwitchOn',
  DeadLetterMessages: 'DeadLetterMessages',
  StateMachineFailed: 'StateMachineFailed',
  StateMachineTimedOut: 'StateMachineTimedOut',
  LambdaErrors: 'LambdaErrors',
  LambdaThrottles: 'LambdaThrottles',
  DraftCircuitOpen: 'DraftCircuitOpen',
  CycleStartsFailed: 'CycleStartsFailed',
  ScheduleTargetErrors: 'ScheduleTargetErrors',
  ScheduleInvocationsDropped: 'ScheduleInvocationsDropped',
  EventRuleFailedInvocations: 'EventRuleFailedInvocations',
} as const;

/** An alarm kind (also the runbook heading). */
export type AlarmKind = keyof typeof ALARM_RUNBOOK_SECTIONS;

/** The thresholds of {@link AgentAlarms}; every one is a prop with the default. */
export interface AlarmThresholds {
  /** Failed cycles as a percentage of finished (completed + failed) cycles in an hour. Alarm above. */
  readonly cycleFailureRatePercent: number;
  /** Age in seconds of a tenant lock another run found held (`LockHeldSeconds`). Alarm above. */
  readonly lockHeldSeconds: number;
  /** Policy blocks in one hour. Alarm at or above. */
  readonly policyBlocksPerHour: number;
  /** Average engagement compliance (% of contacts touched within the window). Alarm below. */
  readonly engagementComplianceRatePercent: number;
  /** Hours in a row compliance must be low before the alarm fires (it moves slowly). */
  readonly engagementComplianceHours: number;
  /** Order exceptions as a percentage of orders processed in an hour. Alarm above. */
  readonly orderExceptionRatePercent: number;
  /** Width in standard deviations of the anomaly band around normal hourly send volume. */
  readonly sendVolumeAnomalyStdDevs: number;
  /** Provider (SES) failures in 15 minutes. Alarm at or above. */
  readonly providerFailuresPer15Minutes: number;
  /** Gmail quota/rate-limit errors in 15 minutes. Alarm at or above. */
  readonly gmailQuotaErrorsPer15Minutes: number;
  /** Messages visible in a dead-letter queue. Alarm at or above. */
  readonly deadLetterMessages: number;
  /** Failed executions of one state machine in 5 minutes. Alarm at or above. */
  readonly stateMachineFailures: number;
  /** Timed-out executions of one state machine in 5 minutes. Alarm at or above. */
  readonly stateMachineTimeouts: number;
  /** Errors of one function in 5 minutes. Alarm at or above. */
  readonly lambdaErrors: number;
  /** Throttles of one function in 5 minutes. Alarm at or above. */
  readonly lambdaThrottles: number;
  /** Bounces as a percentage of sent emails over {@link AlarmThresholds.rateWindowHours}. Alarm above. */
  readonly bounceRatePercent: number;
  /** Complaints as a percentage of sent emails over {@link AlarmThresholds.rateWindowHours}. Alarm above. */
  readonly complaintRatePercent: number;
  /** Bounce and complaint rates count only once this many emails were sent in the window. */
  readonly minimumSendsForRates: number;
  /** Window of the bounce and complaint rates, in hours. */
  readonly rateWindowHours: number;
}

/** The defaults (seeds: autonomous-agent-progress.md "Alerts", go-live-runbook.md Part 3). */
export const DEFAULT_ALARM_THRESHOLDS: AlarmThresholds = {
  cycleFailureRatePercent: 20,
  lockHeldSeconds: 3_600,
  policyBlocksPerHour: 10,
  engagementComplianceRatePercent: 80,
  engagementComplianceHours: 3,
  orderExceptionRatePercent: 10,
  sendVolumeAnomalyStdDevs: 2,
  providerFailuresPer15Minutes: 5,
  gmailQuotaErrorsPer15Minutes: 1,
  deadLetterMessages: 1,
  stateMachineFailures: 1,
  stateMachineTimeouts: 1,
  lambdaErrors: 1,
  lambdaThrottles: 1,
  bounceRatePercent: 5,
  complaintRatePercent: 0.1,
  minimumSendsForRates: 50,
  rateWindowHours: 6,
};

/** A function to watch for errors and throttles; an `AgentFunction` fits as is. */
export interface MonitoredFunction {
  /** Short name used in alarm names (`LambdaErrors-<serviceName>`). */
  readonly serviceName: string;
  readonly lambda: IFunction;
}

/** A work queue with its dead-letter queue; an `AgentQueue` fits as is. */
export interface MonitoredQueue {
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
}

/** What {@link AgentAlarms} and the dashboard watch: everything the stack has built so far. */
export interface MonitoredResources {
  readonly appName: string;
  readonly stage: Stage;
  /** Every Lambda function of the stack. */
  readonly functions?: readonly MonitoredFunction[];
  /** Work queues with DLQs, by short name (`send`, `ingest` …); the name appears in alarm names. */
  readonly queues?: Readonly<Record<string, MonitoredQueue>>;
  /** State machines by short name (`cycle`, `fanOut` …). */
  readonly stateMachines?: Readonly<Record<string, IStateMachine>>;
  /** The group holding every schedule of the stack (Scheduler metrics are per group). */
  readonly scheduleGroup?: IScheduleGroup;
  /** EventBridge rules whose target invocations must not fail, by short name. */
  readonly eventRules?: Readonly<Record<string, IRule>>;
  /** Dead-letter queues of asynchronous edges (schedules, rules, async invokes), by short name. */
  readonly edgeDeadLetterQueues?: Readonly<Record<string, IQueue>>;
}

/** Props for {@link AgentAlarms}. */
export interface AgentAlarmsProps extends MonitoredResources {
  /** Every alarm notifies this topic when it goes to ALARM and back to OK. */
  readonly topic: ITopic;
  /** Overrides of {@link DEFAULT_ALARM_THRESHOLDS}. */
  readonly thresholds?: Partial<AlarmThresholds>;
  /** The runbook page (absolute URL, no fragment). @default {@link defaultRunbookUrl} of `appName` */
  readonly runbookUrl?: string;
}

/** One alarm the construct created, with what the runbook and the tests need to know about it. */
export interface AgentAlarm {
  /** `<kind>` or `<kind>-<resource>`; the alarm is named `<stackName>-<key>`. */
  readonly key: string;
  readonly kind: AlarmKind;
  readonly alarm: Alarm;
  readonly threshold: number;
}

/** A metric of the agent's namespace with the dimensions every agent metric carries. */
export function agentMetric(
  resources: Pick<MonitoredResources, 'appName' | 'stage'>,
  metricName: string,
  options: {
    readonly statistic?: string;
    readonly period?: Duration;
    readonly dimensions?: Readonly<Record<string, string>>;
    readonly label?: string;
  } = {},
): Metric {
  return new Metric({
    namespace: METRIC_NAMESPACE,
    metricName,
    dimensionsMap: {
      ...agentMetricDimensions(resources.appName, resources.stage),
      ...options.dimensions,
    },
    statistic: options.statistic ?? 'Sum',
    period: options.period ?? Duration.hours(1),
    ...(options.label ? { label: options.label } : {}),
  });
}

/**
 * The alarms that page on-call (capability: observability). Each notifies the SNS topic on ALARM
 * and OK, is named `<stackName>-<key>` (the stable name on-call sees in the page and `agentctl
 * health` lists) and has a description that links its runbook section (`runbookUrl`). Missing data is
 * never breaching: a metric nobody emits yet (the sender, Gmail ingest) leaves its alarm quiet.
 *
 * Application alarms read the custom metrics of shared/observability/metric-names.ts with the
 * dimensions `{ service: appName, stage }`; resource alarms (DLQs, state machines, functions) are
 * created for everything in the props, so a new construct's resources get alarms by being added
 * to the lists in AgentStack.
 *
 * @example
 * new AgentAlarms(this, 'Alarms', { appName, stage, topic, functions, queues: { send: sendQueue } });
 */
export class AgentAlarms extends Construct {
  /** Every alarm, in creation order. */
  readonly alarms: AgentAlarm[] = [];
  /** The thresholds in force (defaults merged with the props). */
  readonly thresholds: AlarmThresholds;
  private readonly action: SnsAction;
  private readonly prefix: string;
  private readonly runbookUrl: string;

  constructor(scope: Construct, id: string, props: AgentAlarmsProps) {
    super(scope, id);
    this.thresholds = { ...DEFAULT_ALARM_THRESHOLDS, ...props.thresholds };
    this.action = new SnsAction(props.topic);
    this.prefix = Stack.of(this).stackName;
    this.runbookUrl = props.runbookUrl ?? defaultRunbookUrl(props.appName);
    const t = this.thresholds;
    const m = (name: string, options: Parameters<typeof agentMetric>[2] = {}) =>
      agentMetric(props, name, options);

    // Cycles: failure rate over finished cycles (skipped ones are neither).
    const hour = Duration.hours(1);
    this.add('CycleFailureRate', {
      metric: new MathExpression({
        expression: 'IF((FILL(c,0)+FILL(f,0)) > 0, 100*FILL(f,0)/(FILL(c,0)+FILL(f,0)), 0)',
        usingMetrics: { c: m(METRIC_NAMES.cyclesCompleted), f: m(METRIC_NAMES.cyclesFailed) },
        period: hour,
        label: 'Cycle failure rate (%)',
      }),
      threshold: t.cycleFailureRatePercent,
      comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
      summary: `More than ${t.cycleFailureRatePercent}% of the hour's finished cycles failed.`,
    });
    this.add('TenantLockHeld', {
      metric: m(METRIC_NAMES.lockHeldSeconds, { statistic: 'Maximum' }),
      threshold: t.lockHeldSeconds,
      comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
      summary:
        `A cycle found its tenant's lock held by another run for more than ${t.lockHeldSeconds} s ` +
        '(LockHeldSeconds, emitted by BeginCycle on contention).',
    });
    this.add('PolicyBlockSpike', {
      metric: m(METRIC_NAMES.policyBlocks),
      threshold: t.policyBlocksPerHour,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      summary: `${t.policyBlocksPerHour} or more actions were blocked by policy within one hour.`,
    });
    this.add('EngagementComplianceLow', {
      metric: m(METRIC_NAMES.engagementComplianceRate, { statistic: 'Average' }),
      threshold: t.engagementComplianceRatePercent,
      comparison: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: t.engagementComplianceHours,
      summary:
        `Average engagement compliance stayed below ${t.engagementComplianceRatePercent}% ` +
        `for ${t.engagementComplianceHours} hours.`,
    });
    this.add('OrderExceptionRate', {
      metric: new MathExpression({
        expression: 'IF(FILL(p,0) > 0, 100*FILL(e,0)/FILL(p,0), 0)',
        usingMetrics: { p: m(METRIC_NAMES.ordersProcessed), e: m(METRIC_NAMES.orderExceptions) },
        period: hour,
        label: 'Order exception rate (%)',
      }),
      threshold: t.orderExceptionRatePercent,
      comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
      summary: `More than ${t.orderExceptionRatePercent}% of the hour's orders ended in an exception.`,
    });

    // Outbound email (metrics emitted by the sender and bounce handler of issue 5).
    this.addAnomaly('SendVolumeAnomaly', {
      metric: m(METRIC_NAMES.emailSends, {
        dimensions: { [METRIC_DIMENSIONS.outcome]: 'sent' },
      }),
      stdDevs: t.sendVolumeAnomalyStdDevs,
      summary:
        'Emails sent this hour are above the anomaly band of normal volume ' +
        `(${t.sendVolumeAnomalyStdDevs} standard deviations), standing in for "more than 200 % of normal".`,
    });
    this.add('ProviderFailures', {
      metric: m(METRIC_NAMES.providerFailures, { period: Duration.minutes(15) }),
      threshold: t.providerFailuresPer15Minutes,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      summary: `${t.providerFailuresPer15Minutes} or more email provider (SES) failures in 15 minutes.`,
    });
    this.add('SendsUnknown', {
      metric: m(METRIC_NAMES.sendsUnknown, { period: Duration.hours(1) }),
      threshold: 1,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      summary:
        'A send whose SES answer was lost was not settled by the event stream within the grace ' +
        'period: it counts as a touch and is never re-sent; check whether it reached the recipient.',
    });
    const rateWindow = Duration.hours(t.rateWindowHours);
    const sent = m(METRIC_NAMES.emailSends, {
      dimensions: { [METRIC_DIMENSIONS.outcome]: 'sent' },
      period: rateWindow,
    });
    for (const [kind, metricName, limit] of [
      ['BounceRate', METRIC_NAMES.emailBounces, t.bounceRatePercent],
      ['ComplaintRate', METRIC_NAMES.emailComplaints, t.complaintRatePercent],
    ] as const) {
      this.add(kind, {
        metric: new MathExpression({
          expression: `IF(FILL(s,0) >= ${t.minimumSendsForRates}, 100*FILL(n,0)/FILL(s,0), 0)`,
          usingMetrics: { s: sent, n: m(metricName, { period: rateWindow }) },
          period: rateWindow,
          label: `${kind} (%)`,
        }),
        threshold: limit,
        comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
        summary:
          `${kind === 'BounceRate' ? 'Bounces' : 'Complaints'} exceeded ${limit}% of emails sent ` +
          `over ${t.rateWindowHours} h (counted once ${t.minimumSendsForRates}+ emails were sent).`,
      });
    }

    // Gmail ingest (issue 6).
    this.add('GmailQuotaErrors', {
      metric: m(METRIC_NAMES.gmailQuotaErrors, { period: Duration.minutes(15) }),
      threshold: t.gmailQuotaErrorsPer15Minutes,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      summary: `Gmail API quota or rate-limit errors (${t.gmailQuotaErrorsPer15Minutes}+ in 15 minutes).`,
    });

    // Drafting (issue 16): the Bedrock provider's circuit opened; drafts fall back to templates.
    this.add('DraftCircuitOpen', {
      metric: m(DRAFTING_METRICS.circuitOpened, {
        dimensions: { provider: 'bedrock' },
        period: Duration.minutes(15),
      }),
      threshold: 1,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      summary:
        "The Bedrock drafting provider's circuit opened (5 errors or timeouts in 5 minutes): " +
        'emails are drafted from the messaging pack templates until it closes.',
    });

    // Kill switch: informational, so on-call knows the agent is stopped on purpose (or fail-closed).
    this.add('KillSwitchOn', {
      metric: m(METRIC_NAMES.cyclesSkipped, {
        dimensions: { [METRIC_DIMENSIONS.reason]: KILL_SWITCH_SKIP_REASON },
      }),
      threshold: 1,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      summary:
        'INFORMATIONAL: cycles were skipped because the kill switch is on (or unreadable, which ' +
        'counts as on). Nothing is broken if someone turned it on deliberately.',
    });

    this.add('CycleStartsFailed', {
      metric: m(METRIC_NAMES.cycleStartsFailed, { period: Duration.minutes(15) }),
      threshold: 1,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      summary:
        "The fan-out could not start a tenant's cycle (StartExecution failed after its retries); " +
        "that tenant's hour did not run.",
    });

    for (const [name, queue] of Object.entries(props.queues ?? {})) this.addQueue(name, queue);
    for (const [name, queue] of Object.entries(props.edgeDeadLetterQueues ?? {}))
      this.addDeadLetterQueue(name, queue);
    if (props.scheduleGroup) this.addScheduleGroup(props.scheduleGroup);
    for (const [name, rule] of Object.entries(props.eventRules ?? {}))
      this.addEventRule(name, rule);
    for (const [name, machine] of Object.entries(props.stateMachines ?? {}))
      this.addStateMachine(name, machine);
    for (const fn of props.functions ?? []) this.addFunction(fn);
  }

  /** Alarms when the queue's dead-letter queue holds a message. */
  addQueue(name: string, queue: MonitoredQueue): this {
    this.add('DeadLetterMessages', {
      resource: name,
      metric: queue.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        statistic: 'Maximum',
        period: Duration.minutes(5),
      }),
      threshold: this.thresholds.deadLetterMessages,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      summary: `The ${name} dead-letter queue holds messages that failed every delivery.`,
    });
    return this;
  }

  /** Alarms when a dead-letter queue of an asynchronous edge holds a message. */
  addDeadLetterQueue(name: string, queue: IQueue): this {
    this.add('DeadLetterMessages', {
      resource: name,
      metric: queue.metricApproximateNumberOfMessagesVisible({
        statistic: 'Maximum',
        period: Duration.minutes(5),
      }),
      threshold: this.thresholds.deadLetterMessages,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      summary: `The ${name} dead-letter queue holds events that were never handled.`,
    });
    return this;
  }

  /** Alarms on the schedule group's target errors and dropped invocations. */
  addScheduleGroup(group: IScheduleGroup): this {
    const period = Duration.minutes(15);
    this.add('ScheduleTargetErrors', {
      metric: group.metricTargetErrors({ statistic: 'Sum', period }),
      threshold: 1,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      summary:
        'EventBridge Scheduler could not invoke a target (fan-out machine or Gmail poller): ' +
        'TargetErrorCount; Scheduler retries until maxEventAge, then dead-letters.',
    });
    this.add('ScheduleInvocationsDropped', {
      metric: group.metricDropped({ statistic: 'Sum', period }),
      threshold: 1,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      summary:
        'EventBridge Scheduler dropped an invocation (InvocationDroppedCount): a scheduled fan-out ' +
        'or poll never ran and did not reach its dead-letter queue.',
    });
    return this;
  }

  /** Alarms on failed target invocations of an EventBridge rule. */
  addEventRule(name: string, rule: IRule): this {
    this.add('EventRuleFailedInvocations', {
      resource: name,
      metric: new Metric({
        namespace: 'AWS/Events',
        metricName: 'FailedInvocations',
        dimensionsMap: { RuleName: rule.ruleName },
        statistic: 'Sum',
        period: Duration.minutes(15),
      }),
      threshold: 1,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      summary: `The ${name} rule failed to deliver events to its target (FailedInvocations).`,
    });
    return this;
  }

  /** Alarms on a state machine's failed and timed-out executions. */
  addStateMachine(name: string, stateMachine: IStateMachine): this {
    const period = Duration.minutes(5);
    this.add('StateMachineFailed', {
      resource: name,
      metric: stateMachine.metricFailed({ statistic: 'Sum', period }),
      threshold: this.thresholds.stateMachineFailures,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      summary: `Executions of the ${name} state machine failed.`,
    });
    this.add('StateMachineTimedOut', {
      resource: name,
      metric: stateMachine.metricTimedOut({ statistic: 'Sum', period }),
      threshold: this.thresholds.stateMachineTimeouts,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      summary: `Executions of the ${name} state machine timed out (a timed-out cycle keeps its lock until the lease ends).`,
    });
    return this;
  }

  /** Alarms on a function's errors and throttles. */
  addFunction(fn: MonitoredFunction): this {
    const period = Duration.minutes(5);
    this.add('LambdaErrors', {
      resource: fn.serviceName,
      metric: fn.lambda.metricErrors({ statistic: 'Sum', period }),
      threshold: this.thresholds.lambdaErrors,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      summary: `The ${fn.serviceName} function reported errors.`,
    });
    this.add('LambdaThrottles', {
      resource: fn.serviceName,
      metric: fn.lambda.metricThrottles({ statistic: 'Sum', period }),
      threshold: this.thresholds.lambdaThrottles,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      summary: `The ${fn.serviceName} function was throttled.`,
    });
    return this;
  }

  private add(
    kind: AlarmKind,
    spec: {
      readonly metric: IMetric;
      readonly threshold: number;
      readonly comparison: ComparisonOperator;
      readonly summary: string;
      readonly resource?: string;
      readonly evaluationPeriods?: number;
    },
  ): Alarm {
    const key = spec.resource ? `${kind}-${spec.resource}` : kind;
    const alarm = new Alarm(this, key, {
      alarmName: `${this.prefix}-${key}`,
      alarmDescription: this.describe(kind, spec.summary),
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: spec.comparison,
      evaluationPeriods: spec.evaluationPeriods ?? 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    return this.register(key, kind, alarm, spec.threshold);
  }

  private addAnomaly(
    kind: AlarmKind,
    spec: { readonly metric: IMetric; readonly stdDevs: number; readonly summary: string },
  ): Alarm {
    const alarm = new AnomalyDetectionAlarm(this, kind, {
      alarmName: `${this.prefix}-${kind}`,
      alarmDescription: this.describe(kind, spec.summary),
      metric: spec.metric,
      stdDevs: spec.stdDevs,
      comparisonOperator: ComparisonOperator.GREATER_THAN_UPPER_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    return this.register(kind, kind, alarm, spec.stdDevs);
  }

  /** An alarm description: what happened, then the link to what to do. */
  private describe(kind: AlarmKind, summary: string): string {
    const section = ALARM_RUNBOOK_SECTIONS[kind];
    return `${summary} Runbook: ${runbookUrlFor(this.runbookUrl, kind)} (section "${section}").`;
  }

  private register(key: string, kind: AlarmKind, alarm: Alarm, threshold: number): Alarm {
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.push({ key, kind, alarm, threshold });
    return alarm;
  }
}
