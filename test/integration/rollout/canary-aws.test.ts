import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  type Output,
} from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KillSwitch } from '../../../shared/adapters/parameters/kill-switch.js';
import { FileParameterStore } from '../../../shared/adapters/parameters/parameter-store.js';
import { SqsMessageQueue } from '../../../shared/adapters/queue/message-queue.js';
import { SystemClock } from '../../../shared/clock.js';
import { createCycleRepositories } from '../../../shared/cycle/create-runtime.js';
import { createUnsubscribeHandler } from '../../../shared/sending/unsubscribe-handler.js';
import { SigningKey } from '../../../shared/sending/unsubscribe-token.js';
import { runAwsCanary, SES_SIMULATOR_DOMAIN } from '../../../infra/cli/canary-aws.js';
import { oneClickPost } from '../../../infra/cli/canary.js';
import type { OperatorContext } from '../../../infra/cli/operator-context.js';
import { readStackOutputs } from '../../../infra/cli/stack-outputs.js';
import { localLambdaContext } from '../../../infra/local/lambda-context.js';
import { LocalExecutor } from '../../../infra/local/local-executor.js';
import {
  LOCAL_KILL_SWITCH_PARAMETER,
  localCycleRuntime,
  localObservability,
} from '../../../infra/local/local-runtime.js';
import { createLocalSender, type LocalSender } from '../../../infra/local/local-sender.js';
import { startLocalStack, type LocalStack } from '../../../infra/local/local-stack.js';
import { startLocalSes, type LocalSes } from '../../../infra/local/ses-emulator.js';
import { synthesizeStateMachineDefinitions } from '../../../infra/local/state-machine-definitions.js';

// The AWS canary's own code (stack-output discovery, the signing secret read, StartExecution and
// DescribeExecution polling, send-record polling, the HTTP one-click POST) against the embedded
// stack. Only the services without a local endpoint are mocked: CloudFormation (the outputs),
// Secrets Manager (the signing secret) and the Step Functions API, whose StartExecution runs the
// CDK-synthesized cycle in the local interpreter. The deployed sender is the real sender draining
// the real send queue; the unsubscribe Function URL is the real handler behind an HTTP server.
const cloudFormation = mockClient(CloudFormationClient);
const secretsManager = mockClient(SecretsManagerClient);
const stepFunctions = mockClient(SFNClient);

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:UnsubscribeSigningKey-x1';
const CYCLE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:Cycle';
const LEAD = `success@${SES_SIMULATOR_DOMAIN}`;

describe('Rollout: the canary on a deployed stage', () => {
  let dir: string;
  let stack: LocalStack;
  let ses: LocalSes;
  let sender: LocalSender;
  let server: Server;
  let context: OperatorContext;
  let draining: ReturnType<typeof setInterval>;
  let endpointStatus: number | undefined;
  const secretText = randomBytes(32).toString('hex');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'canary-aws-'));
    stack = await startLocalStack();
    ses = await startLocalSes(stack.region);
    const clock = new SystemClock();
    const parameters = new FileParameterStore(join(dir, 'parameters.json'));
    const killSwitch = new KillSwitch(parameters, LOCAL_KILL_SWITCH_PARAMETER);
    await killSwitch.set(false, { now: clock.now() });
    const signingKey = SigningKey.fromText(secretText);
    const send = stack.queues.send;
    sender = createLocalSender({
      doc: stack.clients.doc,
      tableName: stack.tableName,
      sqs: stack.clients.sqs,
      queueUrl: send.url,
      deadLetterQueueUrl: send.dlqUrl,
      ses: ses.client,
      clock,
      parameters,
      sendMode: 'internal_only',
      signingKey,
    });
    // The event source mapping stand-in: the deployed sender consumes the queue on its own.
    let busy = false;
    draining = setInterval(() => {
      if (busy) return;
      busy = true;
      void sender.drain.drainVisible().finally(() => (busy = false));
    }, 100);

    const repos = createCycleRepositories({
      doc: stack.clients.doc,
      tableName: stack.tableName,
      clock,
    });
    const unsubscribe = createUnsubscribeHandler({
      suppressions: repos.suppressions,
      signingKey,
      clock,
      metric: () => undefined,
      observability: localObservability('unsubscribe'),
    });
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        if (endpointStatus !== undefined) {
          res.writeHead(endpointStatus).end();
          return;
        }
        const event = { ...oneClickPost(`http://localhost${req.url ?? '/'}`), body };
        void unsubscribe(event, localLambdaContext('unsubscribe', 'canary')).then((answer) =>
          res.writeHead(answer.statusCode, answer.headers).end(answer.body),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;

    const outputs: Record<string, string> = {
      TableName: stack.tableName,
      KillSwitchParameterName: LOCAL_KILL_SWITCH_PARAMETER,
      CycleStateMachineArn: CYCLE_ARN,
      SendQueueUrl: send.url,
      SendDeadLetterQueueUrl: send.dlqUrl,
      UnsubscribeUrl: `http://127.0.0.1:${port}/`,
      UnsubscribeSigningSecretArn: SECRET_ARN,
    };
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'EngagementAgent-staging',
          CreationTime: new Date(0),
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]): Output => ({
            OutputKey,
            OutputValue,
          })),
        },
      ],
    });
    const cfn = new CloudFormationClient({ region: 'eu-west-1' });
    context = {
      target: 'AWS stack EngagementAgent-staging',
      repos,
      killSwitch,
      local: false,
      stackName: 'EngagementAgent-staging',
      stack: await readStackOutputs(cfn, 'EngagementAgent-staging'),
      table: { doc: stack.clients.doc, tableName: stack.tableName },
      queues: { sqs: stack.clients.sqs, serverSideMove: false, list: async () => [] },
      clock,
      close: async () => undefined,
    };
    cfn.destroy();

    const runtime = {
      ...localCycleRuntime({ stack, clock, parameters }),
      sendQueue: new SqsMessageQueue(stack.clients.sqs, send.url),
    };
    const executor = new LocalExecutor({
      definitions: synthesizeStateMachineDefinitions(),
      runtime,
    });
    const executions = new Map<string, string>();
    stepFunctions.on(StartExecutionCommand).callsFake(async (input: { input: string }) => {
      const run = await executor.runCycle(JSON.parse(input.input));
      const arn = `${CYCLE_ARN}:${executions.size}`;
      executions.set(arn, run.status);
      return { executionArn: arn, startDate: new Date() };
    });
    stepFunctions
      .on(DescribeExecutionCommand)
      .callsFake(async (input: { executionArn: string }) => ({
        status: executions.get(input.executionArn),
      }));
    secretsManager.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({
      SecretString: secretText,
    });
  }, 60_000);

  beforeEach(() => {
    endpointStatus = undefined;
  });

  afterAll(async () => {
    clearInterval(draining);
    await new Promise((resolve) => server.close(resolve));
    await ses?.stop();
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
    cloudFormation.restore();
    secretsManager.restore();
    stepFunctions.restore();
  });

  const run = () =>
    runAwsCanary(
      {
        context,
        sfn: new SFNClient({ region: 'eu-west-1' }),
        secrets: new SecretsManagerClient({ region: 'eu-west-1' }),
        clock: new SystemClock(),
        waits: { pollMs: 50, sendMs: 10_000, cycleMs: 30_000, killSwitchSettleMs: 0 },
      },
      new Date(),
    );

  it('passes every check with a mailbox-simulator lead, a link signed with the stage secret and the deployed endpoint', async () => {
    const result = await run();

    expect(result.checks.map((c) => [c.id, c.status])).toEqual([
      ['kill_switch_readable', 'PASS'],
      ['plan', 'PASS'],
      ['policy', 'PASS'],
      ['gate', 'PASS'],
      ['ses', 'PASS'],
      ['unsubscribe_link', 'PASS'],
      ['suppression_honoured', 'PASS'],
      ['kill_switch_honoured', 'PASS'],
      ['cleanup', 'PASS'],
    ]);
    expect(result.passed).toBe(true);
    // SES took one mail for the lead, none for the kill-switch probe; the secret stays out of the result.
    const mailed = (await ses.emails()).map((mail) => mail.destination.to).flat();
    expect(mailed.filter((to) => to === LEAD)).toHaveLength(1);
    expect(mailed.some((to) => to.includes('kill-switch-probe'))).toBe(false);
    expect(JSON.stringify(result)).not.toContain(secretText);
    expect(result.checks.find((c) => c.id === 'suppression_honoured')?.detail).toContain(
      'suppressed',
    );
    // Started the deployed cycle state machine with the cycle's input; the canary tenant is gone.
    const start = stepFunctions.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(start.stateMachineArn).toBe(CYCLE_ARN);
    expect(JSON.parse(start.input ?? '{}')).toMatchObject({ tenantId: 'canary' });
    expect(await context.repos.tenants.get('canary')).toBeUndefined();
    expect(await context.killSwitch.read()).toMatchObject({ on: false });
  }, 120_000);

  it('fails unsubscribe_link naming the endpoint status when the deployed endpoint refuses, and still cleans up', async () => {
    endpointStatus = 403;

    const result = await run();

    expect(result.passed).toBe(false);
    const failing = result.checks.filter((c) => c.status === 'FAIL');
    expect(failing.map((c) => [c.id, c.detail])).toEqual([
      ['unsubscribe_link', 'one-click POST answered 403; address not suppressed'],
    ]);
    expect(result.checks.find((c) => c.id === 'suppression_honoured')?.status).toBe('SKIP');
    expect(result.checks.find((c) => c.id === 'cleanup')?.status).toBe('PASS');
    expect(await context.repos.tenants.get('canary')).toBeUndefined();
  }, 120_000);
});
