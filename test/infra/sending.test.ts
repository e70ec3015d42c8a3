import { existsSync } from 'node:fs';
import type { CfnResource, Stack } from 'aws-cdk-lib';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_DEFINITIONS } from '../../shared/messaging/queue-definitions.js';
import { functionEntry } from '../../infra/constructs/agent-function.js';
import type { Sending } from '../../infra/constructs/sending.js';
import { SES_FEEDBACK_DETAIL_TYPES } from '../../infra/constructs/sending.js';
import { AgentStack } from '../../infra/stacks/agent-stack.js';
import { agentStackName, parseStageConfig } from '../../infra/stage-config.js';

type Json = Record<string, unknown>;
type Resources = Record<string, { Type: string; Properties: Json; Metadata?: unknown }>;
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Sid?: string };

interface Synthesized {
  readonly app: App;
  readonly stack: AgentStack;
  readonly sending: Sending;
  readonly template: Template;
  readonly resources: Resources;
}

/** The app as infra/app.ts builds it (cdk-nag registered), without esbuild bundling. */
function synthesize(context: Record<string, unknown>): Synthesized {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }),
  );
  const config = parseStageConfig(context);
  const stack = new AgentStack(app, agentStackName(config), { config });
  const sending = stack.sending;
  const template = Template.fromStack(stack);
  return { app, stack, sending, template, resources: template.toJSON().Resources as Resources };
}

function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnResource);
}

function statementsOf(
  resources: Resources,
): { policy: string; roles: unknown; statement: Statement }[] {
  return Object.entries(resources)
    .filter(([, resource]) => resource.Type === 'AWS::IAM::Policy')
    .flatMap(([policy, resource]) =>
      ((resource.Properties['PolicyDocument'] as { Statement: Statement[] }).Statement ?? []).map(
        (statement) => ({ policy, roles: resource.Properties['Roles'], statement }),
      ),
    );
}

function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

describe('Infra: Sending', () => {
  let synthesized: Synthesized;

  beforeAll(() => {
    synthesized = synthesize({});
  });

  it('points the sender, unsubscribe and feedback functions at handlers that exist', () => {
    for (const name of ['sender', 'unsubscribe', 'ses-feedback']) {
      expect(existsSync(functionEntry(name)), name).toBe(true);
    }
  });

  it('feeds the sender from the existing send queue with ReportBatchItemFailures, a batch size and a concurrency cap', () => {
    // Prepare
    const { stack, sending, template } = synthesized;

    // Act / Assess: exactly one consumer of the send queue (ingest has its own queue and mapping).
    const sendQueueArn = { 'Fn::GetAtt': [logicalId(stack, stack.sendQueue.queue), 'Arn'] };
    const onSendQueue = Object.values(
      template.findResources('AWS::Lambda::EventSourceMapping', {
        Properties: { EventSourceArn: sendQueueArn },
      }),
    );
    expect(onSendQueue).toHaveLength(1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack, stack.sendQueue.queue), 'Arn'] },
      FunctionName: { Ref: logicalId(stack, sending.sender.lambda) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });

  it('keeps the send queue visibility timeout at least six times the sender timeout', () => {
    const { template, stack, sending } = synthesized;
    const fn = template.toJSON().Resources[logicalId(stack, sending.sender.lambda)] as {
      Properties: { Timeout: number };
    };
    expect(QUEUE_DEFINITIONS.send.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(
      6 * fn.Properties.Timeout,
    );
  });

  it("declares the sender's re-enqueue loop intended, so deferrals are not dropped by recursion detection", () => {
    const { stack, sending, template } = synthesized;
    expect(
      (template.toJSON().Resources[logicalId(stack, sending.sender.lambda)] as { Properties: Json })
        .Properties['RecursiveLoop'],
    ).toBe('Allow');
  });

  it('gives the sender its configuration: send mode, kill switch, queue and DLQ, configuration set, unsubscribe URL and key secret', () => {
    const { stack, sending, template } = synthesized;
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'sender',
          SEND_MODE: 'dry_run',
          KILL_SWITCH_PARAMETER: Match.anyValue(),
          SEND_QUEUE_URL: { Ref: logicalId(stack, stack.sendQueue.queue) },
          SEND_DLQ_URL: { Ref: logicalId(stack, stack.sendQueue.deadLetterQueue) },
          SES_CONFIGURATION_SET: { Ref: logicalId(stack, sending.configurationSet) },
          UNSUBSCRIBE_BASE_URL: {
            'Fn::GetAtt': [Match.stringLikeRegexp('UnsubscribeFunction'), 'FunctionUrl'],
          },
          UNSUBSCRIBE_SIGNING_SECRET_ARN: { Ref: logicalId(stack, sending.signingKey) },
          SEND_MAX_RECEIVE_COUNT: String(QUEUE_DEFINITIONS.send.maxReceiveCount),
        }),
      },
    });
  });

  it('creates a configuration set whose sending events (for reconciliation) and bounces and complaints go to the default event bus', () => {
    const { stack, sending, template } = synthesized;
    template.resourceCountIs('AWS::SES::ConfigurationSet', 1);
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: { Ref: logicalId(stack, sending.configurationSet) },
      EventDestination: Match.objectLike({
        Enabled: true,
        MatchingEventTypes: Match.arrayEquals([
          'send',
          'delivery',
          'reject',
          'deliveryDelay',
          'renderingFailure',
          'bounce',
          'complaint',
        ]),
        EventBridgeDestination: { EventBusArn: Match.anyValue() },
      }),
    });
  });

  it('routes every SES sending event of this configuration set to the feedback function', () => {
    const { stack, sending, template } = synthesized;
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ses'],
        'detail-type': [...SES_FEEDBACK_DETAIL_TYPES],
        detail: {
          mail: {
            tags: {
              'ses:configuration-set': [{ Ref: logicalId(stack, sending.configurationSet) }],
            },
          },
        },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalId(stack, sending.feedback.lambda), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86_400 },
        }),
      ],
    });
  });

  it('exposes the unsubscribe function through a Function URL without auth (RFC 8058 one-click)', () => {
    const { stack, sending, template } = synthesized;
    template.resourceCountIs('AWS::Lambda::Url', 1);
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      TargetFunctionArn: { 'Fn::GetAtt': [logicalId(stack, sending.unsubscribe.lambda), 'Arn'] },
    });
  });

  it('lets only the sender call SES, scoped to the From identity and the configuration set', () => {
    // Prepare
    const { stack, sending, resources } = synthesized;
    const senderRole = logicalId(stack, sending.sender.role);

    // Act
    const sesStatements = statementsOf(resources).filter(({ statement }) =>
      actionsOf(statement).some((action) => action.toLowerCase().startsWith('ses:')),
    );

    // Assess
    expect(sesStatements.length).toBe(1);
    expect(sesStatements[0]?.roles).toEqual([{ Ref: senderRole }]);
    expect(actionsOf(sesStatements[0]!.statement)).toEqual(['ses:SendEmail']);
    expect(JSON.stringify(sesStatements[0]?.statement.Resource)).not.toContain('*');
    expect(JSON.stringify(sesStatements[0]?.statement.Resource)).toContain('configuration-set/');
  });

  it('lets the sender and the unsubscribe function, and nothing else, read the signing key', () => {
    const { stack, sending, resources } = synthesized;
    const signingKey = JSON.stringify({ Ref: logicalId(stack, sending.signingKey) });
    const readers = statementsOf(resources)
      .filter(({ statement }) => actionsOf(statement).includes('secretsmanager:GetSecretValue'))
      .filter(({ statement }) => JSON.stringify(statement.Resource).includes(signingKey))
      .map(({ roles }) => JSON.stringify(roles));
    expect(readers.sort()).toEqual(
      [
        JSON.stringify([{ Ref: logicalId(stack, sending.sender.role) }]),
        JSON.stringify([{ Ref: logicalId(stack, sending.unsubscribe.role) }]),
      ].sort(),
    );
  });

  it('adds one queue, the SES feedback dead-letter queue, beside the existing, pinned send queue and DLQ', () => {
    // Act
    const ids = Object.keys(synthesized.template.findResources('AWS::SQS::Queue'));

    // Assess
    expect(ids.filter((id) => id.startsWith('Sending'))).toEqual([
      expect.stringMatching(/^SendingFeedbackDeadLetterQueue\w+$/),
    ]);
    synthesized.template.resourceCountIs('AWS::SQS::Queue', 7);
  });

  it('reports no unacknowledged AwsSolutions findings on the sending resources', () => {
    // Prepare
    const checks = new AwsSolutionsChecks();

    // Act
    const report = checks.validateScope(synthesized.app);
    const findings = report.violations
      .filter((v) => v.violatingResources.some((r) => r.constructPath?.includes('/Sending/')))
      .map((v) => `${v.severity} ${v.ruleName}`);

    // Assess
    expect(findings).toEqual([]);
  });
});

describe('Infra: Sending with SES tenants', () => {
  let synthesized: Synthesized;

  beforeAll(() => {
    synthesized = synthesize({ sesTenants: 'true', fromAddress: 'agent@mail.acme.example' });
  });

  function senderEnvironment({ stack, sending, resources }: Synthesized): Json {
    const fn = resources[logicalId(stack, sending.sender.lambda)]!;
    return (fn.Properties['Environment'] as { Variables: Json }).Variables;
  }

  function sendEmailResources({ resources }: Synthesized): string {
    const statement = statementsOf(resources).find(({ statement }) =>
      actionsOf(statement).includes('ses:SendEmail'),
    );
    return JSON.stringify(statement?.statement.Resource);
  }

  it("names the stage's SES tenant prefix to the sender and lets SendEmail use only those tenants", () => {
    // Assess
    expect(senderEnvironment(synthesized)['SES_TENANT_PREFIX']).toBe('engagement-agent-dev');
    expect(sendEmailResources(synthesized)).toContain(':tenant/engagement-agent-dev-*');
  });

  it('sends without a TenantName and without tenant access when SES tenants are off', () => {
    // Prepare
    const off = synthesize({ fromAddress: 'agent@mail.acme.example' });

    // Assess
    expect(senderEnvironment(off)['SES_TENANT_PREFIX']).toBeUndefined();
    expect(sendEmailResources(off)).not.toContain(':tenant/');
  });

  it("gives operators a managed policy for this stage's SES tenants, identities and configuration set only", () => {
    // Act
    const policies = Object.values(synthesized.resources).filter(
      (resource) => resource.Type === 'AWS::IAM::ManagedPolicy',
    );
    const statements = policies.flatMap(
      (policy) => (policy.Properties['PolicyDocument'] as { Statement: Statement[] }).Statement,
    );

    // Assess
    expect(policies).toHaveLength(1);
    expect(policies[0]?.Properties['Roles']).toBeUndefined();
    expect(statements.map((statement) => [statement.Sid, actionsOf(statement)])).toEqual([
      ['CreateThisStagesSesTenants', ['ses:CreateTenant', 'ses:GetTenant', 'ses:TagResource']],
      ['AssociateThisStagesResources', ['ses:CreateTenantResourceAssociation']],
    ]);
    const resources = JSON.stringify(statements.map((statement) => statement.Resource));
    expect(resources).toContain(':tenant/engagement-agent-dev-*');
    expect(resources).toContain(':identity/mail.acme.example');
    expect(resources).toContain(':configuration-set/');
    expect(resources).not.toMatch(/"\*"|identity\/\*/);
  });

  it('reports no unacknowledged AwsSolutions findings on the sending resources', () => {
    // Act
    const report = new AwsSolutionsChecks().validateScope(synthesized.app);
    const findings = report.violations
      .filter((v) => v.violatingResources.some((r) => r.constructPath?.includes('/Sending/')))
      .map((v) => `${v.severity} ${v.ruleName}`);

    // Assess
    expect(findings).toEqual([]);
  });
});
