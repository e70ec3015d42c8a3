import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** Sends many JSON messages to one queue. */
export interface BatchQueue {
  /** Enqueues every body (JSON); resolves only when SQS accepted all of them. */
  sendAll(bodies: readonly unknown[]): Promise<void>;
}

/** SQS SendMessageBatch, 10 per call; entries SQS reports as failed are retried twice, then it throws. */
export class SqsBatchQueue implements BatchQueue {
  constructor(
    private readonly client: SQSClient,
    readonly queueUrl: string,
  ) {}

  async sendAll(bodies: readonly unknown[]): Promise<void> {
    for (let offset = 0; offset < bodies.length; offset += 10) {
      let entries = bodies.slice(offset, offset + 10).map((body, index) => ({
        Id: String(offset + index),
        MessageBody: JSON.stringify(body),
      }));
      for (let round = 0; entries.length > 0; round += 1) {
        const result = await this.client.send(
          new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }),
        );
        const failed = new Set((result.Failed ?? []).map((failure) => failure.Id));
        entries = entries.filter((entry) => failed.has(entry.Id));
        if (entries.length > 0 && round === 2) {
          const first = result.Failed?.[0];
          throw new Error(
            `SQS refused ${entries.length} message(s) after 3 rounds (${first?.Code ?? 'unknown'}: ${first?.Message ?? ''})`,
          );
        }
      }
    }
  }
}
