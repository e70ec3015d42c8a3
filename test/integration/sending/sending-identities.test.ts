import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredOutcome } from '../../../shared/domain/outcomes.js';
import { createSendingHarness, type SendingHarness } from '../../helpers/sending-harness.js';

let h: SendingHarness;

beforeAll(async () => {
  // The deployment's identities: its own sender domain and one tenant's verified domain.
  h = await createSendingHarness({
    sendingIdentities: ['sender.local.example', 'mail.northwind.example'],
  });
});

afterAll(async () => {
  await h.dispose();
});

function results(outcomes: StoredOutcome[]) {
  return outcomes.flatMap((o) =>
    o.kind === 'send_result' ? [[o.email, o.status, o.reason ?? null]] : [],
  );
}

describe('Function: sender (sending identities per tenant)', () => {
  it('sends from the tenant’s own configured domain through the SES emulator', async () => {
    // Prepare
    await h.seedTenant('northwind', {
      sending: { fromAddress: 'agent@mail.northwind.example' },
    });
    await h.enqueue(h.request('northwind', 'card-1', 'dana@lakeshore.example'));

    // Act
    await h.sender.drain.drainVisible();

    // Assess
    const received = await h.received();
    expect(received.map((mail) => [mail.from, mail.destination.to])).toEqual([
      ['agent@mail.northwind.example', ['dana@lakeshore.example']],
    ]);
    expect(results(await h.outcomes('northwind'))).toEqual([
      ['dana@lakeshore.example', 'sent', null],
    ]);
  });

  it('refuses a tenant whose From domain is not a configured identity before SES, with the reason named', async () => {
    // Prepare
    const before = (await h.received()).length;
    await h.seedTenant('contoso', { sending: { fromAddress: 'agent@contoso.example' } });
    const request = h.request('contoso', 'card-1', 'lee@fabrikam.example');
    await h.enqueue(request);

    // Act
    await h.sender.drain.drainVisible();

    // Assess
    expect(await h.received()).toHaveLength(before);
    expect(results(await h.outcomes('contoso'))).toEqual([
      ['lee@fabrikam.example', 'blocked', 'sender_identity_not_configured'],
    ]);
    expect(await h.repos.records.get('contoso', request.idempotencyKey)).toMatchObject({
      reason: 'sender_identity_not_configured',
    });
    expect(await h.deadLetters()).toEqual([]);
  });

  it('treats a subdomain of a configured domain as a separate identity', async () => {
    // Prepare
    const before = (await h.received()).length;
    await h.seedTenant('northwind-eu', {
      sending: { fromAddress: 'agent@eu.mail.northwind.example' },
    });
    await h.enqueue(h.request('northwind-eu', 'card-1', 'kim@lakeshore.example'));

    // Act
    await h.sender.drain.drainVisible();

    // Assess
    expect(await h.received()).toHaveLength(before);
    expect(results(await h.outcomes('northwind-eu'))).toEqual([
      ['kim@lakeshore.example', 'blocked', 'sender_identity_not_configured'],
    ]);
  });
});
