import {
  DescribeStacksCommand,
  type CloudFormationClient,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { QUEUE_DEFINITIONS, type QueueName } from '../../shared/messaging/queue-definitions.js';
import { ConfigError } from '../../shared/errors.js';

/** The CfnOutputs of the agent stack that agentctl reads (infra/stacks/agent-stack.ts declares them). */
export const OPERATOR_STACK_OUTPUTS = {
  table: 'TableName',
  killSwitchParameter: 'KillSwitchParameterName',
  alarmTopic: 'AlarmTopicArn',
} as const;

/** The further outputs `agentctl canary` reads on AWS: the cycle to start and the unsubscribe endpoint and key. */
export const CANARY_STACK_OUTPUTS = {
  cycleStateMachine: 'CycleStateMachineArn',
  unsubscribeUrl: 'UnsubscribeUrl',
  signingSecret: 'UnsubscribeSigningSecretArn',
} as const;

/** The outputs naming a work queue and its dead-letter queue: `send` → `SendQueueUrl`, `SendDeadLetterQueueUrl`. */
export function queueOutputKeys(name: QueueName): {
  readonly url: string;
  readonly deadLetterUrl: string;
} {
  const pascal = name.charAt(0).toUpperCase() + name.slice(1);
  return { url: `${pascal}QueueUrl`, deadLetterUrl: `${pascal}DeadLetterQueueUrl` };
}

/** Every output key agentctl may read, queues included. */
export function operatorOutputKeys(): string[] {
  return [
    ...Object.values(OPERATOR_STACK_OUTPUTS),
    ...Object.values(CANARY_STACK_OUTPUTS),
    ...(Object.keys(QUEUE_DEFINITIONS) as QueueName[]).flatMap((name) =>
      Object.values(queueOutputKeys(name)),
    ),
  ];
}

/** One deployed stack's outputs, read once. */
export interface StackOutputs {
  readonly stackName: string;
  /** CloudFormation's stack status (`CREATE_COMPLETE`, `ROLLBACK_COMPLETE` …). */
  readonly status: string;
  /** The output's value; a {@link ConfigError} naming the stack, the output and the fix when absent. */
  require(key: string): string;
}

/**
 * Reads `stackName`'s outputs with one CloudFormation DescribeStacks call. A stack that does not
 * exist in the configured account and region is a {@link ConfigError} (`--stack`) naming it and
 * the fix; any other CloudFormation error (access denied, throttling) propagates unchanged.
 */
export async function readStackOutputs(
  client: CloudFormationClient,
  stackName: string,
): Promise<StackOutputs> {
  let stack: Stack | undefined;
  try {
    stack = (await client.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
  } catch (error) {
    if (isMissingStack(error)) throw missingStack(stackName);
    throw error;
  }
  if (!stack) throw missingStack(stackName);
  const status = stack.StackStatus ?? 'UNKNOWN';
  const values = new Map(
    (stack.Outputs ?? []).flatMap((output) =>
      output.OutputKey && output.OutputValue
        ? [[output.OutputKey, output.OutputValue] as const]
        : [],
    ),
  );
  return {
    stackName,
    status,
    require: (key) => {
      const value = values.get(key);
      if (value === undefined)
        throw new ConfigError(
          `stack output ${key}`,
          `stack ${stackName} (${status}) has no output ${key} — deploy the current version of the stack (npx cdk deploy ${stackName}), or pass --stack NAME of a deployed agent stack`,
        );
      return value;
    },
  };
}

function isMissingStack(error: unknown): boolean {
  // CloudFormation answers an unknown stack name with a 400 ValidationError "Stack with id … does not exist".
  return (
    error instanceof Error &&
    error.name === 'ValidationError' &&
    /does not exist/i.test(error.message)
  );
}

function missingStack(stackName: string): ConfigError {
  return new ConfigError(
    '--stack',
    `stack ${stackName} does not exist in this account and region — pass --stack NAME (or --app/--stage) of the deployed stack, check AWS_REGION/AWS_PROFILE, or use --local DIR`,
  );
}
