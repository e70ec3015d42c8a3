import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SQSClient } from '@aws-sdk/client-sqs';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { join } from 'node:path';
import { SystemClock, type Clock } from '../../shared/clock.js';
import { STAGES, type Stage } from '../../shared/config.js';
import { KillSwitch } from '../../shared/adapters/parameters/kill-switch.js';
import {
  FileParameterStore,
  SsmParameterStore,
} from '../../shared/adapters/parameters/parameter-store.js';
import { createCycleRepositories } from '../../shared/cycle/create-runtime.js';
import type { CycleRepositories } from '../../shared/cycle/runtime.js';
import { ConfigError } from '../../shared/errors.js';
import { openDataDirClock } from '../local/data-dir-clock.js';
import { startLocalStack } from '../local/local-stack.js';
import { LOCAL_KILL_SWITCH_PARAMETER } from '../local/local-runtime.js';
import { agentStackName } from '../stage-config.js';
import {
  localQueueDirectory,
  stackQueueDirectory,
  type QueueDirectory,
} from './queue-directory.js';
import { OPERATOR_STACK_OUTPUTS, readStackOutputs, type StackOutputs } from './stack-outputs.js';
import { requireDataDir } from './data-dir.js';

/** What operator commands work against: the table's repositories and the kill switch. */
export interface OperatorContext {
  readonly target: string;
  readonly repos: CycleRepositories;
  readonly killSwitch: KillSwitch;
  /** True for a local data dir (no CloudWatch, SES or SNS to inspect). */
  readonly local: boolean;
  /** The CloudFormation stack name (`EngagementAgent-dev`); its alarms are named after it. */
  readonly stackName: string;
  /** The deployed stack's outputs (read once when the context opened); absent for a local data dir. */
  readonly stack?: StackOutputs;
  /** The table itself, for reads no repository offers (the raw lock item). */
  readonly table: { readonly doc: DynamoDBDocumentClient; readonly tableName: string };
  /** The work queues and their dead-letter queues. */
  readonly queues: QueueDirectory;
  /**
   * What "now" is for decisions without `--at`: the wall clock on AWS; on a local data dir, the
   * virtual time its last simulation reached (the wall clock for a data dir that recorded none).
   */
  readonly clock: Clock;
  close(): Promise<void>;
}

/** Where an operator command points: a local data dir, or a deployed stack on AWS. */
export interface OperatorTarget {
  readonly local?: string;
  /** The CloudFormation stack; default `agentStackName` of app and stage (`EngagementAgent-dev`). */
  readonly stack?: string;
  /** Overrides the stack output TableName (as does TABLE_NAME). */
  readonly table?: string;
  readonly app?: string;
  readonly stage?: string;
}

/**
 * Opens the operator context: with `local`, the embedded stack on that data dir (the same one
 * `agentctl simulate --data-dir` writes; any other directory is refused, nothing is created);
 * otherwise AWS: the stack `--stack` (default `agentStackName` of `--app`/`--stage`, i.e.
 * `EngagementAgent-dev`) is described once, and the table, kill-switch parameter, queues and
 * alarm topic come from its outputs. `--table`, then TABLE_NAME, override the output TableName.
 * A missing stack or output is a {@link ConfigError} naming it and the fix.
 */
export async function openOperatorContext(
  target: OperatorTarget,
  env: NodeJS.ProcessEnv = process.env,
): Promise<OperatorContext> {
  if (target.local) {
    await requireDataDir(target.local);
    const clock = (await openDataDirClock(target.local)) ?? new SystemClock();
    const stack = await startLocalStack({ dataDir: target.local });
    return {
      target: `local data dir ${target.local}`,
      repos: createCycleRepositories({ doc: stack.clients.doc, tableName: stack.tableName, clock }),
      killSwitch: new KillSwitch(
        new FileParameterStore(join(target.local, 'parameters.json')),
        LOCAL_KILL_SWITCH_PARAMETER,
      ),
      local: true,
      stackName: agentStackName({ appName: 'engagement-agent', stage: 'dev' }),
      table: { doc: stack.clients.doc, tableName: stack.tableName },
      queues: localQueueDirectory(stack.clients.sqs, stack.queues),
      clock,
      close: () => stack.stop(),
    };
  }
  const clock = new SystemClock();
  const stackName = target.stack ?? defaultStackName(target, env);
  const cloudFormation = new CloudFormationClient({});
  let outputs: StackOutputs;
  try {
    await requireAwsSetup(cloudFormation);
    outputs = await readStackOutputs(cloudFormation, stackName);
  } finally {
    cloudFormation.destroy();
  }
  const tableName =
    target.table ?? env['TABLE_NAME'] ?? outputs.require(OPERATOR_STACK_OUTPUTS.table);
  const parameterName = outputs.require(OPERATOR_STACK_OUTPUTS.killSwitchParameter);
  const dynamodb = new DynamoDBClient({});
  const ssm = new SSMClient({});
  const sqs = new SQSClient({});
  const doc = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return {
    target: `AWS stack ${stackName}, table ${tableName}`,
    repos: createCycleRepositories({ doc, tableName, clock }),
    killSwitch: new KillSwitch(new SsmParameterStore(ssm), parameterName),
    local: false,
    stackName,
    stack: outputs,
    table: { doc, tableName },
    queues: stackQueueDirectory(sqs, outputs),
    clock,
    close: async () => {
      dynamodb.destroy();
      ssm.destroy();
      sqs.destroy();
    },
  };
}

/** `agentStackName` of `--app`/APP_NAME (default engagement-agent) and `--stage`/STAGE (default dev). */
function defaultStackName(target: OperatorTarget, env: NodeJS.ProcessEnv): string {
  const stage = target.stage ?? env['STAGE'] ?? 'dev';
  if (!(STAGES as readonly string[]).includes(stage))
    throw new ConfigError('--stage', `expected one of ${STAGES.join(', ')}`);
  const appName = target.app ?? env['APP_NAME'] ?? 'engagement-agent';
  return agentStackName({ appName, stage: stage as Stage });
}

/**
 * Fails with a {@link ConfigError} naming the fix when the SDK finds no region or no credentials,
 * before any command talks to AWS.
 */
async function requireAwsSetup(client: CloudFormationClient): Promise<void> {
  try {
    await client.config.region();
  } catch {
    throw new ConfigError(
      'AWS_REGION',
      'no AWS region configured — set AWS_REGION (or AWS_PROFILE with a region), or use --local DIR',
    );
  }
  try {
    await client.config.credentials();
  } catch {
    throw new ConfigError(
      'AWS credentials',
      'none found — set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use --local DIR',
    );
  }
}
