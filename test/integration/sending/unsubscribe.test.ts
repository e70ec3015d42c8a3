import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { createUnsubscribeHandler } from '../../../shared/sending/unsubscribe-handler.js';
import {
  SigningKey,
  SigningKeyRing,
  signUnsubscribeToken,
  unsubscribeUrl,
} from '../../../shared/sending/unsubscribe-token.js';
import { localObservability } from '../../../infra/local/local-runtime.js';
import { localLambdaContext } from '../../../infra/local/lambda-context.js';
import type { StoredEmail } from '../../../infra/local/ses-emulator.js';
import { createSendingHarness, type SendingHarness } from '../../helpers/sending-harness.js';

const KEY_HEX = '6b'.repeat(16) + '5f3a9c1e'.repeat(4);

/** A Function URL event as a mail client's one-click POST or a browser's GET produces it. */
function urlEvent(
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  body?: string,
): LambdaFunctionURLEvent {
  const parsed = new URL(url);
  return {
    version: '2.0',
    rawPath: parsed.pathname,
    rawQueryString: parsed.search.slice(1),
    queryStringParameters: Object.fromEntries(parsed.searchParams),
    headers: body ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
    requestContext: { http: { method } },
    ...(body ? { body, isBase64Encoded: false } : { isBase64Encoded: false }),
  } as unknown as LambdaFunctionURLEvent;
}

describe('Function: unsubscribe (RFC 8058 one-click, confirmation page and form)', () => {
  let h: SendingHarness;
  let email: StoredEmail;
  let unsubscribe: ReturnType<typeof createUnsubscribeHandler>;
  const printed: string[] = [];
  const context = localLambdaContext('unsubscribe', 'req-1');

  beforeAll(async () => {
    // Prepare: everything logs at DEBUG, and every line printed is kept.
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        printed.push(String(chunk));
        return true;
      });
    }
    h = await createSendingHarness({
      observability: localObservability('sender', 'DEBUG'),
      signingKey: SigningKey.fromText(KEY_HEX),
    });
    await h.seedTenant('acme');
    await h.enqueue(h.request('acme', 'card-1', 'dana@lakeshore.example'));
    await h.sender.drain.drainVisible();
    [email] = (await h.received()) as [StoredEmail];
    unsubscribe = createUnsubscribeHandler({
      suppressions: h.repos.suppressions,
      signingKey: h.sender.signingKey,
      clock: h.table.clock,
      metric: () => undefined,
      observability: localObservability('unsubscribe', 'DEBUG'),
    });
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    await h.dispose();
  });

  function headerLink(): string {
    const header = email.headers?.find((entry) => entry.name === 'List-Unsubscribe')?.value ?? '';
    return header.replace(/^<|>$/g, '');
  }

  it('sends mail with List-Unsubscribe, List-Unsubscribe-Post and the same link in the body', () => {
    expect(email.headers).toEqual(
      expect.arrayContaining([
        {
          name: 'List-Unsubscribe',
          value: expect.stringMatching(/^<https:\/\/.+\?token=u2\.k0\..+>$/),
        },
        { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
      ]),
    );
    expect(email.body.text).toContain(headerLink());
    expect(email.body.html).toContain(headerLink().replace(/&/g, '&amp;'));
  });

  it('rejects a tampered token with 400 and records nothing', async () => {
    // Prepare: flip one character of the signed payload.
    const url = new URL(headerLink());
    const token = url.searchParams.get('token') ?? '';
    const index = token.indexOf('.') + 5;
    url.searchParams.set(
      'token',
      `${token.slice(0, index)}${token[index] === 'A' ? 'B' : 'A'}${token.slice(index + 1)}`,
    );

    // Act
    const response = await unsubscribe(
      urlEvent('POST', url.toString(), 'List-Unsubscribe=One-Click'),
      context,
    );

    // Assess
    expect(response.statusCode).toBe(400);
    expect(await h.repos.suppressions.list('acme')).toEqual([]);
  });

  it('refuses methods other than GET and POST', async () => {
    expect((await unsubscribe(urlEvent('PUT', headerLink()), context)).statusCode).toBe(405);
  });

  it("answers a link scanner's GET with a confirmation page holding a POST form, and leaves the address subscribed", async () => {
    // Act: what a corporate link scanner (or a person clicking the body link) does.
    const response = await unsubscribe(urlEvent('GET', headerLink()), context);

    // Assess
    const token = new URL(headerLink()).searchParams.get('token') ?? '';
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<form method="post">');
    expect(response.body).toContain(`<input type="hidden" name="token" value="${token}">`);
    expect(response.body).not.toContain('You are unsubscribed');
    expect(await h.repos.suppressions.list('acme')).toEqual([]);
  });

  it('records the one-click POST a mail client sends, without a browser, and answers with a confirmation page', async () => {
    // Act: exactly what RFC 8058 prescribes: POST to the header URL with the one-click body.
    const response = await unsubscribe(
      urlEvent('POST', headerLink(), 'List-Unsubscribe=One-Click'),
      context,
    );

    // Assess
    expect(response.statusCode).toBe(200);
    expect(String(response.body)).toContain('You are unsubscribed');
    expect(response.headers?.['content-type']).toContain('text/html');
    expect(await h.repos.suppressions.list('acme')).toEqual([
      expect.objectContaining({
        email: 'dana@lakeshore.example',
        reason: 'unsubscribe',
        source: 'one_click',
      }),
    ]);
  });

  it('answers a second POST (the confirmation form) with the same success and records nothing new', async () => {
    // Prepare: the form posts the token in the body to the bare endpoint.
    const token = new URL(headerLink()).searchParams.get('token') ?? '';
    const endpoint = new URL(headerLink());
    endpoint.search = '';

    // Act
    const response = await unsubscribe(
      urlEvent('POST', endpoint.toString(), new URLSearchParams({ token }).toString()),
      context,
    );

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('You are unsubscribed');
    expect(await h.repos.suppressions.list('acme')).toEqual([
      expect.objectContaining({ email: 'dana@lakeshore.example', source: 'one_click' }),
    ]);
  });

  it('accepts links of the previous key while it is listed after a rotation, and refuses them once it is retired', async () => {
    // Prepare: k1 becomes current; the mailed link was signed with k0.
    const k0 = h.sender.signingKey;
    const k1 = SigningKey.fromText('a1'.repeat(32), 'k1');
    const during = createUnsubscribeHandler({
      suppressions: h.repos.suppressions,
      signingKey: new SigningKeyRing(k1, [k0]),
      clock: h.table.clock,
      metric: () => undefined,
      observability: localObservability('unsubscribe', 'DEBUG'),
    });
    const after = createUnsubscribeHandler({
      suppressions: h.repos.suppressions,
      signingKey: new SigningKeyRing(k1),
      clock: h.table.clock,
      metric: () => undefined,
      observability: localObservability('unsubscribe', 'DEBUG'),
    });
    const newLink = unsubscribeUrl(
      headerLink(),
      signUnsubscribeToken(
        {
          tenantId: 'acme',
          email: 'lee@lakeshore.example',
          expiresAt: new Date(h.table.clock.now().getTime() + 86_400_000),
        },
        new SigningKeyRing(k1, [k0]),
      ),
    );

    // Act
    const oldDuring = await during(
      urlEvent('POST', headerLink(), 'List-Unsubscribe=One-Click'),
      context,
    );
    const newDuring = await during(
      urlEvent('POST', newLink, 'List-Unsubscribe=One-Click'),
      context,
    );
    const oldAfter = await after(urlEvent('GET', headerLink()), context);

    // Assess
    expect(new URL(newLink).searchParams.get('token')).toMatch(/^u2\.k1\./);
    expect([oldDuring.statusCode, newDuring.statusCode]).toEqual([200, 200]);
    expect((await h.repos.suppressions.list('acme')).map((s) => s.email).sort()).toEqual([
      'dana@lakeshore.example',
      'lee@lakeshore.example',
    ]);
    expect(oldAfter.statusCode).toBe(400);
    expect(oldAfter.body).toContain('signed with a key we no longer use');
  });

  it('suppresses the next email to the unsubscribed recipient', async () => {
    await h.enqueue(h.request('acme', 'card-2', 'dana@lakeshore.example'));

    await h.sender.drain.drainVisible();

    expect(await h.received()).toHaveLength(1);
    expect(await h.repos.records.get('acme', 'acme:send_email:card-2')).toMatchObject({
      status: 'suppressed',
      reason: 'suppressed:unsubscribe',
    });
  });

  it('rejects an expired token with 410', async () => {
    // Prepare: tokens live 90 days.
    h.table.clock.advance({ days: 91 });

    // Act
    const response = await unsubscribe(urlEvent('GET', headerLink()), context);

    // Assess
    expect(response.statusCode).toBe(410);
  });

  it('never logs the token or the signing key', () => {
    // Assess: everything the sender and the endpoint printed at DEBUG level.
    const output = printed.join('');
    const token = new URL(headerLink()).searchParams.get('token') ?? '';
    expect(output).toContain('unsubscribe recorded');
    expect(output).toContain('send decided');
    expect(output).toContain('unsubscribe refused');
    expect(output).not.toContain(token);
    expect(output).not.toContain(token.split('.')[2]);
    expect(output).not.toContain(KEY_HEX);
    expect(output).not.toContain(Buffer.from(KEY_HEX, 'hex').toString('base64'));
  });
});
