import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { formatRedrive, redriveDeadLetterQueue } from '../../../infra/cli/dlq.js';
import { stackQueueDirectory } from '../../../infra/cli/queue-directory.js';
import type { StackOutputs } from '../../../infra/cli/stack-outputs.js';

const sqs = mockClient(SQSClient);
// Workers are shared across files (isolate: false): put the real send back for the next file.
afterAll(() => sqs.restore());
const ACCOUNT = 'https://sqs.us-east-1.amazonaws.com/123456789012';
const outputs: StackOutputs = {
  stackName: 'EngagementAgent-prod',
  status: 'UPDATE_COMPLETE',
  require: (key) => `${ACCOUNT}/${key}`,
};
const arnOf = (url: string) => `arn:aws:sqs:us-east-1:123456789012:${url.split('/').at(-1)}`;

describe('Operations: dlq redrive on AWS', () => {
  beforeEach(() => {
    sqs.reset();
    sqs.on(GetQueueAttributesCommand).callsFake((input: { QueueUrl: string }) => ({
      Attributes: {
        QueueArn: arnOf(input.QueueUrl),
        ApproximateNumberOfMessages: '3',
        ApproximateNumberOfMessagesNotVisible: '0',
        ApproximateNumberOfMessagesDelayed: '0',
      },
    }));
  });

  it('starts one SQS message move task from the dead-letter queue to its work queue', async () => {
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
    const directory = stackQueueDirectory(new SQSClient({ region: 'us-east-1' }), outputs);

    const result = await redriveDeadLetterQueue(directory, 'send');

    expect(sqs.commandCalls(StartMessageMoveTaskCommand).map((call) => call.args[0].input)).toEqual(
      [
        {
          SourceArn: arnOf(`${ACCOUNT}/SendDeadLetterQueueUrl`),
          DestinationArn: arnOf(`${ACCOUNT}/SendQueueUrl`),
        },
      ],
    );
    expect(sqs.commandCalls(ReceiveMessageCommand)).toHaveLength(0);
    expect(result).toMatchObject({ found: 3, moved: 3, moveTaskHandle: 'task-1' });
    expect(formatRedrive(result)).toMatch(/^started an SQS move task for 3 messages .*task-1/);
  });

  it('moves message by message when a limit is given, which a move task cannot honour', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [{ Body: '{}', ReceiptHandle: 'r-1' }] })
      .resolves({ Messages: [] });
    sqs.on(SendMessageCommand).resolves({});
    sqs.on(DeleteMessageCommand).resolves({});
    const directory = stackQueueDirectory(new SQSClient({ region: 'us-east-1' }), outputs);

    const result = await redriveDeadLetterQueue(directory, 'send', { limit: 1 });

    expect(sqs.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(0);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
    expect(result).toMatchObject({ moved: 1 });
    expect(result.moveTaskHandle).toBeUndefined();
  });
});
