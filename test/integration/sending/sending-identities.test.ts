import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredOutcome } from '../../../shared/domain/outcomes.js';
import { SendingIdentityRepository } from '../../../shared/storage/sending-identity-repository.js';
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

  it('reads the From domain’s ladder in the send’s consistent snapshot, and holds a ladder another sender just stored on the next send', async () => {
    // Prepare: capture every BatchGetItem of the sender's table client.
    const batches: { keys: string[]; consistent: boolean }[] = [];
    const singleReads: string[] = [];
    h.table.doc.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetItemCommand')
          singleReads.push(String((args.input as { Key: { pk: string } }).Key.pk));
        if (context.commandName === 'BatchGetItemCommand') {
          const request = Object.values(
            (
              args.input as {
                RequestItems: Record<
                  string,
                  { Keys: { pk: string; sk: string }[]; ConsistentRead?: boolean }
                >;
              }
            ).RequestItems,
          )[0]!;
          batches.push({
            keys: request.Keys.map((key) => `${key.pk}/${key.sk}`),
            consistent: request.ConsistentRead === true,
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'captureLadderBatches' },
    );
    await h.seedTenant('tailspin');
    const before = (await h.received()).length;
    await h.enqueue(h.request('tailspin', 'card-1', 'ana@lakeshore.example'));

    // Act: the first send meets no ladder; then another tenant's sender starts the domain's
    // ladder and fills its 10/day step before this tenant's second send.
    await h.sender.drain.drainVisible();
    const identityReadsOfFirstSend = singleReads.filter((pk) => pk.startsWith('IDENTITY#'));
    h.table.clock.advance({ minutes: 1 }); // past the tenant's minimum delay between sends
    const identities = new SendingIdentityRepository(h.table);
    const now = h.table.clock.now();
    await identities.setWarmUp(
      'sender.local.example',
      { phase: 0, phaseStartedAt: now.toISOString(), phaseDays: 7 },
      undefined,
    );
    for (let i = 1; i < 10; i += 1) await identities.reserve('sender.local.example', now, 10);
    await h.enqueue(h.request('tailspin', 'card-2', 'bo@lakeshore.example'));
    await h.sender.drain.drainVisible();

    // Assess
    expect(identityReadsOfFirstSend).toEqual([]);
    expect(batches.length).toBeGreaterThanOrEqual(2);
    for (const batch of batches) {
      expect(batch.keys).toContain('IDENTITY#sender.local.example/WARMUP');
      expect(batch.consistent).toBe(true);
    }
    expect(await h.received()).toHaveLength(before + 1);
    expect(results(await h.outcomes('tailspin'))).toEqual([
      ['ana@lakeshore.example', 'sent', null],
      ['bo@lakeshore.example', 'deferred', 'identity_warm_up_cap'],
    ]);
  });
});
