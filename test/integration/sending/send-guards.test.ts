import { afterEach, describe, expect, it } from 'vitest';
import type { StoredOutcome } from '../../../shared/domain/outcomes.js';
import { eventReconciler } from '../../../shared/sending/stages/reconcile.js';
import { SesFeedbackProcessor } from '../../../shared/sending/ses-feedback.js';
import { createUnsubscribeHandler } from '../../../shared/sending/unsubscribe-handler.js';
import { signUnsubscribeToken } from '../../../shared/sending/unsubscribe-token.js';
import { localObservability } from '../../../infra/local/local-runtime.js';
import { localLambdaContext } from '../../../infra/local/lambda-context.js';
import { createSendingHarness, type SendingHarness } from '../../helpers/sending-harness.js';

let harness: SendingHarness | undefined;

afterEach(async () => {
  await harness?.dispose();
  harness = undefined;
  delete process.env['EMAIL_SEND_DISABLED'];
});

function statuses(outcomes: StoredOutcome[]) {
  return outcomes.flatMap((o) =>
    o.kind === 'send_result' ? [[o.email, o.status, o.reason ?? null]] : [],
  );
}

describe('Function: sender (guards re-checked at send time)', () => {
  it('drops a send queued before the kill switch went on, and sends the touch once when a later cycle re-plans it', async () => {
    // Prepare
    const h = (harness = await createSendingHarness());
    await h.seedTenant('acme');
    const request = h.request('acme', 'card-1', 'dana@lakeshore.example');
    await h.enqueue(request);
    await h.setKillSwitch(true);

    // Act: the queued copy meets the switch; after it is off, the next cycle queues the same
    // touch again (twice, as a retried Act would).
    await h.sender.drain.drainVisible();
    const whileOn = await h.received();
    const dropped = await h.repos.records.get('acme', request.idempotencyKey);
    await h.setKillSwitch(false);
    h.table.clock.advance({ hours: 1 });
    await h.enqueue(request, request);
    await h.sender.drain.drainVisible();

    // Assess
    expect(whileOn).toEqual([]);
    expect(dropped).toMatchObject({ status: 'released', reason: 'kill_switch' });
    expect(h.sender.drain.waiting).toBe(0);
    expect(await h.received()).toHaveLength(1);
    expect(statuses(await h.outcomes('acme'))).toEqual([
      ['dana@lakeshore.example', 'blocked', 'kill_switch'],
      ['dana@lakeshore.example', 'sent', null],
    ]);
  });

  it('sends nothing when EMAIL_SEND_DISABLED is flipped to true between enqueue and send', async () => {
    // Prepare: the sender reads the variable at every decision, as the Lambda does.
    const h = (harness = await createSendingHarness({
      emailSendDisabled: () => process.env['EMAIL_SEND_DISABLED'] === 'true',
    }));
    await h.seedTenant('acme');
    await h.enqueue(h.request('acme', 'card-1', 'dana@lakeshore.example'));
    process.env['EMAIL_SEND_DISABLED'] = 'true';

    // Act
    await h.sender.drain.drainVisible();

    // Assess
    expect(await h.received()).toEqual([]);
    expect(statuses(await h.outcomes('acme'))).toEqual([
      ['dana@lakeshore.example', 'blocked', 'email_send_disabled'],
    ]);
  });

  it('never sends to suppressed, unsubscribed, bounced or do-not-contact recipients', async () => {
    // Prepare
    const h = (harness = await createSendingHarness());
    await h.seedTenant('acme', { doNotContact: { competitorDomains: ['rival.example'] } });
    const observability = localObservability('test');
    await h.repos.suppressions.add('acme', 'manual@list.example', 'manual', 'test');
    // Unsubscribed through the one-click endpoint, as a mail client would.
    const unsubscribe = createUnsubscribeHandler({
      suppressions: h.repos.suppressions,
      signingKey: h.sender.signingKey,
      clock: h.table.clock,
      metric: () => undefined,
      observability,
    });
    const token = signUnsubscribeToken(
      {
        tenantId: 'acme',
        email: 'gone@optout.example',
        expiresAt: new Date('2026-03-01T00:00:00Z'),
      },
      h.sender.signingKey,
    );
    await unsubscribe(
      {
        requestContext: { http: { method: 'POST' } },
        queryStringParameters: { token },
        body: 'List-Unsubscribe=One-Click',
        isBase64Encoded: false,
      } as never,
      localLambdaContext('unsubscribe', 'u-1'),
    );
    // Bounced: an SES permanent bounce event.
    await new SesFeedbackProcessor({
      clock: h.table.clock,
      tenants: h.table.repos.tenants,
      suppressions: h.repos.suppressions,
      outcomes: h.repos.outcomes,
      rates: h.repos.rates,
      states: h.repos.states,
      reconciler: eventReconciler(h.table, () => undefined, observability.logger),
      metric: () => undefined,
      logger: observability.logger,
    }).handle({
      eventType: 'Bounce',
      mail: { messageId: 'm-1', tags: { tenant_id: ['acme'] } },
      bounce: {
        bounceType: 'Permanent',
        bouncedRecipients: [{ emailAddress: 'bounced@dead.example' }],
        timestamp: '2026-01-05T14:00:00.000Z',
        feedbackId: 'fb-1',
      },
    });
    await h.enqueue(
      h.request('acme', 'card-1', 'manual@list.example'),
      h.request('acme', 'card-2', 'gone@optout.example'),
      h.request('acme', 'card-3', 'bounced@dead.example'),
      h.request('acme', 'card-4', 'ceo@rival.example'),
      h.request('acme', 'card-5', 'welcome@customer.example'),
    );

    // Act
    await h.sender.drain.drainVisible();

    // Assess
    expect((await h.received()).map((email) => email.destination.to[0])).toEqual([
      'welcome@customer.example',
    ]);
    const suppressed = statuses(await h.outcomes('acme')).filter(
      ([, status]) => status === 'suppressed',
    );
    expect(suppressed.sort()).toEqual([
      ['bounced@dead.example', 'suppressed', 'suppressed:hard_bounce'],
      ['ceo@rival.example', 'suppressed', 'do_not_contact:competitor'],
      ['gone@optout.example', 'suppressed', 'suppressed:unsubscribe'],
      ['manual@list.example', 'suppressed', 'suppressed:manual'],
    ]);
  });

  it('supersedes a queued follow-up when the contact replies before it goes out', async () => {
    // Prepare
    const h = (harness = await createSendingHarness());
    await h.seedTenant('acme');
    await h.table.repos.contacts.put('acme', {
      contactId: 'c-1',
      email: 'dana@lakeshore.example',
      lastInboundAt: '2026-01-05T15:00:00.000Z',
    });
    await h.enqueue(
      h.request('acme', 'card-1', 'dana@lakeshore.example', {
        contactId: 'c-1',
        enqueuedAt: '2026-01-05T14:00:00.000Z',
      }),
    );

    // Act
    await h.sender.drain.drainVisible();

    // Assess
    expect(await h.received()).toEqual([]);
    expect(statuses(await h.outcomes('acme'))).toEqual([
      ['dana@lakeshore.example', 'superseded', 'contact_replied'],
    ]);
  });
});
