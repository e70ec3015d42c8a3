import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AgentAlarms,
  ALARM_RUNBOOK_SECTIONS,
  DEFAULT_ALARM_THRESHOLDS,
} from '../../infra/constructs/alarms.js';
import { REPO_ROOT } from '../../infra/constructs/agent-function.js';
import { AgentStack } from '../../infra/stacks/agent-stack.js';
import { agentStackName, parseStageConfig } from '../../infra/stage-config.js';

type Resource = { Properties: Record<string, unknown>; Metadata?: unknown };
type Resources = Record<string, Resource>;

interface Synthesized {
  readonly app: App;
  readonly stack: AgentStack;
  readonly template: Template;
  readonly alarms: Resources;
}

/** The stack as infra/app.ts builds it, cdk-nag on, bundling skipped (template reads only). */
function synthesize(context: Record<string, unknown> = {}): Synthesized {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }),
  );
  const config = parseStageConfig(context);
  const stack = new AgentStack(app, agentStackName(config), { config });
  const template = Template.fromStack(stack);
  return {
    app,
    stack,
    template,
    alarms: template.findResources('AWS::CloudWatch::Alarm') as Resources,
  };
}

function alarmNamed(alarms: Resources, name: string): Resource['Properties'] {
  const found = Object.values(alarms).find((alarm) => alarm.Properties['AlarmName'] === name);
  if (!found) throw new Error(`no alarm named ${name}`);
  return found.Properties;
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to dashes. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .replace(/\s/g, '-');
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((entry) => {
    const path = join(directory, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const PREFIX = 'EngagementAgent-dev';
/** The alarm topic as an alarm action (its logical id starts with the construct id). */
const TOPIC_ACTION = [{ Ref: expect.stringMatching(/^AlarmTopic/) }];

describe('Infra: alarms and dashboard', () => {
  let synthesized: Synthesized;

  beforeAll(() => {
    synthesized = synthesize();
  });

  it.each([
    {
      case: 'cycle failure rate above 20 %',
      name: 'CycleFailureRate',
      threshold: 20,
      operator: 'GreaterThanThreshold',
    },
    {
      case: 'a tenant lock held over an hour',
      name: 'TenantLockHeld',
      threshold: 3_600,
      operator: 'GreaterThanThreshold',
    },
    {
      case: 'a policy block spike of 10 in an hour',
      name: 'PolicyBlockSpike',
      threshold: 10,
      operator: 'GreaterThanOrEqualToThreshold',
    },
    {
      case: 'engagement compliance below 80 %',
      name: 'EngagementComplianceLow',
      threshold: 80,
      operator: 'LessThanThreshold',
    },
    {
      case: 'order exception rate above 10 %',
      name: 'OrderExceptionRate',
      threshold: 10,
      operator: 'GreaterThanThreshold',
    },
    {
      case: '5 provider failures in 15 minutes',
      name: 'ProviderFailures',
      threshold: 5,
      operator: 'GreaterThanOrEqualToThreshold',
    },
    {
      case: 'Gmail quota errors',
      name: 'GmailQuotaErrors',
      threshold: 1,
      operator: 'GreaterThanOrEqualToThreshold',
    },
    {
      case: 'bounce rate above 5 %',
      name: 'BounceRate',
      threshold: 5,
      operator: 'GreaterThanThreshold',
    },
    {
      case: 'complaint rate above 0.1 %',
      name: 'ComplaintRate',
      threshold: 0.1,
      operator: 'GreaterThanThreshold',
    },
    {
      case: 'the kill switch on (informational)',
      name: 'KillSwitchOn',
      threshold: 1,
      operator: 'GreaterThanOrEqualToThreshold',
    },
  ])('alarms on $case with the default threshold and pages the topic', (row) => {
    // Act
    const alarm = alarmNamed(synthesized.alarms, `${PREFIX}-${row.name}`);

    // Assess
    expect(alarm).toMatchObject({
      Threshold: row.threshold,
      ComparisonOperator: row.operator,
      AlarmActions: TOPIC_ACTION,
      OKActions: TOPIC_ACTION,
      TreatMissingData: 'notBreaching',
    });
    expect(alarm['AlarmDescription']).toContain(`docs/RUNBOOK.md#${row.name.toLowerCase()}`);
  });

  it('checks the provider and Gmail counts over 15 minutes and the lock age over an hour', () => {
    expect(alarmNamed(synthesized.alarms, `${PREFIX}-ProviderFailures`)).toMatchObject({
      MetricName: 'ProviderFailures',
      Period: 900,
      Statistic: 'Sum',
    });
    expect(alarmNamed(synthesized.alarms, `${PREFIX}-GmailQuotaErrors`)).toMatchObject({
      MetricName: 'GmailQuotaErrors',
      Period: 900,
    });
    expect(alarmNamed(synthesized.alarms, `${PREFIX}-TenantLockHeld`)).toMatchObject({
      MetricName: 'LockHeldSeconds',
      Statistic: 'Maximum',
      Period: 3_600,
    });
  });

  it('alarms on send volume above the anomaly band of sent emails', () => {
    // Act
    const alarm = alarmNamed(synthesized.alarms, `${PREFIX}-SendVolumeAnomaly`);

    // Assess
    expect(alarm).toMatchObject({
      ComparisonOperator: 'GreaterThanUpperThreshold',
      ThresholdMetricId: 'expr_1',
      AlarmActions: TOPIC_ACTION,
      Metrics: expect.arrayContaining([
        expect.objectContaining({
          Expression: `ANOMALY_DETECTION_BAND(m0, ${DEFAULT_ALARM_THRESHOLDS.sendVolumeAnomalyStdDevs})`,
        }),
        expect.objectContaining({
          MetricStat: expect.objectContaining({
            Metric: expect.objectContaining({
              MetricName: 'EmailSends',
              Dimensions: expect.arrayContaining([{ Name: 'outcome', Value: 'sent' }]),
            }),
          }),
        }),
      ]),
    });
  });

  it('alarms on a message in every dead-letter queue', () => {
    // Prepare: the queues other queues redrive into, and the edges' dead-letter queues.
    const queues = synthesized.template.findResources('AWS::SQS::Queue') as Resources;
    const deadLetterIds = Object.entries(queues).flatMap(([id, queue]) => {
      const redrive = queue.Properties['RedrivePolicy'] as
        { deadLetterTargetArn: { 'Fn::GetAtt': [string, string] } } | undefined;
      const edge = /(ScheduleDeadLetterQueue|PollDeadLetterQueue|FeedbackDeadLetterQueue)/.test(id);
      return [
        ...(redrive ? [redrive.deadLetterTargetArn['Fn::GetAtt'][0]] : []),
        ...(edge ? [id] : []),
      ];
    });

    // Act
    const watched = Object.values(synthesized.alarms)
      .filter((alarm) => alarm.Properties['MetricName'] === 'ApproximateNumberOfMessagesVisible')
      .map((alarm) => {
        expect(alarm.Properties).toMatchObject({
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          AlarmActions: TOPIC_ACTION,
        });
        const dimension = (alarm.Properties['Dimensions'] as { Value: unknown }[])[0];
        return (dimension?.Value as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      });

    // Assess
    expect(deadLetterIds.length).toBeGreaterThanOrEqual(5);
    expect(watched.sort()).toEqual(deadLetterIds.sort());
  });

  it('alarms on failed and timed-out executions of every state machine', () => {
    // Prepare
    const machines = Object.keys(
      synthesized.template.findResources('AWS::StepFunctions::StateMachine'),
    );

    // Act
    const watched = (metricName: string) =>
      Object.values(synthesized.alarms)
        .filter((alarm) => alarm.Properties['MetricName'] === metricName)
        .map((alarm) => {
          expect(alarm.Properties).toMatchObject({
            Namespace: 'AWS/States',
            Threshold: 1,
            AlarmActions: TOPIC_ACTION,
          });
          const dimension = (alarm.Properties['Dimensions'] as { Value: unknown }[])[0];
          return (dimension?.Value as { Ref: string }).Ref;
        })
        .sort();

    // Assess
    expect(watched('ExecutionsFailed')).toEqual([...machines].sort());
    expect(watched('ExecutionsTimedOut')).toEqual([...machines].sort());
  });

  it('alarms on errors and throttles of every Lambda function', () => {
    // Prepare
    const functions = Object.keys(synthesized.template.findResources('AWS::Lambda::Function'));

    // Act
    const watched = (metricName: string) =>
      Object.values(synthesized.alarms)
        .filter(
          (alarm) =>
            alarm.Properties['Namespace'] === 'AWS/Lambda' &&
            alarm.Properties['MetricName'] === metricName,
        )
        .map((alarm) => {
          expect(alarm.Properties).toMatchObject({
            Threshold: 1,
            AlarmActions: TOPIC_ACTION,
          });
          const dimension = (alarm.Properties['Dimensions'] as { Value: unknown }[])[0];
          return (dimension?.Value as { Ref: string }).Ref;
        })
        .sort();

    // Assess
    expect(functions.length).toBeGreaterThanOrEqual(9);
    expect(watched('Errors')).toEqual([...functions].sort());
    expect(watched('Throttles')).toEqual([...functions].sort());
  });

  it('gives every alarm the SNS action and a description naming a runbook section that exists', () => {
    // Prepare
    const runbook = readFileSync(join(REPO_ROOT, 'docs', 'RUNBOOK.md'), 'utf8');
    const anchors = new Set(
      [...runbook.matchAll(/^#{2,4} (.+)$/gm)].map((match) => anchorOf(match[1] ?? '')),
    );

    // Act / Assess
    expect(Object.keys(synthesized.alarms).length).toBeGreaterThanOrEqual(35);
    for (const { Properties: alarm } of Object.values(synthesized.alarms)) {
      expect(alarm['AlarmActions'], String(alarm['AlarmName'])).toEqual(TOPIC_ACTION);
      const anchor = /docs\/RUNBOOK\.md#([a-z0-9-]+)/.exec(String(alarm['AlarmDescription']))?.[1];
      expect(anchor, String(alarm['AlarmName'])).toBeDefined();
      expect(anchors.has(anchor ?? ''), `${String(alarm['AlarmName'])} → #${anchor}`).toBe(true);
    }
    for (const section of Object.values(ALARM_RUNBOOK_SECTIONS))
      expect(anchors.has(section.toLowerCase()), section).toBe(true);
  });

  it('points every runbook link of agentctl and the constructs at a section that exists', () => {
    // Prepare
    const runbook = readFileSync(join(REPO_ROOT, 'docs', 'RUNBOOK.md'), 'utf8');
    const anchors = new Set(
      [...runbook.matchAll(/^#{2,4} (.+)$/gm)].map((match) => anchorOf(match[1] ?? '')),
    );
    const links = sourceFiles(join(REPO_ROOT, 'infra')).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/RUNBOOK\.md#([a-z0-9-]+)/g)].map(
        (match) => `${file}#${match[1]}`,
      ),
    );

    // Assess
    expect(links.length).toBeGreaterThan(10);
    for (const link of links) expect(anchors.has(link.split('#')[1] ?? ''), link).toBe(true);
  });

  it('builds one dashboard with every required view', () => {
    // Prepare
    const dashboards = synthesized.template.findResources(
      'AWS::CloudWatch::Dashboard',
    ) as Resources;

    // Act
    const [dashboard] = Object.values(dashboards);
    const body = JSON.stringify(dashboard?.Properties['DashboardBody']);

    // Assess
    expect(Object.keys(dashboards)).toHaveLength(1);
    expect(dashboard?.Properties['DashboardName']).toBe(PREFIX);
    for (const title of [
      'Alarm status',
      'Cycles per hour',
      'Phase duration',
      'Actions by outcome',
      'Sends by outcome',
      'Engagement compliance',
      'Ingest volume',
      'Dead-letter queue depth',
    ])
      expect(body, title).toContain(title);
  });

  it('turns tracing on and sets log retention for every Lambda function', () => {
    // Prepare
    const { template } = synthesized;
    const functions = template.findResources('AWS::Lambda::Function') as Resources;
    const logGroups = template.findResources('AWS::Logs::LogGroup') as Resources;

    // Act / Assess
    for (const [id, fn] of Object.entries(functions)) {
      expect(fn.Properties['TracingConfig'], id).toEqual({ Mode: 'Active' });
      const logGroupRef = (fn.Properties['LoggingConfig'] as { LogGroup?: { Ref?: string } })
        ?.LogGroup?.Ref;
      expect(logGroupRef, `${id} has an explicit log group`).toBeDefined();
      expect(logGroups[logGroupRef ?? '']?.Properties['RetentionInDays'], id).toBeGreaterThan(0);
      expect(fn.Properties['LoggingConfig'], id).toMatchObject({ LogFormat: 'JSON' });
    }
  });

  it('links every alarm description to an absolute runbook URL, by default the repository web view', () => {
    for (const { Properties: alarm } of Object.values(synthesized.alarms))
      expect(String(alarm['AlarmDescription']), String(alarm['AlarmName'])).toMatch(
        /Runbook: https:\/\/github\.com\/example-org\/engagement-agent\/blob\/main\/docs\/RUNBOOK\.md#[a-z0-9-]+ /,
      );
  });

  it('links the runbook URL given as CDK context runbookUrl in every alarm description', () => {
    const custom = synthesize({ runbookUrl: 'https://wiki.example.com/agent-runbook' });

    const descriptions = Object.values(custom.alarms).map((alarm) =>
      String(alarm.Properties['AlarmDescription']),
    );

    expect(descriptions.length).toBeGreaterThan(0);
    for (const description of descriptions)
      expect(description).toMatch(
        /Runbook: https:\/\/wiki\.example\.com\/agent-runbook#[a-z0-9-]+ /,
      );
  });

  it('keeps cdk-nag AwsSolutions clean with the alarms and dashboard', () => {
    // Act
    const report = new AwsSolutionsChecks().validateScope(synthesized.app);

    // Assess
    expect(report.violations.map((v) => `${v.severity} ${v.ruleName}`)).toEqual([]);
  });
});

describe('Infra: AgentAlarms thresholds', () => {
  it('takes every threshold as a prop over the defaults', () => {
    // Prepare
    const app = new App();
    const stack = new Stack(app, 'ThresholdProbe');
    const topic = new Topic(stack, 'Topic', { enforceSSL: true });

    // Act
    const alarms = new AgentAlarms(stack, 'Alarms', {
      appName: 'acme-agent',
      stage: 'prod',
      topic,
      thresholds: { cycleFailureRatePercent: 35, policyBlocksPerHour: 25 },
    });
    const template = Template.fromStack(stack);

    // Assess
    expect(alarms.thresholds).toEqual({
      ...DEFAULT_ALARM_THRESHOLDS,
      cycleFailureRatePercent: 35,
      policyBlocksPerHour: 25,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'ThresholdProbe-CycleFailureRate',
      Threshold: 35,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'ThresholdProbe-PolicyBlockSpike',
      Threshold: 25,
      MetricName: 'PolicyBlocks',
      Dimensions: [
        { Name: 'service', Value: 'acme-agent' },
        { Name: 'stage', Value: 'prod' },
      ],
    });
  });
});
