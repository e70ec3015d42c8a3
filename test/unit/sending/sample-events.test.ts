import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { sesFeedbackEventSchema } from '../../../shared/sending/ses-feedback.js';
import { PoisonMessageError, parseQueuedSend } from '../../../shared/sending/queued-send.js';

async function load(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
}

describe('Events: sending samples', () => {
  it('ships an SQS batch with one valid send request and one poison body', async () => {
    // Prepare
    const event = (await load('events/sqs/send-batch.json')) as { Records: { body: string }[] };

    // Act / Assess
    expect(parseQueuedSend(event.Records[0]!.body)).toMatchObject({ template: 'check_in' });
    expect(() => parseQueuedSend(event.Records[1]!.body)).toThrow(PoisonMessageError);
  });

  it.each(['events/ses/bounce.json', 'events/ses/complaint.json'])(
    'ships an SES event in %s that the feedback handler reads',
    async (path) => {
      const event = await load(path);
      expect(sesFeedbackEventSchema.safeParse(event['detail']).success).toBe(true);
    },
  );
});
