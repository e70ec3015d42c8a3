import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_DEFINITIONS, type QueueName } from '../../shared/messaging/queue-definitions.js';
import type { AgentQueue } from '../../infra/constructs/queue-with-dlq.js';
import { AgentStack } from '../../infra/stacks/agent-stack.js';
import { OUTCOME_FOLD_LAG_MS } from '../../shared/storage/outcome-repository.js';
import { agentStackName, parseStageConfig } from '../../infra/stage-config.js';
import { operatorOutputKeys } from '../../infra/cli/stack-outputs.js';

/**
 * Logical ids of the resources that must never be replaced by a refactoring: replacing the table
 * or a queue loses its data, and the kill-switch parameter has a fixed physical name, so
 * CloudFormation cannot replace it at all. Changing a value here means a migration, not a rename.
 */
const FROZEN_LOGICAL_IDS = {
  table: 'Table7ABB320E',
  sendQueue: 'SendQueue1FEF7B60',
  sendDeadLetterQueue: 'SendQueueDeadLetterQueue7D70C98A',
  ingestQueue: 'IngestQueueE0C5E22D',
  ingestDeadLetterQueue: 'IngestQueueDeadLetterQueue769A6620',
  killSwitch: 'KillSwitchB3461A48',
  alarmTopic: 'AlarmTopicB56431CA',
} as const;

/** The dead-letter queues of the asynchronous edges: not work queues and not frozen. */
const EDGE_DLQ_PATTERN = /(ScheduleDeadLetterQueue|PollDeadLetterQueue|FeedbackDeadLetterQueue)/;

interface Synthesized {
  readonly app: App;
  readonly stack: AgentStack;
  readonly template: Template;
}

/**
 * Builds the stack the way infra/app.ts does, with cdk-nag registered. cdk-nag 3 is a CDK
 * policy-validation plugin: `Template.fromStack` synthesizes, and synthesis throws on any
 * unacknowledged finding. Bundling is skipped (no esbuild): these tests read the template only.
 */
function synthesize(context: Record<string, unknown>): Synthesized {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }),
  );
  const config = parseStageConfig(context);
  const stack = new AgentStack(app, agentStackName(config), { config });
  return { app, stack, template: Template.fromStack(stack) };
}

type Resources = Record<string, { Properties?: Record<string, unknown>; Metadata?: unknown }>;

/** Logical ids of the queues other queues redrive into. */
function deadLetterQueueIds(template: Template): Set<string> {
  const queues = template.findResources('AWS::SQS::Queue') as Resources;
  const ids = new Set<string>();
  for (const queue of Object.values(queues)) {
    const redrive = queue.Properties?.RedrivePolicy as
      { deadLetterTargetArn: { 'Fn::GetAtt': [string, string] } } | undefined;
    if (redrive) ids.add(redrive.deadLetterTargetArn['Fn::GetAtt'][0]);
  }
  return ids;
}

describe('Infra: AgentStack', () => {
  describe('dev stage (defaults)', () => {
    let synthesized: Synthesized;

    beforeAll(() => {
      synthesized = synthesize({});
    });

    it('names the stack after the app and stage', () => {
      // Prepare / Act
      const { stack } = synthesized;

      // Assess
      expect(stack.stackName).toBe('EngagementAgent-dev');
      expect(stack.terminationProtection).toBe(false);
    });

    it('builds one on-demand table keyed by string pk (HASH) and sk (RANGE)', () => {
      // Prepare
      const { template } = synthesized;

      // Act / Assess
      template.resourceCountIs('AWS::DynamoDB::Table', 1);
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ]),
        BillingMode: 'PAY_PER_REQUEST',
      });
    });

    it('gives the table the gsi1 index on gsi1pk/gsi1sk projecting all attributes', () => {
      // Prepare
      const { template } = synthesized;

      // Act / Assess
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: 'gsi1pk', AttributeType: 'S' },
          { AttributeName: 'gsi1sk', AttributeType: 'S' },
        ]),
        GlobalSecondaryIndexes: [
          {
            IndexName: 'gsi1',
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      });
    });

    it("keeps React's outcome fold lag above the timeout of every function that appends outcomes", () => {
      // A write stamped more than the lag before it lands would be behind React's cursor.
      const { template, stack } = synthesized;
      const resources = template.toJSON().Resources as Record<
        string,
        { Properties: { Timeout?: number } }
      >;
      const writers = [stack.sending.sender, stack.sending.feedback, stack.ingest.ingest];

      const timeouts = writers.map(
        (writer) =>
          resources[stack.getLogicalId(writer.lambda.node.defaultChild as CfnResource)]?.Properties
            .Timeout,
      );

      expect(timeouts).toEqual([expect.any(Number), expect.any(Number), expect.any(Number)]);
      for (const seconds of timeouts) expect(seconds! * 1_000).toBeLessThan(OUTCOME_FOLD_LAG_MS);
    });

    it('expires items through the ttl attribute', () => {
      synthesized.template.hasResourceProperties('AWS::DynamoDB::Table', {
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      });
    });

    it('turns on point-in-time recovery', () => {
      synthesized.template.hasResourceProperties('AWS::DynamoDB::Table', {
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    });

    it('encrypts the table with the AWS-managed KMS key', () => {
      // SSEEnabled without a key ARN is the AWS-managed key (alias/aws/dynamodb).
      synthesized.template.hasResourceProperties('AWS::DynamoDB::Table', {
        SSESpecification: { SSEEnabled: true, KMSMasterKeyId: Match.absent() },
      });
    });

    it('deletes the table with a dev stack and leaves deletion protection off', () => {
      synthesized.template.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Delete',
        UpdateReplacePolicy: 'Delete',
        Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
      });
    });

    it('creates the kill switch at /engagement-agent/dev/kill-switch, switched off', () => {
      synthesized.template.hasResourceProperties('AWS::SSM::Parameter', {
        Name: '/engagement-agent/dev/kill-switch',
        Type: 'String',
        Value: 'off',
        Description: Match.stringLikeRegexp('"on".*stop all agent activity'),
      });
    });

    it('creates the alarm and approval topics without an email subscription when no alarmEmail is given', () => {
      // Prepare
      const { template } = synthesized;

      // Act / Assess
      template.resourceCountIs('AWS::SNS::Topic', 2);
      template.resourceCountIs('AWS::SNS::Subscription', 0);
    });

    it('denies publishing to the alarm topic without TLS', () => {
      synthesized.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sns:Publish',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });

    it('gives every queue that is not a DLQ a redrive policy', () => {
      // Prepare
      const { template } = synthesized;
      const queues = template.findResources('AWS::SQS::Queue') as Resources;
      const deadLetterQueues = deadLetterQueueIds(template);

      // Act: edge dead-letter queues (schedules, SES rule) are last stops, not work queues.
      const workQueues = Object.entries(queues).filter(
        ([id]) => !deadLetterQueues.has(id) && !EDGE_DLQ_PATTERN.test(id),
      );

      // Assess
      expect(Object.keys(queues).filter((id) => EDGE_DLQ_PATTERN.test(id))).toHaveLength(3);
      expect(workQueues).toHaveLength(Object.keys(QUEUE_DEFINITIONS).length);
      expect(deadLetterQueues.size).toBe(Object.keys(QUEUE_DEFINITIONS).length);
      for (const [, queue] of workQueues) {
        expect(queue.Properties?.RedrivePolicy).toBeDefined();
      }
    });

    it.each((Object.keys(QUEUE_DEFINITIONS) as QueueName[]).map((name) => ({ name })))(
      'builds the $name queue from QUEUE_DEFINITIONS (visibility, retention, maxReceiveCount)',
      ({ name }) => {
        // Prepare
        const { stack, template } = synthesized;
        const definition = QUEUE_DEFINITIONS[name];
        // A Record over QueueName: adding a queue definition without a stack queue fails to compile.
        const agentQueues: Record<QueueName, AgentQueue> = {
          send: stack.sendQueue,
          ingest: stack.ingestQueue,
        };
        const agentQueue = agentQueues[name];
        const queueId = stack.getLogicalId(agentQueue.queue.node.defaultChild as CfnResource);
        const dlqId = stack.getLogicalId(
          agentQueue.deadLetterQueue.node.defaultChild as CfnResource,
        );

        // Act
        const queues = template.findResources('AWS::SQS::Queue') as Resources;

        // Assess
        expect(queues[queueId]?.Properties).toMatchObject({
          VisibilityTimeout: definition.visibilityTimeoutSeconds,
          MessageRetentionPeriod: definition.retentionDays * 86_400,
          RedrivePolicy: {
            deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
            maxReceiveCount: definition.maxReceiveCount,
          },
        });
        expect(queues[dlqId]?.Properties).toMatchObject({
          MessageRetentionPeriod: definition.dlqRetentionDays * 86_400,
        });
      },
    );

    it('encrypts every queue with SSE-SQS and denies non-TLS access to each', () => {
      // Prepare
      const { template } = synthesized;
      const queues = template.findResources('AWS::SQS::Queue') as Resources;
      const policies = template.findResources('AWS::SQS::QueuePolicy') as Resources;

      // Act
      const queuesWithTlsOnlyPolicy = new Set(
        Object.values(policies)
          .filter((policy) =>
            JSON.stringify(policy.Properties?.PolicyDocument).includes(
              '"aws:SecureTransport":"false"',
            ),
          )
          .flatMap((policy) =>
            (policy.Properties?.Queues as { Ref: string }[]).map((queue) => queue.Ref),
          ),
      );

      // Assess
      for (const [id, queue] of Object.entries(queues)) {
        expect(queue.Properties?.SqsManagedSseEnabled, id).toBe(true);
        expect(queuesWithTlsOnlyPolicy.has(id), id).toBe(true);
      }
    });

    it('keeps the logical ids of the table, queues, kill switch and topic frozen', () => {
      // Prepare
      const { template } = synthesized;

      // Act
      const ids = (type: string): string[] => Object.keys(template.findResources(type)).sort();

      // Assess
      expect(ids('AWS::DynamoDB::Table')).toEqual([FROZEN_LOGICAL_IDS.table]);
      expect(ids('AWS::SQS::Queue').filter((id) => !EDGE_DLQ_PATTERN.test(id))).toEqual(
        [
          FROZEN_LOGICAL_IDS.sendQueue,
          FROZEN_LOGICAL_IDS.sendDeadLetterQueue,
          FROZEN_LOGICAL_IDS.ingestQueue,
          FROZEN_LOGICAL_IDS.ingestDeadLetterQueue,
        ].sort(),
      );
      expect(ids('AWS::SSM::Parameter')).toEqual([FROZEN_LOGICAL_IDS.killSwitch]);
      expect(ids('AWS::SNS::Topic')).toEqual(
        expect.arrayContaining([
          FROZEN_LOGICAL_IDS.alarmTopic,
          expect.stringMatching(/^CycleApprovalTopic/),
        ]),
      );
      expect(ids('AWS::SNS::Topic')).toHaveLength(2);
      template.hasResourceProperties('AWS::SQS::Queue', {
        RedrivePolicy: Match.objectLike({
          deadLetterTargetArn: { 'Fn::GetAtt': [FROZEN_LOGICAL_IDS.sendDeadLetterQueue, 'Arn'] },
        }),
      });
      expect(
        template.findResources('AWS::SQS::Queue')[FROZEN_LOGICAL_IDS.ingestQueue],
      ).toMatchObject({
        Properties: {
          RedrivePolicy: {
            deadLetterTargetArn: {
              'Fn::GetAtt': [FROZEN_LOGICAL_IDS.ingestDeadLetterQueue, 'Arn'],
            },
          },
        },
      });
    });

    it('outputs the table name, kill switch parameter, topic ARN, queue URLs, state machine ARNs, the SES tenant setup and the unsubscribe endpoint and its signing secret', () => {
      // Prepare
      const { template } = synthesized;

      // Act
      const outputs = Object.keys(template.findOutputs('*')).sort();

      // Assess
      expect(outputs).toEqual(
        [
          'AlarmTopicArn',
          'ApprovalTopicArn',
          'CycleStateMachineArn',
          'FanOutStateMachineArn',
          'IngestDeadLetterQueueUrl',
          'IngestQueueUrl',
          'KillSwitchParameterName',
          'SendDeadLetterQueueUrl',
          'SendQueueUrl',
          'SesConfigurationSetArn',
          'SesDefaultFromDomain',
          'SesTenantAdminPolicyArn',
          'SesTenantPrefix',
          'TableName',
          'UnsubscribeSigningSecretArn',
          'UnsubscribeUrl',
        ].sort(),
      );
      template.hasOutput('TableName', { Value: { Ref: FROZEN_LOGICAL_IDS.table } });
      template.hasOutput('SendQueueUrl', { Value: { Ref: FROZEN_LOGICAL_IDS.sendQueue } });
    });

    it('outputs every value agentctl reads from the stack', () => {
      // Prepare
      const { template } = synthesized;

      // Act
      const outputs = Object.keys(template.findOutputs('*'));

      // Assess
      expect(outputs).toEqual(expect.arrayContaining(operatorOutputKeys()));
    });

    it('reports no unacknowledged AwsSolutions errors or warnings', () => {
      // Prepare
      const checks = new AwsSolutionsChecks();

      // Act
      const report = checks.validateScope(synthesized.app);
      const summary = report.violations.map(
        (v) =>
          `${v.severity} ${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
      );

      // Assess
      expect(summary.filter((line) => line.startsWith('error'))).toEqual([]);
      expect(summary.filter((line) => line.startsWith('warning'))).toEqual([]);
      expect(report.success).toBe(true);
    });

    it('scopes every cdk-nag acknowledgment to one resource and gives it a reason of 20+ characters', () => {
      // Prepare
      const { app, template } = synthesized;

      // Act
      const acknowledgments = app.node
        .findAll()
        .flatMap((construct) =>
          construct.node.metadata
            .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
            .map((entry) => ({ construct, rules: entry.data as Record<string, string> })),
        );
      const templateSuppressions = Object.values(template.toJSON().Resources as Resources).flatMap(
        (resource) =>
          (
            resource.Metadata as {
              cdk_nag?: { rules_to_suppress: { id: string; reason: string }[] };
            }
          )?.cdk_nag?.rules_to_suppress ?? [],
      );

      // Assess
      for (const { construct, rules } of acknowledgments) {
        const scopedToResource =
          CfnResource.isCfnResource(construct) ||
          CfnResource.isCfnResource(construct.node.defaultChild);
        expect(scopedToResource, `acknowledgment on ${construct.node.path}`).toBe(true);
        for (const [id, reason] of Object.entries(rules)) {
          expect(reason.trim().length, `reason for ${id}`).toBeGreaterThanOrEqual(20);
        }
      }
      for (const { id, reason } of templateSuppressions) {
        expect(reason.trim().length, `reason for ${id}`).toBeGreaterThanOrEqual(20);
      }
    });

    it('would fail on an unacknowledged finding (the checks are live)', () => {
      // Prepare: a topic without enforceSSL breaks AwsSolutions-SNS3.
      const app = new App();
      const stack = new Stack(app, 'NagProbe');
      new Topic(stack, 'PlainTopic');

      // Act
      const report = new AwsSolutionsChecks().validateScope(app);

      // Assess
      expect(report.violations.map((v) => v.ruleName)).toContain('AwsSolutions-SNS3');
    });
  });

  describe('prod stage with an alarm email', () => {
    let synthesized: Synthesized;

    beforeAll(() => {
      synthesized = synthesize({ stage: 'prod', alarmEmail: 'oncall@example.com' });
    });

    it('retains the table and turns on deletion protection', () => {
      synthesized.template.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
      });
    });

    it('turns on stack termination protection', () => {
      expect(synthesized.stack.stackName).toBe('EngagementAgent-prod');
      expect(synthesized.stack.terminationProtection).toBe(true);
    });

    it('names the kill switch for the prod stage', () => {
      synthesized.template.hasResourceProperties('AWS::SSM::Parameter', {
        Name: '/engagement-agent/prod/kill-switch',
        Value: 'off',
      });
    });

    it('subscribes the alarm email to the alarm topic', () => {
      // Prepare
      const { template } = synthesized;

      // Act / Assess
      template.resourceCountIs('AWS::SNS::Subscription', 1);
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'oncall@example.com',
        TopicArn: { Ref: FROZEN_LOGICAL_IDS.alarmTopic },
      });
    });

    it('keeps the same logical ids as dev for the stateful resources', () => {
      // Prepare
      const { template } = synthesized;

      // Act
      // The edge dead-letter queues (schedules, SES rule) hold only events to inspect: not frozen.
      const ids = [
        ...Object.keys(template.findResources('AWS::DynamoDB::Table')),
        ...Object.keys(template.findResources('AWS::SQS::Queue')),
      ]
        .filter(
          (id) => !/(ScheduleDeadLetterQueue|PollDeadLetterQueue|FeedbackDeadLetterQueue)/.test(id),
        )
        .sort();

      // Assess
      expect(ids).toEqual(
        [
          FROZEN_LOGICAL_IDS.table,
          FROZEN_LOGICAL_IDS.sendQueue,
          FROZEN_LOGICAL_IDS.sendDeadLetterQueue,
          FROZEN_LOGICAL_IDS.ingestQueue,
          FROZEN_LOGICAL_IDS.ingestDeadLetterQueue,
        ].sort(),
      );
    });
  });
});

describe('Infra: parseStageConfig', () => {
  it('defaults to the dev stage, the engagement-agent app, dry_run and no alarm email', () => {
    // Prepare / Act
    const config = parseStageConfig({});

    // Assess
    expect(config).toEqual({
      stage: 'dev',
      appName: 'engagement-agent',
      alarmEmail: undefined,
      fromAddress: undefined,
      sendMode: 'dry_run',
      llmMode: 'template',
      bedrockModelId: 'anthropic.claude-3-haiku-20240307-v1:0',
      runbookUrl: 'https://github.com/example-org/engagement-agent/blob/main/docs/RUNBOOK.md',
      sendingIdentities: ['example.com'],
      sesTenants: false,
      orgCycleConcurrency: 1,
    });
  });

  it('reads every key it knows and ignores the rest of the context', () => {
    // Prepare
    const context = {
      stage: 'staging',
      appName: 'acme-agent',
      alarmEmail: 'oncall@example.com',
      sendMode: 'limited_live',
      fromAddress: 'agent@mail.acme.example',
      llmMode: 'bedrock',
      bedrockModelId: 'anthropic.claude-3-5-haiku-20241022-v1:0',
      runbookUrl: 'https://wiki.acme.example/agent/runbook',
      sesTenants: 'true',
      orgCycleConcurrency: '2',
      '@aws-cdk/core:checkSecretUsage': true,
    };

    // Act
    const config = parseStageConfig(context);

    // Assess
    expect(config).toEqual({
      stage: 'staging',
      appName: 'acme-agent',
      alarmEmail: 'oncall@example.com',
      fromAddress: 'agent@mail.acme.example',
      sendMode: 'limited_live',
      llmMode: 'bedrock',
      bedrockModelId: 'anthropic.claude-3-5-haiku-20241022-v1:0',
      runbookUrl: 'https://wiki.acme.example/agent/runbook',
      sendingIdentities: ['mail.acme.example'],
      sesTenants: true,
      orgCycleConcurrency: 2,
    });
  });

  it('lets only Act invoke Bedrock, and only the configured model, in bedrock mode', () => {
    // Prepare / Act
    const model = 'anthropic.claude-3-5-haiku-20241022-v1:0';
    const { stack, template } = synthesize({ llmMode: 'bedrock', bedrockModelId: model });

    // Assess
    const resources = template.toJSON().Resources as Record<
      string,
      { Type: string; Properties: Record<string, unknown> }
    >;
    const act = resources[
      stack.getLogicalId(stack.cycle.functions.Act.lambda.node.defaultChild as CfnResource)
    ]?.Properties['Environment'] as { Variables: Record<string, unknown> };
    expect(act.Variables).toMatchObject({
      LLM_MODE: 'bedrock',
      BEDROCK_MODEL_ID: model,
    });
    const grants = Object.entries(resources)
      .filter(([, resource]) => resource.Type === 'AWS::IAM::Policy')
      .flatMap(([id, resource]) =>
        (
          resource.Properties['PolicyDocument'] as { Statement: Record<string, unknown>[] }
        ).Statement.filter((statement) =>
          JSON.stringify(statement['Action']).includes('bedrock:'),
        ).map((statement) => ({ id, statement })),
      );
    expect(grants).toHaveLength(1);
    expect(grants[0]!.id).toMatch(/^CycleActFunction/);
    expect(grants[0]!.statement['Action']).toBe('bedrock:InvokeModel');
    expect(JSON.stringify(grants[0]!.statement['Resource'])).toContain(`:bedrock:`);
    expect(JSON.stringify(grants[0]!.statement['Resource'])).toContain(
      `::foundation-model/${model}`,
    );
  });

  it('reads sendingIdentities as a list and refuses one without the fromAddress domain', () => {
    // Act
    const config = parseStageConfig({
      fromAddress: 'agent@mail.acme.example',
      sendingIdentities: 'mail.acme.example, Mail.Northwind.Example',
    });

    // Assess
    expect(config.sendingIdentities).toEqual(['mail.acme.example', 'mail.northwind.example']);
    expect(() =>
      parseStageConfig({
        fromAddress: 'agent@mail.acme.example',
        sendingIdentities: 'other.example',
      }),
    ).toThrow(/^sendingIdentities: must include the domain of fromAddress/);
    expect(() => parseStageConfig({ sendingIdentities: 'not a domain' })).toThrow(
      /^sendingIdentities: /,
    );
  });

  it('names fromAddress when it is not an email address', () => {
    expect(() => parseStageConfig({ fromAddress: 'agent' })).toThrow(/^fromAddress: /);
  });

  it('hands the From address to the sender function', () => {
    const { stack, template } = synthesize({ fromAddress: 'agent@mail.acme.example' });
    const sender = template.toJSON().Resources[
      stack.getLogicalId(stack.sending.sender.lambda.node.defaultChild as CfnResource)
    ] as { Properties: { Environment: { Variables: Record<string, unknown> } } };

    expect(sender.Properties.Environment.Variables['EMAIL_FROM_ADDRESS']).toBe(
      'agent@mail.acme.example',
    );
  });

  it('treats blank values as absent', () => {
    expect(parseStageConfig({ stage: ' ', alarmEmail: '', sendMode: '' })).toMatchObject({
      stage: 'dev',
      alarmEmail: undefined,
      sendMode: 'dry_run',
    });
  });

  it.each([
    {
      case: 'unknown stage',
      context: { stage: 'qa' },
      message: /^stage: expected one of dev, staging, prod/,
    },
    { case: 'non-string stage', context: { stage: 3 }, message: /^stage: / },
    { case: 'upper-case app name', context: { appName: 'Engagement' }, message: /^appName: / },
    {
      case: 'invalid alarm email',
      context: { alarmEmail: 'oncall' },
      message: /^alarmEmail: expected an email/,
    },
    {
      case: 'a repo-relative runbook path',
      context: { runbookUrl: 'docs/RUNBOOK.md' },
      message: /^runbookUrl: expected an https URL/,
    },
    {
      case: 'a runbook URL with a fragment',
      context: { runbookUrl: 'https://wiki.example.com/runbook#top' },
      message: /^runbookUrl: expected no #fragment/,
    },
  ])('rejects $case with an error naming the context key', ({ context, message }) => {
    expect(() => parseStageConfig(context)).toThrow(message);
  });

  it('falls back to dry_run on an unknown send mode and warns naming sendMode', () => {
    // Prepare
    const warnings: string[] = [];

    // Act
    const config = parseStageConfig({ sendMode: 'yolo' }, { warn: (m) => warnings.push(m) });

    // Assess
    expect(config.sendMode).toBe('dry_run');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^sendMode: .*"yolo".*dry_run/);
  });

  it.each([
    {
      case: 'default app',
      appName: 'engagement-agent',
      stage: 'dev',
      expected: 'EngagementAgent-dev',
    },
    { case: 'prod', appName: 'engagement-agent', stage: 'prod', expected: 'EngagementAgent-prod' },
    { case: 'digits', appName: 'agent2-eu', stage: 'staging', expected: 'Agent2Eu-staging' },
  ] as const)('derives the stack name for $case', ({ appName, stage, expected }) => {
    expect(agentStackName({ appName, stage })).toBe(expected);
  });
});
