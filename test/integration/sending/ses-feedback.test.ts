import { encodeSendKey } from '../../../shared/sending/stages/deliver.js';
import { eventReconciler } from '../../../shared/sending/stages/reconcile.js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  SesFeedbackProcessor,
  SENDING_PAUSED_METRIC,
} from '../../../shared/sending/ses-feedback.js';
import { localObservability } from '../../../infra/local/local-runtime.js';
import { createSendingHarness, type SendingHarness } from '../../helpers/sending-harness.js';

let harness: SendingHarness | undefined;

afterEach(async () => {
  await harness?.dispose();
  harness = undefined;
});

function feedbackProcessor(h: SendingHarness): SesFeedbackProcessor {
  return new SesFeedbackProcessor({
    clock: h.table.clock,
    tenants: h.table.repos.tenants,
    suppressions: h.repos.suppressions,
    outcomes: h.repos.outcomes,
    rates: h.repos.rates,
    states: h.repos.states,
    reconciler: eventReconciler(h.table, h.metrics.sink, localObservability('ses-feedback').logger),
    metric: h.metrics.sink,
    logger: localObservability('ses-feedback').logger,
  });
}

function bounce(email: string, feedbackId: string, bounceType = 'Permanent') {
  return {
    eventType: 'Bounce',
    mail: { messageId: `m-${feedbackId}`, tags: { tenant_id: ['acme'] } },
    bounce: {
      bounceType,
      bouncedRecipients: [{ emailAddress: email }],
      timestamp: '2026-01-05T15:30:00.000Z',
      feedbackId,
    },
  };
}

function complaint(email: string, feedbackId: string) {
  return {
    eventType: 'Complaint',
    mail: { messageId: `m-${feedbackId}`, tags: { tenant_id: ['acme'] } },
    complaint: {
      complainedRecipients: [{ emailAddress: email }],
      timestamp: '2026-01-05T15:30:00.000Z',
      feedbackId,
    },
  };
}

/** Sends `count` emails for the tenant through the real sender (no caps in the way). */
async function sendMany(h: SendingHarness, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1)
    await h.enqueue(h.request('acme', `card-${i}`, `p${i}@c${i}.example`));
  await h.sender.drain.drainVisible();
}

describe('Function: ses-feedback (bounces and complaints)', () => {
  it('suppresses hard bounces and complaints, counts soft bounces without suppressing, and counts each feedback id once', async () => {
    // Prepare
    const h = (harness = await createSendingHarness());
    await h.seedTenant('acme');
    const processor = feedbackProcessor(h);

    // Act
    await processor.handle(bounce('hard@x.example', 'fb-1'));
    await processor.handle(bounce('hard@x.example', 'fb-1')); // SES/EventBridge redelivery
    await processor.handle(bounce('soft@x.example', 'fb-2', 'Transient'));
    await processor.handle(complaint('angry@x.example', 'fb-3'));

    // Assess
    expect(
      (await h.repos.suppressions.list('acme')).map((s) => [s.email, s.reason]).sort(),
    ).toEqual([
      ['angry@x.example', 'complaint'],
      ['hard@x.example', 'hard_bounce'],
    ]);
    expect(await h.repos.rates.getDay('acme', '2026-01-05')).toMatchObject({
      bounces: 1,
      softBounces: 1,
      complaints: 1,
    });
    const bounces = (await h.outcomes('acme')).filter((o) => o.kind === 'bounce');
    expect(bounces).toHaveLength(3);
  });

  it('does not pause a tenant on an early bounce before 50 sends', async () => {
    // Prepare: 10 sends, 3 hard bounces (30 %).
    const h = (harness = await createSendingHarness());
    await h.seedTenant('acme', {
      sending: { caps: { perHour: 1_000, perDomainPerHour: 1_000, minDelaySeconds: 0 } },
    });
    await sendMany(h, 10);

    // Act
    for (let i = 0; i < 3; i += 1)
      await feedbackProcessor(h).handle(bounce(`p${i}@c${i}.example`, `fb-${i}`));

    // Assess
    expect((await h.repos.states.get('acme')).paused).toBeUndefined();
    expect(h.metrics.counts.get('BounceRate{tenant=acme}')).toBe(30);
  });

  it('pauses sending over 5 % bounces once 50 sends are in the window, raising SendingPaused, and blocks the next send', async () => {
    // Prepare: 60 sends, then 4 hard bounces (6.7 %).
    const h = (harness = await createSendingHarness());
    await h.seedTenant('acme', {
      sending: { caps: { perHour: 1_000, perDomainPerHour: 1_000, minDelaySeconds: 0 } },
    });
    await sendMany(h, 60);

    // Act
    for (let i = 0; i < 4; i += 1)
      await feedbackProcessor(h).handle(bounce(`p${i}@c${i}.example`, `fb-${i}`));
    await h.enqueue(h.request('acme', 'card-next', 'new@prospect.example'));
    await h.sender.drain.drainVisible();

    // Assess
    expect((await h.repos.states.get('acme')).paused).toMatchObject({ reason: 'bounce_rate' });
    expect(h.metrics.counts.get(`${SENDING_PAUSED_METRIC}{tenant=acme}`)).toBe(1);
    // A stop: the send is dropped with its key open, to be re-planned once sending resumes.
    expect(await h.repos.records.get('acme', 'acme:send_email:card-next')).toMatchObject({
      status: 'released',
      reason: 'sending_paused',
    });
  });

  it('pauses sending over 0.1 % complaints once 50 sends are in the window', async () => {
    // Prepare
    const h = (harness = await createSendingHarness());
    await h.seedTenant('acme', {
      sending: { caps: { perHour: 1_000, perDomainPerHour: 1_000, minDelaySeconds: 0 } },
    });
    await sendMany(h, 50);

    // Act
    await feedbackProcessor(h).handle(complaint('p1@c1.example', 'fb-c'));

    // Assess
    expect((await h.repos.states.get('acme')).paused).toMatchObject({ reason: 'complaint_rate' });
  });

  it('ignores an event without a known tenant tag instead of failing it', async () => {
    const h = (harness = await createSendingHarness());
    const result = await feedbackProcessor(h).handle({
      ...bounce('x@y.example', 'fb-x'),
      mail: { messageId: 'm', tags: {} },
    });
    expect(result).toMatchObject({ counted: 0, paused: false });
  });
});

describe('Function: ses-feedback (settling in-doubt sends)', () => {
  async function inDoubt(h: SendingHarness, key: string) {
    const at = h.table.clock.now();
    const subject = { idempotencyKey: key, to: 'dana@lakeshore.example', cardId: 'card-1' };
    await h.repos.records.claim('acme', subject, { token: 't', at, ttlMs: 60_000 });
    await h.repos.records.markInDoubt('acme', key, 't', {
      reason: 'provider_in_doubt:TimeoutError',
      at,
      reconcileBy: new Date(at.getTime() + 1_800_000),
    });
  }

  const event = (eventType: string, key: string) => ({
    eventType,
    mail: {
      messageId: 'ses-m-1',
      timestamp: '2026-01-05T15:00:05.000Z',
      tags: { tenant_id: ['acme'], send_key: [encodeSendKey(key)] },
    },
  });

  it.each([
    { eventType: 'Send', status: 'sent', outcome: 'sent' },
    { eventType: 'DeliveryDelay', status: 'sent', outcome: 'sent' },
    { eventType: 'Reject', status: 'not_sent', outcome: 'failed' },
    { eventType: 'Rendering Failure', status: 'not_sent', outcome: 'failed' },
  ])('settles an in-doubt send as $status on a $eventType event, once', async (row) => {
    // Prepare
    const h = (harness = await createSendingHarness());
    await h.seedTenant('acme');
    const key = 'acme:follow_up:c-1:2026-01-01T09:00:00.000Z';
    await inDoubt(h, key);

    // Act: the event, then the same event again (EventBridge delivers at least once).
    const first = await feedbackProcessor(h).handle(event(row.eventType, key));
    const again = await feedbackProcessor(h).handle(event(row.eventType, key));

    // Assess
    expect(first.settled).toBe(row.status);
    expect(again.settled).toBe(row.status);
    expect(await h.repos.records.get('acme', key)).toMatchObject({
      status: row.status,
      messageId: 'ses-m-1',
    });
    const results = (await h.outcomes('acme')).filter((o) => o.kind === 'send_result');
    expect(results.map((o) => o.kind === 'send_result' && o.status)).toEqual([row.outcome]);
  });

  it('leaves a send that was already recorded as sent alone, with one read and no write', async () => {
    const h = (harness = await createSendingHarness());
    await h.seedTenant('acme');
    const key = 'acme:follow_up:c-2:2026-01-01T09:00:00.000Z';
    const at = h.table.clock.now();
    await h.repos.records.claim(
      'acme',
      { idempotencyKey: key, to: 'x@y.example' },
      {
        token: 't',
        at,
        ttlMs: 60_000,
      },
    );
    await h.repos.records.markSent('acme', key, 't', { messageId: 'ses-m-0', at });

    const processor = feedbackProcessor(h);
    const writesBefore = h.table.requestCounts.get('UpdateItemCommand') ?? 0;
    const result = await processor.handle(event('Delivery', key));

    expect(result.settled).toBe('sent');
    expect(h.table.requestCounts.get('UpdateItemCommand') ?? 0).toBe(writesBefore);
    expect(await h.repos.records.get('acme', key)).toMatchObject({
      messageId: 'ses-m-0',
    });
    expect(await h.repos.records.get('acme', key)).not.toHaveProperty('reconciledBy');
  });

  it('reads a settled send once: the later events of the same message (Delivery after Send) need no read', async () => {
    // Prepare
    const h = (harness = await createSendingHarness());
    await h.seedTenant('acme');
    const key = 'acme:follow_up:c-3:2026-01-01T09:00:00.000Z';
    await inDoubt(h, key);
    const processor = feedbackProcessor(h);
    await processor.handle(event('Send', key));
    const readsBefore = h.table.requestCounts.get('GetItemCommand') ?? 0;
    const writesBefore = h.table.requestCounts.get('UpdateItemCommand') ?? 0;

    // Act
    const delivery = await processor.handle(event('Delivery', key));
    const delay = await processor.handle(event('DeliveryDelay', key));

    // Assess
    expect([delivery.settled, delay.settled]).toEqual(['sent', 'sent']);
    expect(h.table.requestCounts.get('GetItemCommand') ?? 0).toBe(readsBefore);
    expect(h.table.requestCounts.get('UpdateItemCommand') ?? 0).toBe(writesBefore);
    const results = (await h.outcomes('acme')).filter((o) => o.kind === 'send_result');
    expect(results.map((o) => o.kind === 'send_result' && o.status)).toEqual(['sent']);
  });

  it('still reads a key that is unknown, so a late event can settle it', async () => {
    // Prepare
    const h = (harness = await createSendingHarness());
    await h.seedTenant('acme');
    const key = 'acme:follow_up:c-4:2026-01-01T09:00:00.000Z';
    await inDoubt(h, key);
    await h.repos.records.markUnknown(
      'acme',
      key,
      new Date(h.table.clock.now().getTime() + 1_900_000),
    );
    const processor = feedbackProcessor(h);

    // Act
    const first = await processor.handle(event('Reject', key));
    const again = await processor.handle(event('Send', key));

    // Assess
    expect(first.settled).toBe('not_sent');
    expect(again.settled).toBe('not_sent');
    expect(await h.repos.records.get('acme', key)).toMatchObject({ status: 'not_sent' });
  });
});
