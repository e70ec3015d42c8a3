import { AgentError } from '../../errors.js';
import type { GmailRestClient } from './gmail-rest.js';

export { createGmailClient, type GmailClientOptions } from './gmail-rest.js';

/** A message as listed: its id and thread. */
export interface GmailMessageRef {
  readonly id: string;
  readonly threadId?: string;
}

/** One page of `users.history.list`. */
export interface GmailHistoryPage {
  /** The mailbox's current historyId (the cursor after the last page). */
  readonly historyId: string;
  /** History records in order, with the messages each added. */
  readonly records: readonly {
    readonly id: string;
    readonly messages: readonly GmailMessageRef[];
  }[];
  readonly nextPageToken?: string;
}

/** A message fetched with `format=raw`. */
export interface GmailRawMessage {
  readonly id: string;
  readonly threadId?: string;
  readonly historyId?: string;
  /** When Gmail received it (ISO), from `internalDate`. */
  readonly receivedAt?: string;
  readonly sizeEstimate?: number;
  readonly labelIds: readonly string[];
  /** The RFC 822 bytes. */
  readonly raw: Uint8Array;
}

/** The Gmail operations ingest uses, for one connected mailbox (`userId` = me). */
export interface GmailMailbox {
  getProfile(): Promise<{ emailAddress: string; historyId: string }>;
  /** Messages added to INBOX since `startHistoryId`. A too-old id fails with kind `not_found` (HTTP 404). */
  listHistory(input: {
    startHistoryId: string;
    pageToken?: string;
    maxResults?: number;
  }): Promise<GmailHistoryPage>;
  /** INBOX messages matching `query` (Gmail search syntax), newest first. */
  listMessages(input: {
    query?: string;
    pageToken?: string;
    maxResults?: number;
  }): Promise<{ messages: GmailMessageRef[]; nextPageToken?: string }>;
  getRawMessage(id: string): Promise<GmailRawMessage>;
  /** The message's size estimate in bytes (`format=minimal`: no content), before fetching it raw. */
  getSizeEstimate(id: string): Promise<number | undefined>;
}

/** How a Gmail call failed, as far as callers need to know. */
export type GmailErrorKind = 'not_found' | 'quota' | 'auth' | 'transient' | 'bad_request' | 'other';

/**
 * A Gmail or Google OAuth failure with its kind, HTTP status and reason code. Built from the
 * client's error without its request (whose headers and body carry tokens), so it is safe to log.
 */
export class GmailApiError extends AgentError {
  readonly kind: GmailErrorKind;
  readonly status?: number;
  readonly reason?: string;
  readonly retryAfterSeconds?: number;
  /** For `auth` failures: what the connection's status becomes. */
  readonly connectionStatus?: 'token_expired' | 'revoked';

  constructor(details: {
    kind: GmailErrorKind;
    status?: number;
    reason?: string;
    message: string;
    retryAfterSeconds?: number;
    connectionStatus?: 'token_expired' | 'revoked';
  }) {
    super(`GMAIL_${details.kind.toUpperCase()}`, details.message);
    this.kind = details.kind;
    if (details.status !== undefined) this.status = details.status;
    if (details.reason !== undefined) this.reason = details.reason;
    if (details.retryAfterSeconds !== undefined) this.retryAfterSeconds = details.retryAfterSeconds;
    if (details.connectionStatus !== undefined) this.connectionStatus = details.connectionStatus;
  }
}

const QUOTA_REASONS = new Set([
  'rateLimitExceeded',
  'userRateLimitExceeded',
  'quotaExceeded',
  'dailyLimitExceeded',
  'concurrentLimitExceeded',
]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ETIMEDOUT',
  'ECONNREFUSED',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/**
 * Maps a failed Gmail or OAuth call (a GmailTransportError of gmail-rest.ts, or a GaxiosError of the
 * consent flow's Google client) to
 * a {@link GmailApiError}. 429 and 403 rate/quota reasons → `quota`; 404 → `not_found`; 401 and
 * `invalid_grant` → `auth` (token_expired, or revoked when Google says so); 5xx and network
 * errors → `transient`. Only status, reason and the API's message are kept.
 */
export function toGmailApiError(error: unknown): GmailApiError {
  if (error instanceof GmailApiError) return error;
  const candidate = error as {
    status?: unknown;
    code?: unknown;
    message?: unknown;
    response?: { status?: number; data?: unknown; headers?: unknown };
  };
  const status =
    typeof candidate?.response?.status === 'number'
      ? candidate.response.status
      : typeof candidate?.status === 'number'
        ? candidate.status
        : undefined;
  const data = candidate?.response?.data as
    | {
        error?: string | { message?: string; errors?: { reason?: string }[]; status?: string };
        error_description?: string;
      }
    | undefined;
  const retryAfterSeconds = retryAfter(candidate?.response?.headers);

  // The OAuth token endpoint answers { error: 'invalid_grant', error_description: '…' }.
  if (typeof data?.error === 'string') {
    const code = data.error;
    const description = (data.error_description ?? '').slice(0, 200);
    if (code === 'invalid_grant') {
      const revoked = /revoked/i.test(description) && !/expired/i.test(description);
      return new GmailApiError({
        kind: 'auth',
        ...(status !== undefined ? { status } : {}),
        reason: code,
        message: `Google OAuth refused the refresh token (${code}${description ? `: ${description}` : ''})`,
        connectionStatus: revoked ? 'revoked' : 'token_expired',
      });
    }
    return new GmailApiError({
      kind: status !== undefined && status >= 500 ? 'transient' : 'auth',
      ...(status !== undefined ? { status } : {}),
      reason: code,
      message: `Google OAuth error ${code}${description ? `: ${description}` : ''}`,
    });
  }

  const apiError = typeof data?.error === 'object' ? data.error : undefined;
  const reason = apiError?.errors?.[0]?.reason ?? apiError?.status;
  const apiMessage = String(
    apiError?.message ?? (status === undefined ? candidate?.message : '') ?? '',
  ).slice(0, 200);
  const describe = (what: string) =>
    `Gmail API ${what}${status !== undefined ? ` (HTTP ${status}${reason ? ` ${reason}` : ''})` : ''}${apiMessage ? `: ${apiMessage}` : ''}`;
  const base = {
    ...(status !== undefined ? { status } : {}),
    ...(reason ? { reason } : {}),
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
  };

  if (status === 429 || (status === 403 && reason !== undefined && QUOTA_REASONS.has(reason)))
    return new GmailApiError({ kind: 'quota', ...base, message: describe('quota or rate limit') });
  if (status === 404)
    return new GmailApiError({ kind: 'not_found', ...base, message: describe('not found') });
  if (status === 401)
    return new GmailApiError({
      kind: 'auth',
      ...base,
      message: describe('unauthorized'),
      connectionStatus: 'token_expired',
    });
  if (status === 403)
    return new GmailApiError({
      kind: 'auth',
      ...base,
      message: describe('forbidden'),
      connectionStatus: 'revoked',
    });
  if (status !== undefined && status >= 500)
    return new GmailApiError({ kind: 'transient', ...base, message: describe('server error') });
  if (status === 400)
    return new GmailApiError({ kind: 'bad_request', ...base, message: describe('bad request') });
  const code = typeof candidate?.code === 'string' ? candidate.code : undefined;
  if (code && NETWORK_CODES.has(code))
    return new GmailApiError({
      kind: 'transient',
      reason: code,
      message: `Gmail API unreachable (${code})`,
    });
  return new GmailApiError({
    kind: 'other',
    ...base,
    message: describe(error instanceof Error ? error.name : 'failure'),
  });
}

function retryAfter(headers: unknown): number | undefined {
  let value: unknown;
  if (headers && typeof (headers as { get?: unknown }).get === 'function') {
    value = (headers as { get(name: string): unknown }).get('retry-after');
  } else if (headers && typeof headers === 'object') {
    value = (headers as Record<string, unknown>)['retry-after'];
  }
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

/** The fields of the Gmail API's JSON answers this adapter reads (gmail/v1 reference). */
interface GmailMessageResource {
  id?: string;
  threadId?: string;
  historyId?: string;
  internalDate?: string;
  sizeEstimate?: number;
  labelIds?: string[];
  raw?: string;
}
interface GmailHistoryList {
  historyId?: string;
  nextPageToken?: string;
  history?: { id?: string; messagesAdded?: { message?: GmailMessageResource }[] }[];
}
interface GmailMessageList {
  messages?: GmailMessageResource[];
  nextPageToken?: string;
}

/**
 * {@link GmailMailbox} over the Gmail REST client of `createGmailClient`; every failure becomes a
 * {@link GmailApiError}.
 */
export class GoogleGmailMailbox implements GmailMailbox {
  constructor(private readonly client: GmailRestClient) {}

  async getProfile(): Promise<{ emailAddress: string; historyId: string }> {
    const data = await this.call<{ emailAddress?: string; historyId?: string }>('profile');
    return {
      emailAddress: String(data.emailAddress ?? '').toLowerCase(),
      historyId: String(data.historyId ?? ''),
    };
  }

  async listHistory(input: {
    startHistoryId: string;
    pageToken?: string;
    maxResults?: number;
  }): Promise<GmailHistoryPage> {
    const data = await this.call<GmailHistoryList>('history', {
      startHistoryId: input.startHistoryId,
      historyTypes: ['messageAdded'],
      labelId: 'INBOX',
      maxResults: input.maxResults ?? 500,
      pageToken: input.pageToken || undefined,
    });
    return {
      historyId: String(data.historyId ?? input.startHistoryId),
      records: (data.history ?? []).map((record) => ({
        id: String(record.id ?? ''),
        messages: (record.messagesAdded ?? []).flatMap((added) =>
          added.message?.id
            ? [
                {
                  id: added.message.id,
                  ...(added.message.threadId ? { threadId: added.message.threadId } : {}),
                },
              ]
            : [],
        ),
      })),
      ...(data.nextPageToken ? { nextPageToken: data.nextPageToken } : {}),
    };
  }

  async listMessages(input: {
    query?: string;
    pageToken?: string;
    maxResults?: number;
  }): Promise<{ messages: GmailMessageRef[]; nextPageToken?: string }> {
    const data = await this.call<GmailMessageList>('messages', {
      labelIds: ['INBOX'],
      maxResults: input.maxResults ?? 500,
      q: input.query || undefined,
      pageToken: input.pageToken || undefined,
    });
    return {
      messages: (data.messages ?? []).flatMap((message) =>
        message.id
          ? [{ id: message.id, ...(message.threadId ? { threadId: message.threadId } : {}) }]
          : [],
      ),
      ...(data.nextPageToken ? { nextPageToken: data.nextPageToken } : {}),
    };
  }

  async getRawMessage(id: string): Promise<GmailRawMessage> {
    const data = await this.call<GmailMessageResource>(`messages/${encodeURIComponent(id)}`, {
      format: 'raw',
    });
    if (!data.raw)
      throw new GmailApiError({
        kind: 'other',
        message: `Gmail returned message ${id} without raw content`,
      });
    const receivedMs = Number(data.internalDate);
    return {
      id: data.id ?? id,
      ...(data.threadId ? { threadId: data.threadId } : {}),
      ...(data.historyId ? { historyId: data.historyId } : {}),
      ...(Number.isFinite(receivedMs) && data.internalDate
        ? { receivedAt: new Date(receivedMs).toISOString() }
        : {}),
      ...(typeof data.sizeEstimate === 'number' ? { sizeEstimate: data.sizeEstimate } : {}),
      labelIds: data.labelIds ?? [],
      raw: Buffer.from(data.raw, 'base64url'),
    };
  }

  async getSizeEstimate(id: string): Promise<number | undefined> {
    const data = await this.call<GmailMessageResource>(`messages/${encodeURIComponent(id)}`, {
      format: 'minimal',
    });
    return typeof data.sizeEstimate === 'number' ? data.sizeEstimate : undefined;
  }

  private async call<T>(path: string, query?: Parameters<GmailRestClient['get']>[1]): Promise<T> {
    try {
      return (await this.client.get(path, query)) as T;
    } catch (error) {
      throw toGmailApiError(error);
    }
  }
}
