import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_DEFINITIONS } from '../../shared/messaging/queue-definitions.js';
import { KillSwitch } from '../../infra/constructs/control.js';
import {
  GMAIL_POLL_SCHEDULE,
  Ingest,
  INGEST_FUNCTION_TIMEOUT,
} from '../../infra/constructs/ingest.js';
import { AgentQueue } from '../../infra/constructs/queue-with-dlq.js';
import { AgentTable } from '../../infra/constructs/storage.js';
import { AgentStack } from '../../infra/stacks/agent-stack.js';
import { agentStackName, parseStageConfig } from '../../infra/stage-config.js';

interface Synthesized {
  readonly app: App;
  readonly stack: Stack;
  readonly ingest: Ingest;
  readonly queue: AgentQueue;
  readonly template: Template;
}

type Resources = Record<string, { Properties?: Record<string, unknown>; Metadata?: unknown }>;
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

/** The Ingest construct in a stack of its own, with cdk-nag registered; bundling skipped. */
function synthesize(): Synthesized {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }),
  );
  const stack = new Stack(app, 'IngestProbe');
  const table = new AgentTable(stack, 'Table', { retain: false });
  const queue = new AgentQueue(stack, 'IngestQueue', { definition: QUEUE_DEFINITIONS.ingest });
  const killSwitch = new KillSwitch(stack, 'KillSwitch', {
    appName: 'engagement-agent',
    stage: 'dev',
  });
  const ingest = new Ingest(stack, 'Ingest', {
    appName: 'engagement-agent',
    stage: 'dev',
    table: table.table,
    ingestQueue: queue,
    killSwitch: killSwitch.parameter,
  });
  return { app, stack, ingest, queue, template: Template.fromStack(stack) };
}

function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnResource);
}

/** Every policy statement attached to a function's role. */
function statementsOf(template: Template, roleId: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy') as Resources;
  return Object.values(policies)
    .filter((policy) => JSON.stringify(policy.Properties?.['Roles']).includes(roleId))
    .flatMap(
      (policy) => (policy.Properties?.['PolicyDocument'] as { Statement: Statement[] }).Statement,
    );
}

const actionsOf = (statements: Statement[]) => statements.flatMap((s) => [s.Action].flat());

describe('Infra: Ingest', () => {
  let synthesized: Synthesized;

  beforeAll(() => {
    synthesized = synthesize();
  });

  it('invokes the poller every 5 minutes from an EventBridge Scheduler schedule with the scheduled time', () => {
    const { stack, ingest, template } = synthesized;

    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: GMAIL_POLL_SCHEDULE,
      State: 'ENABLED',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [logicalId(stack, ingest.poller.lambda), 'Arn'] },
        Input: JSON.stringify({ scheduledTime: '<aws.scheduler.scheduled-time>' }),
        RetryPolicy: Match.objectLike({ MaximumEventAgeInSeconds: 240 }),
      }),
    });
    expect(GMAIL_POLL_SCHEDULE).toBe('rate(5 minutes)');
  });

  it('consumes the ingest queue with an SQS event source that reports batch item failures', () => {
    const { stack, ingest, queue, template } = synthesized;

    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(stack, ingest.ingest.lambda) },
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack, queue.queue), 'Arn'] },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });

  it('keeps the queue visibility timeout at six times the ingest timeout and the claim lease between them', () => {
    const { stack, ingest, template } = synthesized;
    const functions = template.findResources('AWS::Lambda::Function') as Resources;
    const properties = functions[logicalId(stack, ingest.ingest.lambda)]?.Properties ?? {};
    const lease = Number(
      (properties['Environment'] as { Variables: Record<string, string> }).Variables[
        'INGEST_LEASE_SECONDS'
      ],
    );

    expect(properties['Timeout']).toBe(INGEST_FUNCTION_TIMEOUT.toSeconds());
    expect(QUEUE_DEFINITIONS.ingest.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(
      6 * INGEST_FUNCTION_TIMEOUT.toSeconds(),
    );
    expect(lease).toBeGreaterThan(INGEST_FUNCTION_TIMEOUT.toSeconds());
    expect(lease).toBeLessThan(QUEUE_DEFINITIONS.ingest.visibilityTimeoutSeconds);
  });

  it('passes the poller its table, ingest queue, kill switch and secret prefix', () => {
    const { stack, ingest, queue, template } = synthesized;

    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'gmail-poller',
          TABLE_NAME: Match.anyValue(),
          INGEST_QUEUE_URL: { Ref: logicalId(stack, queue.queue) },
          KILL_SWITCH_PARAMETER: Match.anyValue(),
          GMAIL_SECRET_PREFIX: 'engagement-agent/dev/gmail',
        }),
      },
    });
    expect(ingest.secretPrefix).toBe('engagement-agent/dev/gmail');
  });

  it.each([{ fn: 'poller' as const }, { fn: 'ingest' as const }])(
    'lets the $fn function read only the stage Gmail secrets of its session tenant and write no secret',
    ({ fn }) => {
      const { stack, ingest, template } = synthesized;
      const roleOf = (role: { node: { defaultChild?: unknown } }) =>
        stack.getLogicalId(role.node.defaultChild as CfnResource);
      const own = statementsOf(template, roleOf(ingest[fn].role));
      const statements = statementsOf(template, roleOf(ingest[fn].tenantDataRole!));
      const secretStatements = statements.filter((s) =>
        actionsOf([s]).some((a) => a.startsWith('secretsmanager:')),
      );

      expect(actionsOf(secretStatements).sort()).toEqual([
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
      ]);
      for (const statement of secretStatements) {
        expect(JSON.stringify(statement.Resource)).toContain(
          ':secret:engagement-agent/dev/gmail/tenants/${aws:PrincipalTag/tenant}-??????',
        );
      }
      expect(
        actionsOf([...own, ...statements]).filter((a) =>
          /^ses:|^secretsmanager:(Put|Create|Update|Delete)/.test(a),
        ),
      ).toEqual([]);
      expect(actionsOf(own).filter((a) => a.startsWith('secretsmanager:'))).toEqual([]);
    },
  );

  it('lets only the poller send to the ingest queue and only the ingest function receive from it', () => {
    const { stack, ingest, template } = synthesized;
    const poller = actionsOf(
      statementsOf(
        template,
        stack.getLogicalId(ingest.poller.role.node.defaultChild as CfnResource),
      ),
    );
    const consumer = actionsOf(
      statementsOf(
        template,
        stack.getLogicalId(ingest.ingest.role.node.defaultChild as CfnResource),
      ),
    );

    expect(poller).toContain('sqs:SendMessage');
    expect(poller).not.toContain('sqs:ReceiveMessage');
    expect(consumer).toContain('sqs:ReceiveMessage');
    expect(consumer).toContain('sqs:DeleteMessage');
    expect(consumer).not.toContain('sqs:SendMessage');
  });

  it('reports no unacknowledged AwsSolutions findings and scopes each acknowledgment to a resource with a reason', () => {
    const { app } = synthesized;

    const report = new AwsSolutionsChecks().validateScope(app);
    const acknowledgments = app.node
      .findAll()
      .flatMap((construct) =>
        construct.node.metadata
          .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .map((entry) => ({ construct, rules: entry.data as Record<string, string> })),
      );

    expect(
      report.violations.map(
        (v) =>
          `${v.severity} ${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
      ),
    ).toEqual([]);
    for (const { construct, rules } of acknowledgments) {
      const scoped =
        CfnResource.isCfnResource(construct) ||
        CfnResource.isCfnResource(construct.node.defaultChild);
      expect(scoped, construct.node.path).toBe(true);
      for (const reason of Object.values(rules))
        expect(reason.trim().length).toBeGreaterThanOrEqual(20);
    }
  });

  it('can leave the schedule disabled', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Disabled');
    new Ingest(stack, 'Ingest', {
      appName: 'engagement-agent',
      stage: 'dev',
      table: new AgentTable(stack, 'Table', { retain: false }).table,
      ingestQueue: new AgentQueue(stack, 'Queue', { definition: QUEUE_DEFINITIONS.ingest }),
      killSwitch: new KillSwitch(stack, 'KillSwitch', { appName: 'engagement-agent', stage: 'dev' })
        .parameter,
      scheduleEnabled: false,
    });

    Template.fromStack(stack).hasResourceProperties('AWS::Scheduler::Schedule', {
      State: 'DISABLED',
    });
  });
});

describe('Infra: Ingest in AgentStack', () => {
  let template: Template;
  let app: App;

  beforeAll(() => {
    app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    Validations.of(app).addPlugins(
      new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }),
    );
    const config = parseStageConfig({});
    template = Template.fromStack(new AgentStack(app, agentStackName(config), { config }));
  });

  it('consumes the frozen ingest queue (IngestQueueE0C5E22D) and lets only the poller send to it', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': ['IngestQueueE0C5E22D', 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: GMAIL_POLL_SCHEDULE,
    });
  });

  it('gives the poller and ingest functions the house alarms', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm') as Resources).map(
      (alarm) => String(alarm.Properties?.['AlarmName'] ?? ''),
    );

    expect(alarms.some((name) => name.includes('gmail-poller'))).toBe(true);
    expect(alarms.some((name) => name.includes('-ingest'))).toBe(true);
  });

  it('keeps the whole stack free of unacknowledged AwsSolutions findings', () => {
    const report = new AwsSolutionsChecks().validateScope(app);

    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});
