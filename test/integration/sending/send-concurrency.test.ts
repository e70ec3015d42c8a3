import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredOutcome } from '../../../shared/domain/outcomes.js';
import { toEvent } from '../../../infra/local/send-queue-drain.js';
import { localLambdaContext } from '../../../infra/local/lambda-context.js';
import { createSendingHarness, type SendingHarness } from '../../helpers/sending-harness.js';

const UNIQUE = 170;
const DUPLICATES = 30;
const WORKERS = 30;
const CAPS = { perHour: 60, perDay: 100, perDomainPerHour: 8, minDelaySeconds: 0 };

function recipient(i: number): string {
  return `r${i}@d${i % 10}.example`;
}

function domainOf(email: string): string {
  return email.slice(email.indexOf('@') + 1);
}

function sentOutcomes(outcomes: StoredOutcome[]) {
  return outcomes.flatMap((o) => (o.kind === 'send_result' && o.status === 'sent' ? [o] : []));
}

function maxPerKey<T>(items: readonly T[], key: (item: T) => string): number {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return Math.max(0, ...counts.values());
}

describe('Function: sender (concurrency and idempotency)', () => {
  let h: SendingHarness;
  let phaseOne: { invocations: number; duplicateInvocations: number };

  beforeAll(async () => {
    // Prepare: 170 keys, 30 of them enqueued twice (200 messages), caps 60/hour and 100/day.
    h = await createSendingHarness({ sendMode: 'production', start: '2026-01-05T15:00:00.000Z' });
    await h.seedTenant('acme', { sending: { caps: CAPS, window: { enabled: false } } });
    for (let i = 0; i < UNIQUE; i += 1)
      await h.enqueue(h.request('acme', `card-${i}`, recipient(i)));
    for (let i = 0; i < DUPLICATES; i += 1)
      await h.enqueue(h.request('acme', `card-${i}`, recipient(i)));

    // Act: 30 concurrent workers, each receiving batches of 10 and invoking the real handler;
    // every third batch is delivered to two invocations at once (SQS at-least-once delivery).
    phaseOne = { invocations: 0, duplicateInvocations: 0 };
    let batchNumber = 0;
    await Promise.all(
      Array.from({ length: WORKERS }, async (_, worker) => {
        for (;;) {
          const { Messages = [] } = await h.sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: h.queues.url,
              MaxNumberOfMessages: 10,
              WaitTimeSeconds: 0,
              VisibilityTimeout: 43_200,
              MessageSystemAttributeNames: ['All'],
            }),
          );
          if (Messages.length === 0) return;
          batchNumber += 1;
          const event = toEvent(Messages);
          const context = localLambdaContext('sender', `worker-${worker}-${batchNumber}`);
          const twice = batchNumber % 3 === 0;
          const [first] = await Promise.all([
            h.sender.handler(event, context),
            ...(twice ? [h.sender.handler(event, context)] : []),
          ]);
          phaseOne.invocations += twice ? 2 : 1;
          if (twice) phaseOne.duplicateInvocations += 1;
          const failed = new Set(first.batchItemFailures.map((f) => f.itemIdentifier));
          const done = Messages.filter((m) => !failed.has(m.MessageId ?? ''));
          if (done.length > 0)
            await h.sqs.send(
              new DeleteMessageBatchCommand({
                QueueUrl: h.queues.url,
                Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
              }),
            );
        }
      }),
    );
  }, 180_000); // a hang guard, not a time budget: it drains hundreds of sends (30–50 s quiet)

  afterAll(async () => {
    await h.dispose();
  });

  it('sends exactly the hourly cap at one instant, each recipient once, within the per-domain cap', async () => {
    // Assess: count what the SES emulator received.
    const received = await h.received();
    const recipients = received.map((email) => email.destination.to[0] ?? '');
    expect(phaseOne.invocations).toBeGreaterThanOrEqual(WORKERS > 20 ? 20 : WORKERS);
    expect(phaseOne.duplicateInvocations).toBeGreaterThan(0);
    expect(received).toHaveLength(CAPS.perHour);
    expect(new Set(recipients).size).toBe(recipients.length);
    expect(maxPerKey(recipients, domainOf)).toBeLessThanOrEqual(CAPS.perDomainPerHour);
    const day = await h.repos.rates.getDay('acme', '2026-01-05');
    expect(day).toMatchObject({ day: CAPS.perHour, month: CAPS.perHour, h15: CAPS.perHour });
  });

  it('eventually sends every key exactly once in later hours, never over a cap, losing none', async () => {
    // Act: let the deferred sends come back through the queue over the next day and a half.
    await h.sender.drain.runUntil(new Date('2026-01-06T12:00:00.000Z'), (at) =>
      h.table.clock.set(at),
    );

    // Assess
    const received = await h.received();
    const recipients = received.map((email) => email.destination.to[0] ?? '');
    expect(recipients).toHaveLength(UNIQUE);
    expect(new Set(recipients)).toEqual(
      new Set(Array.from({ length: UNIQUE }, (_, i) => recipient(i))),
    );
    const sent = sentOutcomes(await h.outcomes('acme'));
    expect(sent).toHaveLength(UNIQUE);
    expect(maxPerKey(sent, (o) => o.at.slice(0, 13))).toBeLessThanOrEqual(CAPS.perHour);
    expect(maxPerKey(sent, (o) => o.at.slice(0, 10))).toBeLessThanOrEqual(CAPS.perDay);
    expect(maxPerKey(sent, (o) => `${o.at.slice(0, 13)}/${domainOf(o.email)}`)).toBeLessThanOrEqual(
      CAPS.perDomainPerHour,
    );
    expect(h.sender.drain.waiting).toBe(0);
    expect(await h.deadLetters()).toEqual([]);
    for (let i = 0; i < UNIQUE; i += 1) {
      expect((await h.repos.records.get('acme', `acme:send_email:card-${i}`))?.status).toBe('sent');
    }
  }, 180_000); // a hang guard, not a time budget: it drains hundreds of sends (30–50 s quiet)
});
