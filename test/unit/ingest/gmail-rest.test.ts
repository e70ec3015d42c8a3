import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../shared/clock.js';
import { createGmailClient } from '../../../shared/adapters/gmail/gmail-rest.js';
import {
  GoogleGmailMailbox,
  toGmailApiError,
  type GmailApiError,
} from '../../../shared/adapters/gmail/gmail-mailbox.js';

interface Call {
  readonly url: string;
  readonly init: RequestInit | undefined;
}

/** A fetch answering the token endpoint and Gmail routes from `answers`, recording each call. */
function fakeFetch(answers: Record<string, () => Response>): {
  fetch: typeof fetch;
  calls: Call[];
} {
  const calls: Call[] = [];
  const fake = async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, init });
    const route = Object.keys(answers).find((prefix) => url.startsWith(prefix));
    if (!route) throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    return answers[route]!();
  };
  return { fetch: fake as typeof fetch, calls };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    });

/** The GmailApiError `call` fails with; a call that succeeds fails the test. */
async function failure(call: Promise<unknown>): Promise<GmailApiError> {
  const outcome = await call.then(
    () => undefined,
    (error: unknown) => toGmailApiError(error),
  );
  if (!outcome) throw new Error('expected the call to fail');
  return outcome;
}

const options = {
  clientId: 'client-id',
  clientSecret: 'client-secret',
  refreshToken: '1//refresh',
  rootUrl: 'http://gmail.test',
  tokenUrl: 'http://oauth.test/token',
};

describe('Adapter: Gmail REST client', () => {
  it('trades the refresh token once and reuses the access token until shortly before it expires', async () => {
    const clock = new VirtualClock('2026-01-05T09:00:00Z');
    const { fetch, calls } = fakeFetch({
      'http://oauth.test/token': json(200, { access_token: 'ya29.a', expires_in: 3600 }),
      'http://gmail.test/gmail/v1/users/me/profile': json(200, {
        emailAddress: 'Owner@Example.com',
        historyId: '42',
      }),
    });
    const mailbox = new GoogleGmailMailbox(createGmailClient({ ...options, fetch, clock }));

    expect(await mailbox.getProfile()).toEqual({
      emailAddress: 'owner@example.com',
      historyId: '42',
    });
    await mailbox.getProfile();
    clock.advance({ minutes: 56 });
    await mailbox.getProfile();

    const tokenCalls = calls.filter((call) => call.url === 'http://oauth.test/token');
    expect(tokenCalls).toHaveLength(2);
    expect(Object.fromEntries(new URLSearchParams(String(tokenCalls[0]?.init?.body)))).toEqual({
      grant_type: 'refresh_token',
      refresh_token: '1//refresh',
      client_id: 'client-id',
      client_secret: 'client-secret',
    });
    const gmailCall = calls.find((call) => call.url.includes('/profile'));
    expect(new Headers(gmailCall?.init?.headers).get('authorization')).toBe('Bearer ya29.a');
  });

  it('sends list parameters as repeated query parameters and leaves absent ones out', async () => {
    const { fetch, calls } = fakeFetch({
      'http://oauth.test/token': json(200, { access_token: 'ya29.a', expires_in: 3600 }),
      'http://gmail.test/gmail/v1/users/me/messages': json(200, {
        messages: [{ id: 'm1', threadId: 't1' }, {}],
        nextPageToken: 'p2',
      }),
    });
    const mailbox = new GoogleGmailMailbox(createGmailClient({ ...options, fetch }));

    const page = await mailbox.listMessages({ query: 'newer_than:2d' });

    expect(page).toEqual({ messages: [{ id: 'm1', threadId: 't1' }], nextPageToken: 'p2' });
    const url = new URL(calls.at(-1)!.url);
    expect([...url.searchParams.entries()]).toEqual([
      ['labelIds', 'INBOX'],
      ['maxResults', '500'],
      ['q', 'newer_than:2d'],
    ]);
  });

  it('turns a Gmail error answer into a GmailApiError with status, reason and Retry-After', async () => {
    const { fetch } = fakeFetch({
      'http://oauth.test/token': json(200, { access_token: 'ya29.a', expires_in: 3600 }),
      'http://gmail.test/': json(
        429,
        { error: { code: 429, message: 'Too many', errors: [{ reason: 'rateLimitExceeded' }] } },
        { 'retry-after': '30' },
      ),
    });
    const mailbox = new GoogleGmailMailbox(createGmailClient({ ...options, fetch }));

    const error = await failure(mailbox.getRawMessage('m1'));

    expect(error).toMatchObject({
      kind: 'quota',
      status: 429,
      reason: 'rateLimitExceeded',
      retryAfterSeconds: 30,
    });
  });

  it('reports a refused refresh token as an auth failure that marks the connection revoked', async () => {
    const { fetch } = fakeFetch({
      'http://oauth.test/token': json(400, {
        error: 'invalid_grant',
        error_description: 'Token has been revoked.',
      }),
    });
    const mailbox = new GoogleGmailMailbox(createGmailClient({ ...options, fetch }));

    const error = await failure(mailbox.getProfile());

    expect(error).toMatchObject({
      kind: 'auth',
      reason: 'invalid_grant',
      connectionStatus: 'revoked',
    });
    expect(error.message).not.toContain('1//refresh');
  });

  it('reports an unreachable server as transient with the network error code', async () => {
    const { fetch } = fakeFetch({});
    const mailbox = new GoogleGmailMailbox(createGmailClient({ ...options, fetch }));

    const error = await failure(mailbox.getProfile());

    expect(error).toMatchObject({ kind: 'transient', reason: 'ECONNREFUSED' });
  });
});
