import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/**
 * Forwards a message body to a dead-letter queue with string message attributes (the failure
 * reason), for consumers that give up on a message themselves on its last delivery.
 */
export class SqsDeadLetterSink {
  constructor(
    private readonly client: SQSClient,
    readonly queueUrl: string,
  ) {}

  /** Sends `body` unchanged, with `attributes` as String message attributes. */
  async send(body: string, attributes: Readonly<Record<string, string>>): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: body,
        MessageAttributes: Object.fromEntries(
          Object.entries(attributes).map(([name, value]) => [
            name,
            { DataType: 'String', StringValue: value === '' ? '-' : value },
          ]),
        ),
      }),
    );
  }
}
