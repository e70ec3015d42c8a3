import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../shared/clock.js';

/**
 * A message of a local mailbox: raw RFC 822 text and when it arrives (virtual time), optionally
 * with its Gmail id, thread id and labels. An entry repeating an earlier entry's `gmailId` is the
 * same message listed again in history (Gmail re-lists ids, e.g. on a label change); `messages.get`
 * serves the first entry's content.
 */
export interface LocalMailboxMessage {
  readonly receivedAt: string;
  readonly raw: string | Uint8Array;
  /** @default a hash of the mailbox, position and receive time */
  readonly gmailId?: string;
  /** @default the thread of the message it references, else its own id */
  readonly threadId?: string;
  /** @default ['INBOX', 'UNREAD'] */
  readonly labelIds?: readonly string[];
}

const DEFAULT_LABELS = ['INBOX', 'UNREAD'] as const;

/** A fault to answer instead of the real response (quota errors, expired cursors, outages). */
export interface InjectedFault {
  /** Which endpoint: `history`, `messages.list`, `messages.get`, `profile` or `token`. */
  readonly endpoint: 'history' | 'messages.list' | 'messages.get' | 'profile' | 'token';
  readonly status: number;
  /** Google's error reason, e.g. `rateLimitExceeded`. */
  readonly reason?: string;
  readonly retryAfterSeconds?: number;
  /** How many requests it answers. @default 1 */
  readonly times?: number;
  /** Only for this mailbox. */
  readonly mailbox?: string;
}

/** What {@link LocalGmailServer.start} needs. */
export interface LocalGmailServerOptions {
  /** The clock that decides which messages have arrived (the simulator's virtual clock). */
  readonly clock: Clock;
  /** The OAuth client the token endpoint accepts. */
  readonly clientId?: string;
  readonly clientSecret?: string;
}

interface StoredMessage {
  readonly id: string;
  readonly threadId: string;
  readonly historyId: number;
  readonly receivedAt: number;
  readonly raw: Buffer;
  readonly labelIds: readonly string[];
}

interface Mailbox {
  readonly emailAddress: string;
  readonly messages: StoredMessage[];
  readonly baseHistoryId: number;
  /** history.list with a startHistoryId below this answers 404 (Gmail keeps about a week). */
  oldestHistoryId: number;
}

/** One request the server answered, for assertions. */
export interface LoggedRequest {
  readonly method: string;
  readonly endpoint: string;
  readonly mailbox?: string;
  readonly status: number;
}

const GOOGLE_ERROR_STATUS: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

/**
 * A small HTTP server that speaks the Gmail REST paths ingest uses — `users.getProfile`,
 * `users.history.list`, `users.messages.list` (`after:`/`before:` queries) and
 * `users.messages.get?format=raw` — plus Google's OAuth token endpoint (refresh-token and
 * authorization-code grants). Mailboxes are fed from fixtures; a message exists from its
 * `receivedAt` on, by the injected clock, so the production `@googleapis/gmail` client (pointed
 * here by `rootUrl`) sees mail arrive in virtual time. Faults can be injected for tests.
 *
 * @example
 * const gmail = await LocalGmailServer.start({ clock });
 * gmail.addMailbox('team@northwind.example', fixture.mailbox, { refreshToken: 'local-token' });
 * // createGmailClient({ ..., rootUrl: gmail.rootUrl, tokenUrl: gmail.tokenUrl })
 */
export class LocalGmailServer {
  readonly requests: LoggedRequest[] = [];
  private readonly mailboxes = new Map<string, Mailbox>();
  private readonly refreshTokens = new Map<string, string>();
  private readonly accessTokens = new Map<string, string>();
  private readonly authorizationCodes = new Map<string, string>();
  private readonly faults: (InjectedFault & { remaining: number })[] = [];

  private constructor(
    private readonly server: Server,
    private readonly options: LocalGmailServerOptions,
    /** The API root to pass as `rootUrl`, with a trailing slash. */
    readonly rootUrl: string,
  ) {}

  /** Starts the server on a free loopback port. */
  static async start(options: LocalGmailServerOptions): Promise<LocalGmailServer> {
    const server = createServer();
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
    const instance = new LocalGmailServer(server, options, `http://127.0.0.1:${port}/`);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      void instance.handle(request, response);
    });
    return instance;
  }

  /** The OAuth token endpoint (`GMAIL_OAUTH_TOKEN_URL`). */
  get tokenUrl(): string {
    return `${this.rootUrl}token`;
  }

  /**
   * Adds a mailbox with its messages (in any order; history ids follow arrival) and the refresh
   * token that opens it.
   */
  addMailbox(
    emailAddress: string,
    messages: readonly LocalMailboxMessage[],
    options: { refreshToken?: string; baseHistoryId?: number } = {},
  ): void {
    const address = emailAddress.toLowerCase();
    const baseHistoryId = options.baseHistoryId ?? 1_000;
    const sorted = messages
      .map((message, index) => ({ message, index, at: new Date(message.receivedAt).getTime() }))
      .sort((a, b) => a.at - b.at || a.index - b.index);
    const byMessageId = new Map<string, string>();
    const stored: StoredMessage[] = [];
    sorted.forEach(({ message, index, at }, position) => {
      const raw = Buffer.isBuffer(message.raw)
        ? message.raw
        : typeof message.raw === 'string'
          ? Buffer.from(message.raw, 'utf8')
          : Buffer.from(message.raw);
      const id =
        message.gmailId ??
        createHash('sha256')
          .update(`${address}\n${index}\n${message.receivedAt}`)
          .digest('hex')
          .slice(0, 16);
      const head =
        raw
          .subarray(0, 64 * 1024)
          .toString('latin1')
          .split(/\r?\n\r?\n/)[0] ?? '';
      const referenced = [
        ...head.matchAll(/^(?:in-reply-to|references):((?:.*)(?:\r?\n[ \t].*)*)/gim),
      ].flatMap((match) =>
        [...(match[1] ?? '').matchAll(/<([^>]+)>/g)].map((id) => id[1]?.toLowerCase() ?? ''),
      );
      const threadId =
        message.threadId ??
        stored.find((earlier) => earlier.id === id)?.threadId ??
        referenced.map((ref) => byMessageId.get(ref)).find((known) => known !== undefined) ??
        id;
      const ownId = /^message-id:\s*<([^>]+)>/im.exec(head)?.[1]?.toLowerCase();
      if (ownId && !byMessageId.has(ownId)) byMessageId.set(ownId, threadId);
      stored.push({
        id,
        threadId,
        historyId: baseHistoryId + position + 1,
        receivedAt: at,
        raw,
        labelIds: [...(message.labelIds ?? DEFAULT_LABELS)],
      });
    });
    this.mailboxes.set(address, {
      emailAddress: address,
      messages: stored,
      baseHistoryId,
      oldestHistoryId: baseHistoryId,
    });
    if (options.refreshToken) this.refreshTokens.set(options.refreshToken, address);
  }

  /** Adds a message to an existing mailbox (arrives at `receivedAt`); returns its Gmail id. */
  deliver(emailAddress: string, message: LocalMailboxMessage): string {
    const mailbox = this.requireMailbox(emailAddress);
    const raw =
      typeof message.raw === 'string' ? Buffer.from(message.raw, 'utf8') : Buffer.from(message.raw);
    const position = mailbox.messages.length;
    const id =
      message.gmailId ??
      createHash('sha256')
        .update(`${mailbox.emailAddress}\n+${position}\n${message.receivedAt}`)
        .digest('hex')
        .slice(0, 16);
    const last = mailbox.messages[mailbox.messages.length - 1]?.historyId ?? mailbox.baseHistoryId;
    mailbox.messages.push({
      id,
      threadId: message.threadId ?? id,
      historyId: last + 1,
      receivedAt: new Date(message.receivedAt).getTime(),
      raw,
      labelIds: [...(message.labelIds ?? DEFAULT_LABELS)],
    });
    return id;
  }

  /** Gmail ids of a mailbox's messages that have arrived by now, oldest first, each once. */
  visibleMessageIds(emailAddress: string): string[] {
    return [
      ...new Set(this.visible(this.requireMailbox(emailAddress)).map((message) => message.id)),
    ];
  }

  /** Forgets history before the mailbox's current point, so an older cursor gets 404 (cursor expiry). */
  expireHistory(emailAddress: string): void {
    const mailbox = this.requireMailbox(emailAddress);
    mailbox.oldestHistoryId = this.currentHistoryId(mailbox);
  }

  /** Answers the next matching requests with an error. */
  injectFault(fault: InjectedFault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  /** Makes a refresh token invalid (Google: "Token has been expired or revoked."). */
  revokeRefreshToken(refreshToken: string): void {
    const address = this.refreshTokens.get(refreshToken);
    this.refreshTokens.delete(refreshToken);
    for (const [token, owner] of this.accessTokens)
      if (owner === address) this.accessTokens.delete(token);
  }

  /** Issues an authorization code that the token endpoint exchanges for `refreshToken` of `emailAddress`. */
  issueAuthorizationCode(emailAddress: string, refreshToken: string): string {
    const code = `4/local-${randomBytes(8).toString('hex')}`;
    this.authorizationCodes.set(code, `${emailAddress.toLowerCase()}\n${refreshToken}`);
    return code;
  }

  /** Stops the server. */
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.closeAllConnections?.();
      this.server.close(() => resolve());
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.rootUrl);
    const body = await readBody(request);
    try {
      if (request.method === 'POST' && url.pathname === '/token') return this.token(body, response);
      const match = /^\/gmail\/v1\/users\/([^/]+)\/(profile|history|messages)(?:\/([^/]+))?$/.exec(
        url.pathname,
      );
      if (!match || request.method !== 'GET')
        return this.error(
          response,
          'unknown',
          404,
          'notFound',
          `no route ${request.method} ${url.pathname}`,
        );
      const endpoint =
        match[2] === 'messages'
          ? match[3]
            ? 'messages.get'
            : 'messages.list'
          : (match[2] as 'profile' | 'history');
      const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      const address = token ? this.accessTokens.get(token) : undefined;
      if (!address)
        return this.error(
          response,
          endpoint,
          401,
          'authError',
          'Request had invalid authentication credentials.',
        );
      const userId = decodeURIComponent(match[1] ?? 'me').toLowerCase();
      if (userId !== 'me' && userId !== address)
        return this.error(response, endpoint, 403, 'forbidden', 'Delegation denied', address);
      const fault = this.takeFault(endpoint, address);
      if (fault)
        return this.error(
          response,
          endpoint,
          fault.status,
          fault.reason ?? 'backendError',
          'Injected fault',
          address,
          fault.retryAfterSeconds,
        );
      const mailbox = this.requireMailbox(address);
      switch (endpoint) {
        case 'profile':
          return this.json(response, endpoint, address, {
            emailAddress: mailbox.emailAddress,
            messagesTotal: this.visible(mailbox).length,
            threadsTotal: new Set(this.visible(mailbox).map((m) => m.threadId)).size,
            historyId: String(this.currentHistoryId(mailbox)),
          });
        case 'history':
          return this.history(response, mailbox, url.searchParams);
        case 'messages.list':
          return this.list(response, mailbox, url.searchParams);
        case 'messages.get':
          return this.get(response, mailbox, decodeURIComponent(match[3] ?? ''), url.searchParams);
      }
    } catch (error) {
      return this.error(
        response,
        'unknown',
        500,
        'backendError',
        error instanceof Error ? error.message : String(error),
      );
    }
  }

  private token(body: string, response: ServerResponse): void {
    const form = new URLSearchParams(body);
    const fault = this.takeFault('token', undefined);
    if (fault) return this.oauthError(response, fault.status, fault.reason ?? 'server_error');
    if (
      (this.options.clientId && form.get('client_id') !== this.options.clientId) ||
      (this.options.clientSecret && form.get('client_secret') !== this.options.clientSecret)
    )
      return this.oauthError(response, 401, 'invalid_client', 'The OAuth client was not found.');
    const grant = form.get('grant_type');
    if (grant === 'refresh_token') {
      const address = this.refreshTokens.get(form.get('refresh_token') ?? '');
      if (!address)
        return this.oauthError(
          response,
          400,
          'invalid_grant',
          'Token has been expired or revoked.',
        );
      return this.json(response, 'token', address, this.issueAccessToken(address));
    }
    if (grant === 'authorization_code') {
      const entry = this.authorizationCodes.get(form.get('code') ?? '');
      if (!entry) return this.oauthError(response, 400, 'invalid_grant', 'Malformed auth code.');
      this.authorizationCodes.delete(form.get('code') ?? '');
      const [address = '', refreshToken = ''] = entry.split('\n');
      this.refreshTokens.set(refreshToken, address);
      return this.json(response, 'token', address, {
        ...this.issueAccessToken(address),
        refresh_token: refreshToken,
      });
    }
    return this.oauthError(response, 400, 'unsupported_grant_type', `grant_type ${grant ?? ''}`);
  }

  private issueAccessToken(address: string): Record<string, unknown> {
    const accessToken = `ya29.local-${randomBytes(12).toString('hex')}`;
    this.accessTokens.set(accessToken, address);
    return {
      access_token: accessToken,
      expires_in: 3599,
      token_type: 'Bearer',
      scope: 'https://www.googleapis.com/auth/gmail.readonly',
    };
  }

  private history(response: ServerResponse, mailbox: Mailbox, params: URLSearchParams): void {
    const start = Number(params.get('startHistoryId'));
    if (!Number.isFinite(start) || params.get('startHistoryId') === null)
      return this.error(
        response,
        'history',
        400,
        'invalidArgument',
        'startHistoryId is required',
        mailbox.emailAddress,
      );
    if (start < mailbox.oldestHistoryId)
      return this.error(
        response,
        'history',
        404,
        'notFound',
        'Requested entity was not found.',
        mailbox.emailAddress,
      );
    const label = params.get('labelId');
    const records = this.visible(mailbox)
      .filter((message) => message.historyId > start)
      .filter((message) => !label || message.labelIds.includes(label))
      .map((message) => ({
        id: String(message.historyId),
        messages: [{ id: message.id, threadId: message.threadId }],
        messagesAdded: [
          {
            message: {
              id: message.id,
              threadId: message.threadId,
              labelIds: [...message.labelIds],
            },
          },
        ],
      }));
    const { page, nextPageToken } = paginate(records, params, 100);
    this.json(response, 'history', mailbox.emailAddress, {
      ...(page.length > 0 ? { history: page } : {}),
      historyId: String(this.currentHistoryId(mailbox)),
      ...(nextPageToken ? { nextPageToken } : {}),
    });
  }

  private list(response: ServerResponse, mailbox: Mailbox, params: URLSearchParams): void {
    const query = params.get('q') ?? '';
    const after = /\bafter:(\d+)\b/.exec(query)?.[1];
    const before = /\bbefore:(\d+)\b/.exec(query)?.[1];
    const labels = params.getAll('labelIds');
    const matching = this.visible(mailbox)
      .filter((message) => !after || message.receivedAt > Number(after) * 1_000)
      .filter((message) => !before || message.receivedAt < Number(before) * 1_000)
      .filter((message) => labels.every((label) => message.labelIds.includes(label)))
      .filter((message, index, all) => all.findIndex((m) => m.id === message.id) === index)
      .reverse()
      .map((message) => ({ id: message.id, threadId: message.threadId }));
    const { page, nextPageToken } = paginate(matching, params, 100);
    this.json(response, 'messages.list', mailbox.emailAddress, {
      ...(page.length > 0 ? { messages: page } : {}),
      resultSizeEstimate: matching.length,
      ...(nextPageToken ? { nextPageToken } : {}),
    });
  }

  private get(
    response: ServerResponse,
    mailbox: Mailbox,
    id: string,
    params: URLSearchParams,
  ): void {
    const message = this.visible(mailbox).find((candidate) => candidate.id === id);
    if (!message)
      return this.error(
        response,
        'messages.get',
        404,
        'notFound',
        'Requested entity was not found.',
        mailbox.emailAddress,
      );
    const format = params.get('format') ?? 'full';
    this.json(response, 'messages.get', mailbox.emailAddress, {
      id: message.id,
      threadId: message.threadId,
      labelIds: [...message.labelIds],
      snippet: '',
      historyId: String(message.historyId),
      internalDate: String(message.receivedAt),
      sizeEstimate: message.raw.byteLength,
      ...(format === 'raw' ? { raw: message.raw.toString('base64url') } : {}),
    });
  }

  private visible(mailbox: Mailbox): StoredMessage[] {
    const now = this.options.clock.now().getTime();
    return mailbox.messages.filter((message) => message.receivedAt <= now);
  }

  private currentHistoryId(mailbox: Mailbox): number {
    const visible = this.visible(mailbox);
    return visible[visible.length - 1]?.historyId ?? mailbox.baseHistoryId;
  }

  private requireMailbox(emailAddress: string): Mailbox {
    const mailbox = this.mailboxes.get(emailAddress.toLowerCase());
    if (!mailbox) throw new Error(`no local mailbox ${emailAddress}`);
    return mailbox;
  }

  private takeFault(
    endpoint: InjectedFault['endpoint'],
    mailbox: string | undefined,
  ): InjectedFault | undefined {
    const index = this.faults.findIndex(
      (fault) =>
        fault.endpoint === endpoint &&
        fault.remaining > 0 &&
        (!fault.mailbox || fault.mailbox === mailbox),
    );
    if (index < 0) return undefined;
    const fault = this.faults[index]!;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.faults.splice(index, 1);
    return fault;
  }

  private json(
    response: ServerResponse,
    endpoint: string,
    mailbox: string | undefined,
    body: unknown,
    status = 200,
  ): void {
    this.requests.push({ method: 'GET', endpoint, ...(mailbox ? { mailbox } : {}), status });
    response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
    response.end(JSON.stringify(body));
  }

  private error(
    response: ServerResponse,
    endpoint: string,
    status: number,
    reason: string,
    message: string,
    mailbox?: string,
    retryAfterSeconds?: number,
  ): void {
    this.requests.push({ method: 'GET', endpoint, ...(mailbox ? { mailbox } : {}), status });
    response.writeHead(status, {
      'content-type': 'application/json; charset=UTF-8',
      ...(retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {}),
    });
    response.end(
      JSON.stringify({
        error: {
          code: status,
          message,
          errors: [
            {
              message,
              domain: status === 429 || reason.endsWith('LimitExceeded') ? 'usageLimits' : 'global',
              reason,
            },
          ],
          status: GOOGLE_ERROR_STATUS[status] ?? 'UNKNOWN',
        },
      }),
    );
  }

  private oauthError(
    response: ServerResponse,
    status: number,
    error: string,
    description?: string,
  ): void {
    this.requests.push({ method: 'POST', endpoint: 'token', status });
    response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
    response.end(
      JSON.stringify({ error, ...(description ? { error_description: description } : {}) }),
    );
  }
}

function paginate<T>(
  items: readonly T[],
  params: URLSearchParams,
  fallback: number,
): { page: T[]; nextPageToken?: string } {
  const size = Math.min(Math.max(Number(params.get('maxResults') ?? fallback) || fallback, 1), 500);
  const offset = Number(params.get('pageToken') ?? 0) || 0;
  const page = items.slice(offset, offset + size);
  return {
    page,
    ...(offset + size < items.length ? { nextPageToken: String(offset + size) } : {}),
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
