import { SystemClock, type Clock } from '../../clock.js';

/** What it takes to call Gmail for one mailbox. */
export interface GmailClientOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly refreshToken: string;
  /** Gmail API root (`https://gmail.googleapis.com/` by default); the local server's URL locally. */
  readonly rootUrl?: string;
  /** OAuth token endpoint (`https://oauth2.googleapis.com/token` by default). */
  readonly tokenUrl?: string;
  /** The fetch to call (tests); the global fetch by default. */
  readonly fetch?: typeof fetch;
  /** Wall-clock time for the access token's expiry (the token endpoint's, not simulated, time). */
  readonly clock?: Clock;
}

/** A query parameter value; arrays repeat the parameter (`labelIds=A&labelIds=B`). */
export type GmailQueryValue = string | number | readonly string[] | undefined;

/**
 * A failed Gmail or token-endpoint call as `toGmailApiError` reads it: `response` holds the HTTP
 * status, the parsed JSON error body and the headers; `code` is the network error code when the
 * server could not be reached. It carries no request, so no token.
 */
export class GmailTransportError extends Error {
  override readonly name = 'GmailTransportError';
  readonly response?: { status: number; data: unknown; headers?: Headers };
  readonly code?: string;

  constructor(
    message: string,
    details: { response?: { status: number; data: unknown; headers?: Headers }; code?: string },
  ) {
    super(message);
    if (details.response) this.response = details.response;
    if (details.code) this.code = details.code;
  }
}

/**
 * The Gmail REST API (v1) for one mailbox: authorized GETs below `gmail/v1/users/me/` answering
 * the parsed JSON body. A failure throws a {@link GmailTransportError}.
 */
export interface GmailRestClient {
  get(path: string, query?: Readonly<Record<string, GmailQueryValue>>): Promise<unknown>;
}

const DEFAULT_ROOT_URL = 'https://gmail.googleapis.com/';
const DEFAULT_TOKEN_URL = 'https://oauth2.googleapis.com/token';
/** An access token is refreshed this long before Google says it expires. */
const EXPIRY_MARGIN_MS = 5 * 60_000;

/**
 * Builds the Gmail REST client for one mailbox over `fetch`: it trades the refresh token for an
 * access token at the OAuth token endpoint (RFC 6749 section 6, client id and secret in the form)
 * when it has none or the one it has is about to expire, and sends it as a Bearer token. There are
 * no retries: the poller and the queue own backoff, and quota errors must surface to be counted.
 */
export function createGmailClient(options: GmailClientOptions): GmailRestClient {
  const call = options.fetch ?? fetch;
  const clock = options.clock ?? new SystemClock();
  const root = options.rootUrl
    ? options.rootUrl.endsWith('/')
      ? options.rootUrl
      : `${options.rootUrl}/`
    : DEFAULT_ROOT_URL;
  let token: { value: string; expiresAt: number } | undefined;

  async function accessToken(): Promise<string> {
    if (token && token.expiresAt - EXPIRY_MARGIN_MS > clock.now().getTime()) return token.value;
    const data = (await request(options.tokenUrl ?? DEFAULT_TOKEN_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: options.refreshToken,
        client_id: options.clientId,
        client_secret: options.clientSecret,
      }).toString(),
    })) as { access_token?: unknown; expires_in?: unknown };
    if (typeof data.access_token !== 'string' || data.access_token === '')
      throw new GmailTransportError('token endpoint returned no access token', {
        response: { status: 502, data: { error: 'no_access_token' } },
      });
    const seconds = typeof data.expires_in === 'number' ? data.expires_in : 3_600;
    token = { value: data.access_token, expiresAt: clock.now().getTime() + seconds * 1_000 };
    return token.value;
  }

  async function request(url: string, init: RequestInit): Promise<unknown> {
    let response: Response;
    try {
      response = await call(url, init);
    } catch (error) {
      const cause = (error as { cause?: { code?: unknown } }).cause;
      throw new GmailTransportError(error instanceof Error ? error.message : 'fetch failed', {
        ...(typeof cause?.code === 'string' ? { code: cause.code } : {}),
      });
    }
    const text = await response.text();
    let data: unknown = text;
    try {
      data = text === '' ? {} : JSON.parse(text);
    } catch {
      // A non-JSON error page stays text; toGmailApiError keeps only its status.
    }
    if (!response.ok)
      throw new GmailTransportError(`HTTP ${response.status}`, {
        response: { status: response.status, data, headers: response.headers },
      });
    return data;
  }

  return {
    async get(path, query = {}) {
      const url = new URL(`gmail/v1/users/me/${path}`, root);
      for (const [name, value] of Object.entries(query)) {
        if (value === undefined) continue;
        for (const item of Array.isArray(value) ? value : [value])
          url.searchParams.append(name, String(item));
      }
      return request(url.toString(), {
        headers: { authorization: `Bearer ${await accessToken()}`, accept: 'application/json' },
      });
    },
  };
}
