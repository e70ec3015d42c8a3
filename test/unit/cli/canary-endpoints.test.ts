import {
  CloudFormationClient,
  DescribeStacksCommand,
  type Output,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { canaryEndpoints } from '../../../infra/cli/canary-aws.js';
import { readStackOutputs } from '../../../infra/cli/stack-outputs.js';
import { ConfigError } from '../../../shared/errors.js';

// CloudFormation has no local emulator: its client alone is mocked.
const cloudFormation = mockClient(CloudFormationClient);

const OUTPUTS = {
  CycleStateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:Cycle',
  SendQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/EngagementAgent-prod-Send',
  UnsubscribeUrl: 'https://abc123.lambda-url.eu-west-1.on.aws/',
  UnsubscribeSigningSecretArn:
    'arn:aws:secretsmanager:eu-west-1:123456789012:secret:UnsubscribeSigningKey-x1',
};

async function outputsOf(outputs: Record<string, string>) {
  cloudFormation.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'EngagementAgent-prod',
        CreationTime: new Date(0),
        StackStatus: 'UPDATE_COMPLETE',
        Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]): Output => ({
          OutputKey,
          OutputValue,
        })),
      },
    ],
  });
  const client = new CloudFormationClient({ region: 'eu-west-1' });
  try {
    return await readStackOutputs(client, 'EngagementAgent-prod');
  } finally {
    client.destroy();
  }
}

describe('CLI: the canary finds its deployed resources in the stack outputs', () => {
  beforeEach(() => cloudFormation.reset());
  afterAll(() => cloudFormation.restore());

  it('takes the cycle state machine, send queue, unsubscribe URL and signing secret from the outputs', async () => {
    expect(canaryEndpoints(await outputsOf(OUTPUTS))).toEqual({
      cycleStateMachineArn: OUTPUTS.CycleStateMachineArn,
      sendQueueUrl: OUTPUTS.SendQueueUrl,
      unsubscribeUrl: OUTPUTS.UnsubscribeUrl,
      signingSecretArn: OUTPUTS.UnsubscribeSigningSecretArn,
    });
  });

  it.each(['UnsubscribeUrl', 'UnsubscribeSigningSecretArn', 'CycleStateMachineArn'])(
    'names the missing output %s and the redeploy that adds it',
    async (missing) => {
      const outputs = await outputsOf(
        Object.fromEntries(Object.entries(OUTPUTS).filter(([key]) => key !== missing)),
      );

      expect(() => canaryEndpoints(outputs)).toThrow(ConfigError);
      expect(() => canaryEndpoints(outputs)).toThrow(
        new RegExp(`no output ${missing} — deploy the current version of the stack`),
      );
    },
  );
});
