import { Duration, Stack } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  MathExpression,
  PeriodOverride,
  TextWidget,
  type IAlarm,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import {
  CYCLE_PHASES,
  EMAIL_SEND_OUTCOMES,
  METRIC_DIMENSIONS,
  METRIC_NAMES,
} from '../../shared/observability/metric-names.js';
import { agentMetric, type MonitoredResources } from './alarms.js';
import { defaultRunbookUrl } from '../stage-config.js';

/** Props for {@link AgentDashboard}. */
export interface AgentDashboardProps extends MonitoredResources {
  /** The runbook page the text widget links. @default {@link defaultRunbookUrl} of `appName` */
  readonly runbookUrl?: string;
  /** Alarms shown in the status widget at the top. */
  readonly alarms?: readonly IAlarm[];
  /** Thresholds drawn as horizontal lines on the matching graphs. */
  readonly annotations?: {
    readonly cycleFailureRatePercent?: number;
    readonly engagementComplianceRatePercent?: number;
  };
}

const WIDE = 12;
const THIRD = 8;
const HEIGHT = 6;

/**
 * The operations dashboard (capability: observability), named after the stack: alarm status,
 * cycles and their failure rate, phase durations, actions by outcome, policy blocks, compliance,
 * orders, sends by outcome, bounces and complaints, ingest volume, DLQ depth, state machine
 * executions and Lambda errors/throttles. Metrics nobody emits yet draw empty graphs.
 *
 * @example
 * new AgentDashboard(this, 'Dashboard', { appName, stage, alarms: alarms.alarms.map((a) => a.alarm) });
 */
export class AgentDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: AgentDashboardProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;
    const hour = Duration.hours(1);
    const m = (name: string, options: Parameters<typeof agentMetric>[2] = {}) =>
      agentMetric(props, name, { period: hour, ...options });
    const graph = (
      title: string,
      left: IMetric[],
      width = THIRD,
      extra: Partial<ConstructorParameters<typeof GraphWidget>[0]> = {},
    ) => new GraphWidget({ title, left, width, height: HEIGHT, ...extra });

    this.dashboard = new Dashboard(this, 'Resource', {
      dashboardName: stackName,
      defaultInterval: Duration.days(1),
      periodOverride: PeriodOverride.INHERIT,
    });

    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          `# ${stackName}\n` +
          `Engagement agent (${props.appName}, stage ${props.stage}). Every alarm links its section ` +
          `of the [runbook](${props.runbookUrl ?? defaultRunbookUrl(props.appName)}). From a shell: \`npx agentctl health\` · \`npx agentctl preflight\`.`,
        width: THIRD,
        height: HEIGHT,
      }),
      new AlarmStatusWidget({
        title: 'Alarm status',
        alarms: [...(props.alarms ?? [])],
        width: 24 - THIRD,
        height: HEIGHT,
      }),
    );

    const completed = m(METRIC_NAMES.cyclesCompleted, { label: 'completed' });
    const failed = m(METRIC_NAMES.cyclesFailed, { label: 'failed' });
    this.dashboard.addWidgets(
      graph('Cycles per hour', [
        completed,
        failed,
        m(METRIC_NAMES.cyclesSkipped, { label: 'skipped' }),
      ]),
      graph(
        'Cycle failure rate (%)',
        [
          new MathExpression({
            expression: 'IF((FILL(c,0)+FILL(f,0)) > 0, 100*FILL(f,0)/(FILL(c,0)+FILL(f,0)), 0)',
            usingMetrics: { c: completed, f: failed },
            period: hour,
            label: 'failure rate',
          }),
        ],
        THIRD,
        props.annotations?.cycleFailureRatePercent === undefined
          ? {}
          : {
              leftAnnotations: [
                { value: props.annotations.cycleFailureRatePercent, label: 'alarm' },
              ],
            },
      ),
      graph(
        'Phase duration p90 (ms)',
        CYCLE_PHASES.map((phase) =>
          m(METRIC_NAMES.phaseDuration, {
            statistic: 'p90',
            dimensions: { [METRIC_DIMENSIONS.phase]: phase },
            label: phase,
          }),
        ),
      ),
    );

    this.dashboard.addWidgets(
      graph('Actions by outcome', [
        m(METRIC_NAMES.actionsPlanned, { label: 'planned' }),
        m(METRIC_NAMES.actionsExecuted, { label: 'executed' }),
        m(METRIC_NAMES.actionsBlocked, { label: 'blocked' }),
        m(METRIC_NAMES.actionsDeferred, { label: 'deferred' }),
        m(METRIC_NAMES.actionsFailed, { label: 'failed' }),
      ]),
      graph('Policy blocks and orders', [
        m(METRIC_NAMES.policyBlocks, { label: 'policy blocks' }),
        m(METRIC_NAMES.ordersProcessed, { label: 'orders processed' }),
        m(METRIC_NAMES.orderExceptions, { label: 'order exceptions' }),
      ]),
      graph(
        'Engagement compliance (%)',
        [
          m(METRIC_NAMES.engagementComplianceRate, { statistic: 'Average', label: 'average' }),
          m(METRIC_NAMES.engagementComplianceRate, { statistic: 'Minimum', label: 'lowest' }),
        ],
        THIRD,
        {
          leftYAxis: { min: 0, max: 100 },
          ...(props.annotations?.engagementComplianceRatePercent === undefined
            ? {}
            : {
                leftAnnotations: [
                  { value: props.annotations.engagementComplianceRatePercent, label: 'alarm' },
                ],
              }),
        },
      ),
    );

    this.dashboard.addWidgets(
      graph(
        'Sends by outcome',
        EMAIL_SEND_OUTCOMES.map((outcome) =>
          m(METRIC_NAMES.emailSends, {
            dimensions: { [METRIC_DIMENSIONS.outcome]: outcome },
            label: outcome,
          }),
        ),
      ),
      graph('Bounces, complaints and provider failures', [
        m(METRIC_NAMES.emailBounces, { label: 'bounces' }),
        m(METRIC_NAMES.emailComplaints, { label: 'complaints' }),
        m(METRIC_NAMES.providerFailures, { label: 'provider failures' }),
      ]),
      graph('Ingest volume', [
        m(METRIC_NAMES.gmailMessagesProcessed, { label: 'messages processed' }),
        m(METRIC_NAMES.gmailMessagesDuplicate, { label: 'duplicates' }),
        m(METRIC_NAMES.gmailCardsCreated, { label: 'cards created' }),
        m(METRIC_NAMES.gmailQuotaErrors, { label: 'quota errors' }),
        m(METRIC_NAMES.outcomesFolded, { label: 'outcomes folded (React)' }),
      ]),
    );

    const five = Duration.minutes(5);
    this.dashboard.addWidgets(
      graph(
        'Dead-letter queue depth',
        Object.entries(props.queues ?? {}).map(([name, queue]) =>
          queue.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
            statistic: 'Maximum',
            period: five,
            label: `${name} DLQ`,
          }),
        ),
        WIDE,
      ),
      graph(
        'Queue depth and age',
        Object.entries(props.queues ?? {}).flatMap(([name, queue]) => [
          queue.queue.metricApproximateNumberOfMessagesVisible({
            statistic: 'Maximum',
            period: five,
            label: `${name} visible`,
          }),
        ]),
        WIDE,
        {
          right: Object.entries(props.queues ?? {}).map(([name, queue]) =>
            queue.queue.metricApproximateAgeOfOldestMessage({
              statistic: 'Maximum',
              period: five,
              label: `${name} oldest (s)`,
            }),
          ),
        },
      ),
    );

    this.dashboard.addWidgets(
      graph(
        'Step Functions executions',
        Object.entries(props.stateMachines ?? {}).flatMap(([name, machine]) => [
          machine.metricSucceeded({ statistic: 'Sum', period: hour, label: `${name} succeeded` }),
          machine.metricFailed({ statistic: 'Sum', period: hour, label: `${name} failed` }),
          machine.metricTimedOut({ statistic: 'Sum', period: hour, label: `${name} timed out` }),
        ]),
        WIDE,
      ),
      graph(
        'Lambda errors and throttles',
        (props.functions ?? []).map((fn) =>
          fn.lambda.metricErrors({ statistic: 'Sum', period: five, label: `${fn.serviceName}` }),
        ),
        WIDE,
        {
          right: (props.functions ?? []).map((fn) =>
            fn.lambda.metricThrottles({
              statistic: 'Sum',
              period: five,
              label: `${fn.serviceName} throttles`,
            }),
          ),
        },
      ),
    );
  }
}
