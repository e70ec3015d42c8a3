import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SQSClient } from '@aws-sdk/client-sqs';
import { join } from 'node:path';
import { SystemClock } from '../../shared/clock.js';
import { killSwitchParameterName, STAGES, type Stage } from '../../shared/config.js';
import { KillSwitch } from '../../shared/adapters/parameters/kill-switch.js';
import {
  FileParameterStore,
  SsmParameterStore,
} from '../../shared/adapters/parameters/parameter-store.js';
import { createCycleRepositories } from '../../shared/cycle/create-runtime.js';
import type { CycleRepositories } from '../../shared/cycle/runtime.js';
import { ConfigError } from '../../shared/errors.js';
import { startLocalStack } from '../local/local-stack.js';
import { LOCAL_KILL_SWITCH_PARAMETER } from '../local/local-runtime.js';
import { agentStackName } from '../stage-config.js';
import { awsQueueDirectory, localQueueDirectory, type QueueDirectory } from './queue-directory.js';
import { requireDataDir } from './data-dir.js';

/** What operator commands work against: the table's repositories and the kill switch. */
export interface OperatorContext {
  readonly target: string;
  readonly repos: CycleRepositories;
  readonly killSwitch: KillSwitch;
  /** True for a local data dir (no CloudWatch, SES or SNS to inspect). */
  readonly local: boolean;
  /** The CloudFormation stack name (`EngagementAgent-dev`); alarms and queues are named after it. */
  readonly stackName: string;
  /** The table itself, for reads no repository offers (the raw lock item). */
  readonly table: { readonly doc: DynamoDBDocumentClient; readonly tableName: string };
  /** The work queues and their dead-letter queues. */
  readonly queues: QueueDirectory;
  close(): Promise<void>;
}

/** Where an operator command points: a local data dir, or AWS (table and parameter by name). */
export interface OperatorTarget {
  readonly local?: string;
  readonly table?: string;
  readonly app?: string;
  readonly stage?: string;
}

/**
 * Opens the operator context: with `local`, the embedded stack on that data dir (the same one
 * `agentctl simulate --data-dir` writes; any other directory is refused, nothing is created);
 * otherwise AWS, with the table from `--table` or
 * TABLE_NAME and the kill switch `/<app>/<stage>/kill-switch` (or KILL_SWITCH_PARAMETER).
 */
export async function openOperatorContext(
  target: OperatorTarget,
  env: NodeJS.ProcessEnv = process.env,
): Promise<OperatorContext> {
  const clock = new SystemClock();
  if (target.local) {
    await requireDataDir(target.local);
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
      close: () => stack.stop(),
    };
  }
  const tableName = target.table ?? env['TABLE_NAME'];
  if (!tableName)
    throw new ConfigError(
      '--table',
      'pass --table NAME or set TABLE_NAME (the stack output TableName), or use --local DIR',
    );
  const stage = target.stage ?? env['STAGE'] ?? 'dev';
  if (!(STAGES as readonly string[]).includes(stage))
    throw new ConfigError('--stage', `expected one of ${STAGES.join(', ')}`);
  const appName = target.app ?? env['APP_NAME'] ?? 'engagement-agent';
  const parameterName =
    env['KILL_SWITCH_PARAMETER'] ?? killSwitchParameterName(appName, stage as Stage);
  const dynamodb = new DynamoDBClient({});
  await requireAwsSetup(dynamodb);
  const ssm = new SSMClient({});
  const sqs = new SQSClient({});
  const doc = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const stackName = agentStackName({ appName, stage: stage as Stage });
  return {
    target: `AWS table ${tableName}`,
    repos: createCycleRepositories({ doc, tableName, clock }),
    killSwitch: new KillSwitch(new SsmParameterStore(ssm), parameterName),
    local: false,
    stackName,
    table: { doc, tableName },
    queues: awsQueueDirectory(sqs, stackName),
    close: async () => {
      dynamodb.destroy();
      ssm.destroy();
      sqs.destroy();
    },
  };
}

/**
 * Fails with a {@link ConfigError} naming the fix when the SDK finds no region or no credentials,
 * before any command talks to AWS.
 */
async function requireAwsSetup(client: DynamoDBClient): Promise<void> {
  try {
    await client.config.region();
  } catch {
    client.destroy();
    throw new ConfigError(
      'AWS_REGION',
      'no AWS region configured — set AWS_REGION (or AWS_PROFILE with a region), or use --local DIR',
    );
  }
  try {
    await client.config.credentials();
  } catch {
    client.destroy();
    throw new ConfigError(
      'AWS credentials',
      'none found — set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use --local DIR',
    );
  }
}
