import { existsSync } from 'node:fs';
import { App, CfnResource, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { functionEntry } from '../../infra/constructs/agent-function.js';
import {
  CYCLE_FAILED_ERROR,
  CYCLE_TASK_STATES,
  CYCLE_TRANSIENT_ERRORS,
  type CycleTaskState,
} from '../../infra/constructs/cycle.js';
import {
  EXECUTION_ALREADY_EXISTS_ERROR,
  FAN_OUT_SCHEDULE,
  START_EXECUTION_RETRY_ERRORS,
} from '../../infra/constructs/fan-out.js';
import { AgentStack } from '../../infra/stacks/agent-stack.js';
import { agentStackName, parseStageConfig } from '../../infra/stage-config.js';

type Json = Record<string, unknown>;
type Resource = { Type: string; Properties: Json; DependsOn?: string[]; DeletionPolicy?: string };
type Resources = Record<string, Resource>;
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };
type AslState = Json & { Type: string; Resource?: string };
type Asl = { StartAt: string; States: Record<string, AslState>; TimeoutSeconds?: number };

interface Synthesized {
  readonly app: App;
  readonly stack: AgentStack;
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
  const template = Template.fromStack(stack);
  return { app, stack, template, resources: template.toJSON().Resources as Resources };
}

/** Which function (folder under functions/) each Task state invokes. */
const TASK_FUNCTIONS: Record<CycleTaskState | 'ListTenants', string> = {
  BeginCycle: 'begin-cycle',
  Plan: 'plan',
  Act: 'act',
  React: 'react',
  Reflect: 'reflect',
  RecordFailure: 'record-failure',
  ListTenants: 'list-tenants',
};

/**
 * A DefinitionString with its tokens written as `${LogicalId.Attribute}` / `${LogicalId}`, parsed.
 */
function definitionOf(resource: Resource | undefined): Asl {
  const join = resource?.Properties['DefinitionString'] as { 'Fn::Join': [string, unknown[]] };
  const text = join['Fn::Join'][1]
    .map((part) => {
      if (typeof part === 'string') return part;
      const token = part as { 'Fn::GetAtt'?: [string, string]; Ref?: string };
      if (token['Fn::GetAtt']) return `\${${token['Fn::GetAtt'].join('.')}}`;
      return `\${${token.Ref}}`;
    })
    .join('');
  return JSON.parse(text) as Asl;
}

function byType(resources: Resources, type: string): [string, Resource][] {
  return Object.entries(resources).filter(([, resource]) => resource.Type === type);
}

function actions(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/** Statements of every IAM policy attached to the role, as [roleId, statement]. */
function statementsByRole(resources: Resources): [string, Statement][] {
  return byType(resources, 'AWS::IAM::Policy').flatMap(([, policy]) => {
    const roles = (policy.Properties['Roles'] as { Ref: string }[]).map((role) => role.Ref);
    const statements = (policy.Properties['PolicyDocument'] as { Statement: Statement[] })
      .Statement;
    return roles.flatMap((role) =>
      statements.map((statement) => [role, statement] as [string, Statement]),
    );
  });
}

/** The logical id of the role a function runs as. */
function roleOf(fn: Resource): string {
  return (fn.Properties['Role'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
}

describe('Infra: cycle and fan-out workflows', () => {
  let synthesized: Synthesized;
  let cycleId: string;
  let fanOutId: string;
  let cycle: Asl;
  let fanOut: Asl;
  /** Function logical id → Powertools service name. */
  let serviceNames: Map<string, string>;

  beforeAll(() => {
    synthesized = synthesize({});
    const { stack, resources } = synthesized;
    cycleId = stack.getLogicalId(stack.cycle.stateMachine.node.defaultChild as CfnResource);
    fanOutId = stack.getLogicalId(stack.fanOut.stateMachine.node.defaultChild as CfnResource);
    cycle = definitionOf(resources[cycleId]);
    fanOut = definitionOf(resources[fanOutId]);
    serviceNames = new Map(
      byType(resources, 'AWS::Lambda::Function').map(([id, fn]) => [
        id,
        (fn.Properties['Environment'] as { Variables: Record<string, string> }).Variables[
          'POWERTOOLS_SERVICE_NAME'
        ] as string,
      ]),
    );
  });

  describe('state machines', () => {
    it('creates the cycle and fan-out as STANDARD machines with tracing and ERROR-level logs without data', () => {
      // Prepare
      const { resources } = synthesized;

      // Act
      const machines = byType(resources, 'AWS::StepFunctions::StateMachine');

      // Assess
      expect(machines.map(([id]) => id).sort()).toEqual([cycleId, fanOutId].sort());
      for (const [, machine] of machines) {
        expect(machine.Properties).toMatchObject({
          StateMachineType: 'STANDARD',
          TracingConfiguration: { Enabled: true },
          LoggingConfiguration: { Level: 'ERROR', IncludeExecutionData: false },
        });
      }
    });

    it('times the cycle out after 50 minutes', () => {
      expect(cycle.TimeoutSeconds).toBe(50 * 60);
    });

    it('logs each machine to its own log group with a retention', () => {
      // Prepare
      const { resources } = synthesized;

      // Act
      const groups = [cycleId, fanOutId].map((id) => {
        const config = resources[id]?.Properties['LoggingConfiguration'] as {
          Destinations: { CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [string] } } }[];
        };
        return config.Destinations[0]?.CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0] ?? '';
      });

      // Assess
      expect(new Set(groups).size).toBe(2);
      for (const group of groups) {
        expect(resources[group]?.Properties['RetentionInDays']).toBe(30);
        expect(resources[group]?.Properties['LogGroupName']).toMatch(
          /^\/aws\/vendedlogs\/states\//,
        );
      }
    });
  });

  describe('cycle definition', () => {
    it('starts at BeginCycle and has exactly the contract Task states', () => {
      // Act
      const tasks = Object.entries(cycle.States)
        .filter(([, state]) => state.Type === 'Task')
        .map(([name]) => name);

      // Assess
      expect(cycle.StartAt).toBe('BeginCycle');
      expect(tasks.sort()).toEqual([...CYCLE_TASK_STATES].sort());
    });

    it.each(CYCLE_TASK_STATES.map((state) => ({ state, fn: TASK_FUNCTIONS[state] })))(
      'points $state at the $fn function',
      ({ state, fn }) => {
        // Prepare
        const resource = cycle.States[state]?.Resource ?? '';

        // Act
        const logicalId = /^\$\{(\w+)\.Arn\}$/.exec(resource)?.[1] ?? '';

        // Assess
        expect(serviceNames.get(logicalId)).toBe(fn);
        expect(existsSync(functionEntry(fn))).toBe(true);
      },
    );

    it('chains the steps: one choice after BeginCycle to Skipped, then Plan → Act → React → Reflect, which ends the execution', () => {
      // Prepare
      const { States: s } = cycle;

      // Act / Assess
      expect(s['BeginCycle']?.['Next']).toBe('Proceed?');
      expect(s['Proceed?']).toEqual({
        Type: 'Choice',
        Choices: [{ Variable: '$.lock.acquired', BooleanEquals: true, Next: 'Plan' }],
        Default: 'Skipped',
      });
      expect(['Plan', 'Act', 'React'].map((n) => s[n]?.['Next'])).toEqual([
        'Act',
        'React',
        'Reflect',
      ]);
      expect(s['Reflect']).toMatchObject({ End: true });
      expect(s['Reflect']?.['Next']).toBeUndefined();
      expect(Object.keys(s).sort()).toEqual(
        [...CYCLE_TASK_STATES, 'Proceed?', 'Skipped', 'Failed'].sort(),
      );
      expect(s['Skipped']).toEqual({ Type: 'Succeed' });
      expect(s['RecordFailure']?.['Next']).toBe('Failed');
      expect(s['Failed']).toMatchObject({ Type: 'Fail', Error: CYCLE_FAILED_ERROR });
    });

    it.each([
      { state: 'BeginCycle', resultPath: undefined },
      { state: 'Plan', resultPath: '$.plan' },
      { state: 'Act', resultPath: '$.act' },
      { state: 'React', resultPath: '$.react' },
      { state: 'Reflect', resultPath: '$.reflect' },
    ])(
      'gives $state the whole state as payload, its result at $resultPath, transient retries and a catch-all to RecordFailure',
      ({ state, resultPath }) => {
        // Prepare
        const task = cycle.States[state];

        // Act / Assess
        expect(task).toMatchObject({ Type: 'Task' });
        expect(task?.['ResultPath']).toBe(resultPath);
        expect(task?.['Parameters']).toBeUndefined();
        expect(task?.['InputPath']).toBeUndefined();
        expect(task?.['Retry']).toEqual([
          {
            ErrorEquals: [...CYCLE_TRANSIENT_ERRORS],
            IntervalSeconds: 2,
            BackoffRate: 2,
            MaxAttempts: 3,
            JitterStrategy: 'FULL',
          },
        ]);
        expect(task?.['Catch']).toEqual([
          { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordFailure' },
        ]);
      },
    );

    it('retries RecordFailure on transient errors but has no catch of its own', () => {
      expect(cycle.States['RecordFailure']?.['Retry']).toEqual(cycle.States['Plan']?.['Retry']);
      expect(cycle.States['RecordFailure']?.['Catch']).toBeUndefined();
    });

    it('gives the long steps 5 minutes and the others 1 minute', () => {
      // Prepare
      const { resources } = synthesized;

      // Act
      const timeouts = Object.fromEntries(
        CYCLE_TASK_STATES.map((state) => {
          const id = /^\$\{(\w+)\.Arn\}$/.exec(cycle.States[state]?.Resource ?? '')?.[1] ?? '';
          return [state, resources[id]?.Properties['Timeout']];
        }),
      );

      // Assess
      expect(timeouts).toEqual({
        BeginCycle: 60,
        Plan: 300,
        Act: 300,
        React: 300,
        Reflect: 300,
        RecordFailure: 60,
      });
    });
  });

  describe('fan-out', () => {
    it('runs hourly on cron(0 * * * ? *) in UTC with a 15-minute flexible window, targeting the fan-out machine', () => {
      synthesized.template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: FAN_OUT_SCHEDULE,
        ScheduleExpressionTimezone: 'Etc/UTC',
        FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
        State: 'ENABLED',
        Target: {
          Arn: { Ref: fanOutId },
          Input: JSON.stringify({ scheduledTime: '<aws.scheduler.scheduled-time>' }),
          RetryPolicy: { MaximumEventAgeInSeconds: 3600 },
        },
      });
      expect(FAN_OUT_SCHEDULE).toBe('cron(0 * * * ? *)');
    });

    it('lets the schedule role start only the fan-out machine', () => {
      // Prepare
      const { resources } = synthesized;
      const schedule = byType(resources, 'AWS::Scheduler::Schedule')[0]?.[1];
      const roleId = (schedule?.Properties['Target'] as { RoleArn: { 'Fn::GetAtt': [string] } })
        .RoleArn['Fn::GetAtt'][0];

      // Act
      const statements = statementsByRole(resources)
        .filter(([role]) => role === roleId)
        .map(([, statement]) => statement);

      // Assess
      expect(statements).toEqual([
        { Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: fanOutId } },
        {
          Effect: 'Allow',
          Action: 'sqs:SendMessage',
          Resource: {
            'Fn::GetAtt': [expect.stringMatching(/^FanOutScheduleDeadLetterQueue\w+$/), 'Arn'],
          },
        },
      ]);
    });

    it('lists tenants into $.page, maps over them, and loops through NextPage while a cursor is present', () => {
      // Prepare
      const { States: s } = fanOut;

      // Act / Assess
      expect(fanOut.StartAt).toBe('ListTenants');
      expect(s['ListTenants']).toMatchObject({
        Type: 'Task',
        ResultPath: '$.page',
        Next: 'StartCycles',
      });
      expect(
        serviceNames.get(/^\$\{(\w+)\.Arn\}$/.exec(s['ListTenants']?.Resource ?? '')?.[1] ?? ''),
      ).toBe(TASK_FUNCTIONS.ListTenants);
      expect(s['StartCycles']?.['Next']).toBe('MorePages?');
      expect(s['MorePages?']).toEqual({
        Type: 'Choice',
        Choices: [{ Variable: '$.page.nextCursor', IsPresent: true, Next: 'NextPage' }],
        Default: 'FannedOut',
      });
      expect(s['NextPage']).toEqual({
        Type: 'Pass',
        Parameters: {
          'scheduledTime.$': '$.page.scheduledTime',
          'hourKey.$': '$.page.hourKey',
          'cursor.$': '$.page.nextCursor',
          'pageNumber.$': 'States.MathAdd($.page.pageNumber, 1)',
        },
        Next: 'ListTenants',
      });
      expect(s['FannedOut']).toEqual({ Type: 'Succeed' });
    });

    it('starts cycles from a Distributed Map of EXPRESS children that tolerates every failure and discards results', () => {
      expect(fanOut.States['StartCycles']).toMatchObject({
        Type: 'Map',
        ItemsPath: '$.page.tenantIds',
        ItemSelector: { 'tenantId.$': '$$.Map.Item.Value', 'hourKey.$': '$.page.hourKey' },
        MaxConcurrency: 40,
        ToleratedFailurePercentage: 100,
        ResultPath: null,
        ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' } },
      });
    });

    it('starts the cycle machine by name <tenantId>-<hourKey>, retrying throttling and treating AlreadyExists as started', () => {
      // Prepare
      const processor = (fanOut.States['StartCycles'] as unknown as { ItemProcessor: Asl })
        .ItemProcessor;

      // Act
      const start = processor.States['StartCycle'];

      // Assess
      expect(processor.StartAt).toBe('StartCycle');
      expect(start).toMatchObject({
        Type: 'Task',
        Resource: 'arn:${AWS::Partition}:states:::states:startExecution',
        Parameters: {
          StateMachineArn: `\${${cycleId}}`,
          'Name.$': "States.Format('{}-{}', $.tenantId, $.hourKey)",
          Input: {
            'tenantId.$': '$.tenantId',
            'hourKey.$': '$.hourKey',
            'executionName.$': "States.Format('{}-{}', $.tenantId, $.hourKey)",
          },
        },
        Retry: [
          {
            ErrorEquals: [...START_EXECUTION_RETRY_ERRORS],
            BackoffRate: 2,
            JitterStrategy: 'FULL',
            MaxDelaySeconds: 30,
          },
        ],
        Catch: [
          { ErrorEquals: [EXECUTION_ALREADY_EXISTS_ERROR], Next: 'AlreadyStarted' },
          { ErrorEquals: ['States.ALL'], Next: 'StartFailed' },
        ],
      });
      expect(START_EXECUTION_RETRY_ERRORS).not.toContain(EXECUTION_ALREADY_EXISTS_ERROR);
      expect(processor.States['AlreadyStarted']).toMatchObject({ Type: 'Pass', End: true });
      expect(processor.States['StartFailed']).toMatchObject({
        Type: 'Task',
        Resource: 'arn:${AWS::Partition}:states:::aws-sdk:cloudwatch:putMetricData',
        Parameters: {
          Namespace: 'EngagementAgent',
          MetricData: [expect.objectContaining({ MetricName: 'CycleStartsFailed', Value: 1 })],
        },
        Next: 'CycleNotStarted',
      });
      expect(processor.States['CycleNotStarted']).toMatchObject({
        Type: 'Fail',
        Error: 'CycleStartFailed',
      });
    });

    it('lets the fan-out machine start the cycle machine', () => {
      // Prepare
      const { resources } = synthesized;
      const fanOutRole = (resources[fanOutId]?.Properties['RoleArn'] as { 'Fn::GetAtt': [string] })[
        'Fn::GetAtt'
      ][0];

      // Act
      const starts = statementsByRole(resources).filter(
        ([role, statement]) =>
          role === fanOutRole && actions(statement).includes('states:StartExecution'),
      );

      // Assess
      expect(starts.map(([, statement]) => statement.Resource)).toContainEqual({ Ref: cycleId });
    });
  });

  describe('functions', () => {
    it('builds one function per Task state (cycle steps and ListTenants)', () => {
      const workflowFunctions = new Set<string>(Object.values(TASK_FUNCTIONS));
      expect(
        [...serviceNames.values()].filter((name) => workflowFunctions.has(name)).sort(),
      ).toEqual([...workflowFunctions].sort());
      // Every other function belongs to another capability's construct, never to a workflow twice.
      expect(new Set(serviceNames.values()).size).toBe(serviceNames.size);
    });

    it('runs every function on arm64 Node.js 22 with active tracing, 512 MB and the Powertools environment', () => {
      for (const [id, fn] of byType(synthesized.resources, 'AWS::Lambda::Function')) {
        expect(fn.Properties, id).toMatchObject({
          Architectures: ['arm64'],
          Runtime: 'nodejs22.x',
          TracingConfig: { Mode: 'Active' },
          MemorySize: 512,
          Handler: 'index.handler',
          Environment: {
            Variables: {
              POWERTOOLS_SERVICE_NAME: serviceNames.get(id),
              POWERTOOLS_METRICS_NAMESPACE: 'EngagementAgent',
              POWERTOOLS_LOG_LEVEL: 'INFO',
              APP_NAME: 'engagement-agent',
              STAGE: 'dev',
              NODE_OPTIONS: '--enable-source-maps',
              TABLE_NAME: { Ref: 'Table7ABB320E' },
            },
          },
        });
      }
    });

    it('gives every function its own log group with a one-month retention, deleted with a dev stack', () => {
      // Prepare
      const { resources } = synthesized;

      // Act
      const groups = byType(resources, 'AWS::Lambda::Function').map(
        ([, fn]) => (fn.Properties['LoggingConfig'] as { LogGroup: { Ref: string } }).LogGroup.Ref,
      );

      // Assess
      expect(new Set(groups).size).toBe(groups.length);
      for (const group of groups) {
        expect(resources[group]).toMatchObject({
          Type: 'AWS::Logs::LogGroup',
          Properties: { RetentionInDays: 30 },
          DeletionPolicy: 'Delete',
        });
      }
    });

    it('lets each function write only to its own log group and attaches no managed policy', () => {
      // Prepare
      const { resources } = synthesized;

      // Act / Assess
      for (const [id, fn] of byType(resources, 'AWS::Lambda::Function')) {
        const role = roleOf(fn);
        const group = (fn.Properties['LoggingConfig'] as { LogGroup: { Ref: string } }).LogGroup
          .Ref;
        expect(resources[role]?.Properties['ManagedPolicyArns'], id).toBeUndefined();
        const logStatements = statementsByRole(resources).filter(
          ([r, statement]) => r === role && actions(statement).some((a) => a.startsWith('logs:')),
        );
        expect(
          logStatements.map(([, s]) => s.Resource),
          id,
        ).toEqual([{ 'Fn::GetAtt': [group, 'Arn'] }]);
      }
    });

    it('lets only act (enqueue) and the sender (deferrals, poison forwarding) send to the send queues', () => {
      // Prepare
      const { resources, stack } = synthesized;
      const sendQueueId = stack.getLogicalId(
        stack.sendQueue.queue.node.defaultChild as CfnResource,
      );
      const actRole = roleOf(
        resources[
          stack.getLogicalId(stack.cycle.functions.Act.lambda.node.defaultChild as CfnResource)
        ] as Resource,
      );

      // Act
      const senders = statementsByRole(resources)
        .filter(([, statement]) => actions(statement).includes('sqs:SendMessage'))
        .map(([role, statement]) => ({ role, resource: statement.Resource }));

      const senderRole = roleOf(
        resources[
          stack.getLogicalId(stack.sending.sender.lambda.node.defaultChild as CfnResource)
        ] as Resource,
      );
      const sendDlqId = stack.getLogicalId(
        stack.sendQueue.deadLetterQueue.node.defaultChild as CfnResource,
      );

      // Assess
      const sendQueueArns = [sendQueueId, sendDlqId].map((id) =>
        JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] }),
      );
      const toSendQueues = senders.filter((sender) =>
        sendQueueArns.includes(JSON.stringify(sender.resource)),
      );
      expect(toSendQueues).toHaveLength(3);
      expect(toSendQueues).toEqual(
        expect.arrayContaining([
          { role: actRole, resource: { 'Fn::GetAtt': [sendQueueId, 'Arn'] } },
          { role: senderRole, resource: { 'Fn::GetAtt': [sendQueueId, 'Arn'] } },
          { role: senderRole, resource: { 'Fn::GetAtt': [sendDlqId, 'Arn'] } },
        ]),
      );
      const act =
        resources[
          stack.getLogicalId(stack.cycle.functions.Act.lambda.node.defaultChild as CfnResource)
        ];
      expect(act?.Properties['Environment']).toMatchObject({
        Variables: { SEND_QUEUE_URL: { Ref: sendQueueId } },
      });
    });

    it('lets only begin-cycle, the sender and the Gmail poller read the kill switch', () => {
      // Prepare
      const { resources, stack } = synthesized;
      const checkGates = resources[
        stack.getLogicalId(stack.cycle.functions.BeginCycle.lambda.node.defaultChild as CfnResource)
      ] as Resource;

      // Act
      const readers = new Set(
        statementsByRole(resources)
          .filter(([, statement]) => actions(statement).includes('ssm:GetParameter'))
          .map(([role]) => role),
      );

      // Assess
      const sender = resources[
        stack.getLogicalId(stack.sending.sender.lambda.node.defaultChild as CfnResource)
      ] as Resource;
      const poller = resources[
        stack.getLogicalId(stack.ingest.poller.lambda.node.defaultChild as CfnResource)
      ] as Resource;
      expect([...readers].sort()).toEqual(
        [roleOf(checkGates), roleOf(sender), roleOf(poller)].sort(),
      );
      expect(checkGates.Properties['Environment']).toMatchObject({
        Variables: { KILL_SWITCH_PARAMETER: { Ref: 'KillSwitchB3461A48' } },
      });
    });

    it('grants table access by name: no Scan, no index wildcard, and read-only for list-tenants', () => {
      // Prepare
      const { resources, stack } = synthesized;
      const listTenantsRole = roleOf(
        resources[
          stack.getLogicalId(stack.fanOut.listTenants.lambda.node.defaultChild as CfnResource)
        ] as Resource,
      );

      // Act
      const dynamo = statementsByRole(resources).filter(([, statement]) =>
        actions(statement).some((action) => action.startsWith('dynamodb:')),
      );

      // Assess
      expect(dynamo.length).toBeGreaterThan(0);
      for (const [role, statement] of dynamo) {
        expect(actions(statement)).not.toContain('dynamodb:Scan');
        expect(JSON.stringify(statement.Resource)).not.toContain('/index/*');
        if (role === listTenantsRole) {
          expect(actions(statement).filter((a) => /Put|Update|Delete|Write/.test(a))).toEqual([]);
        }
      }
    });
  });

  describe('cdk-nag acknowledgments of the workflows', () => {
    it('acknowledges only the expected findings, each on one resource', () => {
      // Prepare
      const { app } = synthesized;

      // Act
      const acknowledged = app.node
        .findAll()
        .filter((c) => /\/(Cycle|FanOut)\//.test(c.node.path))
        .flatMap((construct) =>
          construct.node.metadata
            .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
            .flatMap((entry) => Object.keys(entry.data as Record<string, string>))
            .map((id) => ({
              id: id.replace(/^annotation::/i, ''),
              resource: CfnResource.isCfnResource(construct.node.defaultChild),
            })),
        );

      // Assess
      const allowed = [
        /^AwsSolutions-L1$/,
        /^Serverless::Serverless-LambdaLatestVersion$/,
        /^Serverless::Serverless-LambdaDLQ$/,
        /^AwsSolutions-SQS3$/,
        /^Serverless::Serverless-SQSRedrivePolicy$/,
        /^AwsSolutions-SF1$/,
        /^AwsSolutions-IAM5\[Resource::\*\]$/,
        /^AwsSolutions-IAM5\[Resource::<(Cycle\w+|FanOutListTenants)Function\w+\.Arn>:\*\]$/,
        /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:.*FanOutStateMachine\w+.*(:\*|\/StartCycles:\*)\]$/,
      ];
      expect(acknowledged.length).toBeGreaterThan(0);
      for (const { id, resource } of acknowledged) {
        expect(
          allowed.some((pattern) => pattern.test(id)),
          id,
        ).toBe(true);
        expect(resource, id).toBe(true);
      }
    });
  });

  describe('ASL snapshot (refactoring net)', () => {
    it('keeps both definitions unchanged', () => {
      // Asset hashes never appear in a definition, but scrub any 64-hex hash to keep the net on structure.
      const scrub = (asl: Asl) =>
        JSON.parse(JSON.stringify(asl).replace(/[0-9a-f]{64}/g, '<hash>')) as Asl;
      expect({ cycle: scrub(cycle), fanOut: scrub(fanOut) }).toMatchSnapshot();
    });
  });

  describe('environment-bound stack', () => {
    it('passes cdk-nag when account and region are known (acknowledgments match literal ARNs)', () => {
      // Prepare: the CLI sets CDK_DEFAULT_ACCOUNT/REGION, so findings name literal values.
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      const config = parseStageConfig({});
      new AgentStack(app, agentStackName(config), {
        config,
        env: { account: '123456789012', region: 'eu-west-1' },
      });

      // Act
      const report = new AwsSolutionsChecks().validateScope(app);

      // Assess
      expect(report.violations.map((v) => v.ruleName)).toEqual([]);
    });
  });

  describe('prod stage', () => {
    let prod: Synthesized;

    beforeAll(() => {
      prod = synthesize({ stage: 'prod' });
    });

    it('retains the function and state machine log groups', () => {
      for (const [id, group] of byType(prod.resources, 'AWS::Logs::LogGroup')) {
        expect(group.DeletionPolicy, id).toBe('Retain');
      }
    });

    it('passes the stage to the functions', () => {
      for (const [id, fn] of byType(prod.resources, 'AWS::Lambda::Function')) {
        expect((fn.Properties['Environment'] as { Variables: Json }).Variables['STAGE'], id).toBe(
          'prod',
        );
      }
    });
  });
});
