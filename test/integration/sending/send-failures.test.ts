import { TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { afterEach, describe, expect, it } from 'vitest';
import {
  SesEmailSender,
  type EmailSender,
  type OutboundEmail,
} from '../../../shared/adapters/ses/email-sender.js';
import type { StoredOutcome } from '../../../shared/domain/outcomes.js';
import { SENDER_METRICS } from '../../../shared/sending/send-processor.js';
import { METRIC_NAMES } from '../../../shared/observability/metric-names.js';
import { createSendingHarness, type SendingHarness } from '../../helpers/sending-harness.js';

let harness: SendingHarness | undefined;

afterEach(async () => {
  await harness?.dispose();
  harness = undefined;
});

function sendResults(outcomes: StoredOutcome[]) {
  return outcomes.flatMap((o) => (o.kind === 'send_result' ? [o] : []));
}

function throttled(): Error {
  return new TooManyRequestsException({
    message: 'Maximum sending rate exceeded.',
    $metadata: { httpStatusCode: 429 },
  });
}

function accessDenied(): Error {
  return Object.assign(new Error('User is not authorized to perform ses:SendEmail'), {
    name: 'AccessDeniedException',
    $fault: 'client',
    $metadata: { httpStatusCode: 403 },
  });
}

/** SES in front of the emulator that fails while `failing()` says so, counting attempts. */
function flakySes(real: EmailSender, failing: () => Error | undefined) {
  const calls: string[] = [];
  const sender: EmailSender = {
    async send(email: OutboundEmail) {
      calls.push(email.to);
      const error = failing();
      if (error) throw error;
      return real.send(email);
    },
  };
  return { sender, calls };
}

describe('Function: sender (poison messages)', () => {
  it('moves poison to the DLQ with its reason on its first delivery, never retrying it, and sends the rest of the batch', async () => {
    // Prepare
    const h = (harness = await createSendingHarness());
    await h.seedTenant('acme', { sending: { caps: { minDelaySeconds: 0 } } });
    await h.enqueue(
      'this is not JSON',
      h.request('acme', 'card-1', 'dana@lakeshore.example'),
      JSON.stringify({ version: 1, tenantId: 'acme' }),
      h.request('ghost', 'card-2', 'tom@prairie.example'),
      h.request('BAD#TENANT', 'card-4', 'ann@prairie.example'),
      { ...h.request('acme', 'card-5', 'lee@prairie.example'), idempotencyKey: 'a\u0001b' },
      h.request('acme', 'card-3', 'priya@lakeshore.example'),
    );

    // Act: the first delivery, then anything that would come back after a visibility timeout.
    const first = await h.sender.drain.drainVisible();
    const rest = await h.sender.drain.runUntil(new Date('2026-01-05T16:00:00.000Z'), (at) =>
      h.table.clock.set(at),
    );

    // Assess
    expect(first).toMatchObject({ delivered: 7, failed: 0 });
    expect(rest.delivered).toBe(0);
    expect((await h.received()).map((e) => e.destination.to[0]).sort()).toEqual([
      'dana@lakeshore.example',
      'priya@lakeshore.example',
    ]);
    const dead = await h.deadLetters();
    expect(dead.map((m) => m.attributes['FailureReason']).sort()).toEqual([
      'bad_json',
      'invalid_key',
      'invalid_key',
      'schema',
      'unknown_tenant',
    ]);
    expect(dead.every((m) => m.attributes['ReceiveCount'] === '1')).toBe(true);
    expect(dead.find((m) => m.attributes['FailureReason'] === 'bad_json')).toMatchObject({
      body: 'this is not JSON',
      attributes: { FailureDetail: expect.stringContaining('not JSON') },
    });
    expect(
      dead
        .filter((m) => m.attributes['FailureReason'] === 'invalid_key')
        .map((m) => m.attributes['FailureDetail'])
        .sort(),
    ).toEqual([
      'invalid_key: idempotencyKey: not a valid key',
      'invalid_key: tenantId: not a valid key',
    ]);
    expect(h.metrics.counts.get(`${SENDER_METRICS.poisonMessages}{reason=unknown_tenant}`)).toBe(1);
    expect(h.sender.drain.waiting).toBe(0);
  });
});

describe('Function: sender (provider failures)', () => {
  it('retries SES throttling from the queue with backoff, one SendEmail per attempt, and sends once', async () => {
    // Prepare: two throttles, then SES accepts.
    let failures = 2;
    let flaky: ReturnType<typeof flakySes> | undefined;
    const h = (harness = await createSendingHarness({
      emailSender: (ses) =>
        (flaky = flakySes(new SesEmailSender(ses.client, undefined), () =>
          failures-- > 0 ? throttled() : undefined,
        )).sender,
    }));
    await h.seedTenant('acme');
    const request = h.request('acme', 'card-1', 'dana@lakeshore.example');
    await h.enqueue(request);

    // Act
    await h.sender.drain.drainVisible();
    const afterFirst = flaky?.calls.length;
    await h.sender.drain.runUntil(new Date('2026-01-05T16:00:00.000Z'), (at) =>
      h.table.clock.set(at),
    );

    // Assess: the first delivery made one call and went back on the queue.
    expect(afterFirst).toBe(1);
    expect(flaky?.calls).toHaveLength(3);
    expect(await h.received()).toHaveLength(1);
    expect(await h.repos.records.get('acme', request.idempotencyKey)).toMatchObject({
      status: 'sent',
    });
  });

  it('keeps a send whose SES answer was lost in doubt, never calls SES again, and settles it as sent from the Send event', async () => {
    // Prepare: SES accepts the message, then the response is lost (a timeout).
    let calls = 0;
    const h = (harness = await createSendingHarness({
      afterAcceptance: (inner) => ({
        async send(email) {
          calls += 1;
          await inner.send(email);
          throw Object.assign(new Error('socket timed out'), { name: 'TimeoutError' });
        },
      }),
    }));
    await h.seedTenant('acme');
    const request = h.request('acme', 'card-1', 'dana@lakeshore.example');
    await h.enqueue(request, request);

    // Act: two copies of the touch, then two hours of redeliveries and re-checks.
    await h.sender.drain.runUntil(new Date('2026-01-05T17:00:00.000Z'), (at) =>
      h.table.clock.set(at),
    );

    // Assess
    expect(calls).toBe(1);
    expect(await h.received()).toHaveLength(1);
    expect(await h.repos.records.get('acme', request.idempotencyKey)).toMatchObject({
      status: 'sent',
      reconciledBy: 'SEND',
    });
    expect(await h.repos.rates.getDay('acme', '2026-01-05')).toMatchObject({ day: 1 });
    expect(sendResults(await h.outcomes('acme')).map((o) => o.status)).toEqual(['sent']);
    expect(h.metrics.counts.get(METRIC_NAMES.sendsInDoubt)).toBe(1);
  });

  it('resolves an in-doubt send that no SES event settles to unknown after the grace period, counting it and never re-sending', async () => {
    // Prepare: the connection resets before SES takes the message, so no event will come.
    let calls = 0;
    const h = (harness = await createSendingHarness({
      emailSender: () => ({
        send() {
          calls += 1;
          return Promise.reject(Object.assign(new Error('socket hang up'), { name: 'ECONNRESET' }));
        },
      }),
    }));
    await h.seedTenant('acme');
    const request = h.request('acme', 'card-1', 'dana@lakeshore.example');
    await h.enqueue(request);

    // Act
    await h.sender.drain.runUntil(new Date('2026-01-05T18:00:00.000Z'), (at) =>
      h.table.clock.set(at),
    );

    // Assess
    expect(calls).toBe(1);
    expect(await h.repos.records.get('acme', request.idempotencyKey)).toMatchObject({
      status: 'unknown',
      reason: 'provider_in_doubt:ECONNRESET',
    });
    expect(await h.repos.rates.getDay('acme', '2026-01-05')).toMatchObject({ day: 1 });
    expect(sendResults(await h.outcomes('acme')).map((o) => [o.status, o.reason])).toEqual([
      ['unknown', 'outcome_unknown'],
    ]);
    expect(h.metrics.counts.get(METRIC_NAMES.sendsUnknown)).toBe(1);
  });

  it('defers after repeated throttling, opens the tenant circuit at 5 failures in 15 minutes, and sends everything once SES recovers', async () => {
    // Prepare: SES throttles every call until 16:00.
    let flaky: ReturnType<typeof flakySes> | undefined;
    let clockNow = () => new Date(0);
    const h = (harness = await createSendingHarness({
      emailSender: (ses) =>
        (flaky = flakySes(new SesEmailSender(ses.client, undefined), () =>
          clockNow() < new Date('2026-01-05T16:00:00.000Z') ? throttled() : undefined,
        )).sender,
    }));
    clockNow = () => h.table.clock.now();
    await h.seedTenant('acme', { sending: { caps: { minDelaySeconds: 0 } } });
    for (let i = 0; i < 6; i += 1)
      await h.enqueue(h.request('acme', `card-${i}`, `p${i}@company${i}.example`));

    // Act: the first pass at 15:00, then on until 17:00.
    await h.sender.drain.drainVisible();
    const state = await h.repos.states.get('acme');
    const deferredFirst = sendResults(await h.outcomes('acme')).map((o) => o.reason);
    await h.sender.drain.runUntil(new Date('2026-01-05T17:00:00.000Z'), (at) =>
      h.table.clock.set(at),
    );

    // Assess
    expect(deferredFirst.sort()).toEqual([
      'circuit_open',
      ...Array(5).fill('provider_retry:TooManyRequestsException'),
    ]);
    expect(state.circuit?.openUntil).toBe('2026-01-05T15:15:00.000Z');
    expect(h.metrics.counts.get(SENDER_METRICS.circuitOpened)).toBeGreaterThanOrEqual(1);
    expect(h.metrics.counts.get('ProviderFailures')).toBeGreaterThanOrEqual(5);
    const recipients = (await h.received()).map((e) => e.destination.to[0]);
    expect(recipients.sort()).toEqual(
      Array.from({ length: 6 }, (_, i) => `p${i}@company${i}.example`),
    );
    expect(flaky?.calls.length).toBeGreaterThan(6);
    expect((await h.repos.states.get('acme')).circuit).toBeUndefined();
  });

  it('fails a send SES refuses for authorization without retrying it', async () => {
    // Prepare
    let flaky: ReturnType<typeof flakySes> | undefined;
    const h = (harness = await createSendingHarness({
      emailSender: () =>
        (flaky = flakySes({ send: () => Promise.reject(new Error('unused')) }, accessDenied))
          .sender,
    }));
    await h.seedTenant('acme');
    await h.enqueue(h.request('acme', 'card-1', 'dana@lakeshore.example'));

    // Act
    await h.sender.drain.runUntil(new Date('2026-01-05T17:00:00.000Z'), (at) =>
      h.table.clock.set(at),
    );

    // Assess
    expect(flaky?.calls).toHaveLength(1);
    expect(sendResults(await h.outcomes('acme')).map((o) => [o.status, o.reason])).toEqual([
      ['failed', 'provider_rejected:AccessDeniedException'],
    ]);
    expect(await h.repos.rates.getDay('acme', '2026-01-05')).toMatchObject({ day: 0, month: 0 });
  });
});

describe('Function: sender (claims)', () => {
  it('re-checks a key claimed by a live sender when the claim expires, then puts it in doubt and, with no SES event, resolves it to unknown without sending', async () => {
    // Prepare: another sender claimed the key at 15:00 and died.
    const h = (harness = await createSendingHarness());
    await h.seedTenant('acme');
    const request = h.request('acme', 'card-1', 'dana@lakeshore.example');
    await h.repos.records.claim(
      'acme',
      { idempotencyKey: request.idempotencyKey, to: request.to },
      {
        token: 'dead-sender',
        at: h.table.clock.now(),
        ttlMs: 300_000,
      },
    );
    await h.enqueue(request);

    // Act
    await h.sender.drain.drainVisible();
    const whileClaimed = await h.repos.records.get('acme', request.idempotencyKey);
    await h.sender.drain.runUntil(new Date('2026-01-05T16:00:00.000Z'), (at) =>
      h.table.clock.set(at),
    );

    // Assess
    expect(whileClaimed?.status).toBe('claimed');
    expect(await h.received()).toEqual([]);
    expect(await h.repos.records.get('acme', request.idempotencyKey)).toMatchObject({
      status: 'unknown',
      reason: 'claim_expired',
    });
    expect(sendResults(await h.outcomes('acme')).map((o) => [o.status, o.reason])).toEqual([
      ['unknown', 'outcome_unknown'],
    ]);
    expect(h.metrics.counts.get(METRIC_NAMES.sendsInDoubt)).toBe(1);
    expect(h.metrics.counts.get(METRIC_NAMES.sendsUnknown)).toBe(1);
  });

  it('still records the send of a slow holder whose expired claim went in doubt', async () => {
    // Prepare
    const h = (harness = await createSendingHarness());
    const subject = { idempotencyKey: 'acme:card-9', to: 'dana@lakeshore.example' };
    const at = h.table.clock.now();
    await h.repos.records.claim('acme', subject, { token: 'slow', at, ttlMs: 60_000 });
    await h.repos.records.doubtExpiredClaim(
      'acme',
      subject.idempotencyKey,
      'slow',
      new Date(at.getTime() + 61_000),
      new Date(at.getTime() + 1_861_000),
    );

    // Act
    const marked = await h.repos.records.markSent('acme', subject.idempotencyKey, 'slow', {
      messageId: 'ses-1',
      at: new Date(at.getTime() + 62_000),
    });

    // Assess
    expect(marked).toMatchObject({ applied: true, record: { status: 'sent', messageId: 'ses-1' } });
  });
});
