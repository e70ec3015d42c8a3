import { Writable } from 'node:stream';
import {
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStacksCommand,
  type Output,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../infra/cli/main.js';
import { openOperatorContext, type OperatorTarget } from '../../../infra/cli/operator-context.js';
import { ConfigError } from '../../../shared/errors.js';

// CloudFormation has no local emulator: its client alone is mocked; every other client stays real
// and is never called by these tests (opening a context on AWS only reads the stack).
const cloudFormation = mockClient(CloudFormationClient);

const QUEUE_BASE = 'https://sqs.eu-west-1.amazonaws.com/123456789012';
const OUTPUTS = {
  TableName: 'EngagementAgent-prod-TableCD117FA1-1A2B3C',
  KillSwitchParameterName: '/engagement-agent/prod/kill-switch',
  AlarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:EngagementAgent-prod-AlarmTopicD01E77F9-x1',
  SendQueueUrl: `${QUEUE_BASE}/EngagementAgent-prod-SendQueue1FEF7B60-a1`,
  SendDeadLetterQueueUrl: `${QUEUE_BASE}/EngagementAgent-prod-SendQueueDeadLetter5A7C3B1E-b2`,
  IngestQueueUrl: `${QUEUE_BASE}/EngagementAgent-prod-IngestQueueE0C5E22D-c3`,
  IngestDeadLetterQueueUrl: `${QUEUE_BASE}/EngagementAgent-prod-IngestQueueDeadLetter9F8E7D6C-d4`,
  CycleStateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:Cycle',
  FanOutStateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:FanOut',
};

function stackWith(outputs: Record<string, string>, status = 'UPDATE_COMPLETE') {
  const Outputs: Output[] = Object.entries(outputs).map(([OutputKey, OutputValue]) => ({
    OutputKey,
    OutputValue,
  }));
  return {
    Stacks: [
      { StackName: 'any', CreationTime: new Date(0), StackStatus: status as never, Outputs },
    ],
  };
}

function without(key: string): Record<string, string> {
  return Object.fromEntries(Object.entries(OUTPUTS).filter(([k]) => k !== key));
}

function missingStackError(name: string): CloudFormationServiceException {
  return new CloudFormationServiceException({
    name: 'ValidationError',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: `Stack with id ${name} does not exist`,
  });
}

async function open(target: OperatorTarget, env: NodeJS.ProcessEnv = {}) {
  const context = await openOperatorContext(target, env);
  contexts.push(context);
  return context;
}
const contexts: Awaited<ReturnType<typeof openOperatorContext>>[] = [];

function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

beforeEach(() => {
  cloudFormation.reset();
  // Region and credentials the SDK finds before any call; no request leaves the process.
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAEXAMPLEEXAMPLE00');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'not-a-real-secret');
  vi.stubEnv('AWS_PROFILE', undefined);
  vi.stubEnv('TABLE_NAME', undefined);
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(contexts.splice(0).map((context) => context.close()));
});

afterAll(() => {
  cloudFormation.restore();
});

describe('agentctl: resources from the stack outputs', () => {
  it('takes the table, kill-switch parameter, queues and alarm topic from the outputs of the --app/--stage stack', async () => {
    // Prepare
    cloudFormation.on(DescribeStacksCommand).resolves(stackWith(OUTPUTS));

    // Act
    const context = await open({ stage: 'prod' });

    // Assess
    expect(
      cloudFormation.commandCalls(DescribeStacksCommand).map((call) => call.args[0].input),
    ).toEqual([{ StackName: 'EngagementAgent-prod' }]);
    expect(context.stackName).toBe('EngagementAgent-prod');
    expect(context.table.tableName).toBe(OUTPUTS.TableName);
    expect(context.killSwitch.parameterName).toBe(OUTPUTS.KillSwitchParameterName);
    expect(context.stack?.require('AlarmTopicArn')).toBe(OUTPUTS.AlarmTopicArn);
    expect(await context.queues.list()).toEqual([
      {
        name: 'ingest',
        url: OUTPUTS.IngestQueueUrl,
        deadLetterUrl: OUTPUTS.IngestDeadLetterQueueUrl,
      },
      { name: 'send', url: OUTPUTS.SendQueueUrl, deadLetterUrl: OUTPUTS.SendDeadLetterQueueUrl },
    ]);
    expect(context.target).toBe(`AWS stack EngagementAgent-prod, table ${OUTPUTS.TableName}`);
  });

  it('describes the stack named by --stack, not the --app/--stage default', async () => {
    // Prepare
    cloudFormation.on(DescribeStacksCommand).resolves(stackWith(OUTPUTS));

    // Act
    const context = await open({ stack: 'Agent-blue', app: 'other-app', stage: 'staging' });

    // Assess
    expect(cloudFormation.commandCalls(DescribeStacksCommand)[0]?.args[0].input).toEqual({
      StackName: 'Agent-blue',
    });
    expect(context.stackName).toBe('Agent-blue');
  });

  it.each([
    { case: '--table', target: { table: 'restored-table' }, env: {}, expected: 'restored-table' },
    { case: 'TABLE_NAME', target: {}, env: { TABLE_NAME: 'env-table' }, expected: 'env-table' },
    {
      case: '--table over TABLE_NAME',
      target: { table: 'flag-table' },
      env: { TABLE_NAME: 'env-table' },
      expected: 'flag-table',
    },
  ])(
    'lets $case override the TableName output and nothing else',
    async ({ target, env, expected }) => {
      // Prepare
      cloudFormation.on(DescribeStacksCommand).resolves(stackWith(without('TableName')));

      // Act
      const context = await open(target, env);

      // Assess
      expect(context.table.tableName).toBe(expected);
      expect(context.killSwitch.parameterName).toBe(OUTPUTS.KillSwitchParameterName);
    },
  );

  it.each([
    {
      case: 'the stack does not exist',
      reply: () =>
        cloudFormation.on(DescribeStacksCommand).rejects(missingStackError('EngagementAgent-dev')),
      field: '--stack',
      message:
        /stack EngagementAgent-dev does not exist in this account and region — pass --stack NAME/,
    },
    {
      case: 'CloudFormation returns no stack',
      reply: () => cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [] }),
      field: '--stack',
      message: /stack EngagementAgent-dev does not exist/,
    },
    {
      case: 'the TableName output is missing',
      reply: () =>
        cloudFormation.on(DescribeStacksCommand).resolves(stackWith(without('TableName'))),
      field: 'stack output TableName',
      message:
        /stack EngagementAgent-dev \(UPDATE_COMPLETE\) has no output TableName — deploy the current version/,
    },
    {
      case: 'a failed stack has no outputs',
      reply: () =>
        cloudFormation.on(DescribeStacksCommand).resolves(stackWith({}, 'ROLLBACK_COMPLETE')),
      field: 'stack output TableName',
      message: /\(ROLLBACK_COMPLETE\) has no output TableName/,
    },
    {
      case: 'the KillSwitchParameterName output is missing',
      reply: () =>
        cloudFormation
          .on(DescribeStacksCommand)
          .resolves(stackWith(without('KillSwitchParameterName'))),
      field: 'stack output KillSwitchParameterName',
      message: /has no output KillSwitchParameterName/,
    },
  ])('refuses to open when $case, naming it and the fix', async ({ reply, field, message }) => {
    // Prepare
    reply();

    // Act
    const opening = open({});

    // Assess
    const error = await opening.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(field);
    expect((error as ConfigError).message).toMatch(message);
  });

  it('names a missing queue output when the queues are listed', async () => {
    // Prepare
    cloudFormation
      .on(DescribeStacksCommand)
      .resolves(stackWith(without('IngestDeadLetterQueueUrl')));
    const context = await open({});

    // Act
    const listing = context.queues.list();

    // Assess
    await expect(listing).rejects.toThrow(
      'stack output IngestDeadLetterQueueUrl: stack EngagementAgent-dev (UPDATE_COMPLETE) has no output IngestDeadLetterQueueUrl',
    );
  });

  it.each([
    {
      case: 'a missing stack exits 2 (bad input)',
      reply: () => cloudFormation.on(DescribeStacksCommand).rejects(missingStackError('Nope')),
      code: 2,
      err: 'error: --stack: stack Nope does not exist',
    },
    {
      case: 'a missing output exits 2 (bad input)',
      reply: () =>
        cloudFormation
          .on(DescribeStacksCommand)
          .resolves(stackWith(without('KillSwitchParameterName'))),
      code: 2,
      err: 'error: stack output KillSwitchParameterName: stack Nope',
    },
    {
      case: 'any other CloudFormation error exits 1 (failure) with its message',
      reply: () =>
        cloudFormation.on(DescribeStacksCommand).rejects(
          new CloudFormationServiceException({
            name: 'AccessDenied',
            $fault: 'client',
            $metadata: { httpStatusCode: 403 },
            message: 'not authorized to perform: cloudformation:DescribeStacks',
          }),
        ),
      code: 1,
      err: 'error: AccessDenied: not authorized to perform: cloudformation:DescribeStacks',
    },
  ])('agentctl kill-switch status: $case', async ({ reply, code, err }) => {
    // Prepare
    reply();
    const out = sink();
    const errors = sink();

    // Act
    const exitCode = await main(
      ['kill-switch', 'status', '--stack', 'Nope'],
      out.stream,
      errors.stream,
    );

    // Assess
    expect(exitCode).toBe(code);
    expect(errors.text()).toContain(err);
    expect(out.text()).toBe('');
  });
});
