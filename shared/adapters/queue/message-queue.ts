import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** Sends JSON messages to one queue. */
export interface MessageQueue {
  /** Enqueues `body` (serialised as JSON); returns the queue's message id. */
  send(body: unknown, options?: { delaySeconds?: number }): Promise<string>;
}

/** SQS's longest delivery delay; longer waits are carried as a due time in the message. */
export const MAX_SQS_DELAY_SECONDS = 900;

/** An SQS standard queue. */
export class SqsMessageQueue implements MessageQueue {
  constructor(
    private readonly client: SQSClient,
    readonly queueUrl: string,
  ) {}

  async send(body: unknown, options: { delaySeconds?: number } = {}): Promise<string> {
    const result = await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(body),
        ...(options.delaySeconds
          ? {
              DelaySeconds: Math.min(
                Math.max(0, Math.round(options.delaySeconds)),
                MAX_SQS_DELAY_SECONDS,
              ),
            }
          : {}),
      }),
    );
    if (!result.MessageId) throw new Error('SQS returned no MessageId');
    return result.MessageId;
  }
}
