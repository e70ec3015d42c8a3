import { EventEmitter } from 'node:events';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** A Node.js HTTP request listener, as given to `http.createServer`. */
export type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/** The parts of a smithy `HttpRequest` this transport reads. */
export interface SerializedRequest {
  readonly method: string;
  readonly hostname: string;
  readonly port?: number;
  readonly path: string;
  readonly query?: Record<string, string | readonly string[] | null>;
  readonly headers: Record<string, string>;
  readonly body?: unknown;
}

/** A smithy `HttpResponse` in shape (the SDK checks status code and headers structurally). */
export interface SerializedResponse {
  readonly statusCode: number;
  readonly reason?: string;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
}

/** A serialized HTTP request as a request listener receives it (structured-clonable). */
export interface ListenerRequest {
  readonly method: string;
  /** Path and query string. */
  readonly url: string;
  /** Header names in lower case. */
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
}

/** Delivers one serialized request to an emulator and resolves with its serialized response. */
export type Dispatch = (request: ListenerRequest) => Promise<SerializedResponse>;

/**
 * An SDK `requestHandler` that hands each serialized HTTP request to an emulator through a
 * {@link Dispatch} instead of through a loopback socket. The SDK still serializes the request and
 * parses the response of the real wire protocol; only the TCP round trip (socket, agent, HTTP
 * parser) is skipped. Only for the embedded emulators.
 */
export class InProcessHttpHandler {
  private readonly dispatch: Dispatch;

  constructor(dispatch: Dispatch) {
    this.dispatch = dispatch;
  }

  /** Dispatches one request; rejects when `abortSignal` is already aborted or the listener throws. */
  async handle(
    request: SerializedRequest,
    options: { abortSignal?: { aborted: boolean } } = {},
  ): Promise<{ response: SerializedResponse }> {
    if (options.abortSignal?.aborted) {
      const error = new Error('Request aborted');
      error.name = 'AbortError';
      throw error;
    }
    const response = await this.dispatch({
      method: request.method,
      url: request.path + queryString(request.query),
      headers: lowerCased(request.headers, request),
      body: await bodyBytes(request.body),
    });
    return { response };
  }

  /** Nothing to configure: there is no connection pool. */
  updateHttpClientConfig(): void {}

  /** No client options apply to an in-process dispatch. */
  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  /** Nothing to release. */
  destroy(): void {}
}

/**
 * A {@link Dispatch} that calls a Node.js request listener in this thread. The listener sees a
 * request with `method`, `url`, `headers` and the body as one `data` event, and a response that
 * supports `statusCode`, `setHeader`/`getHeader`/`removeHeader`, `writeHead`, `write` and `end`
 * (what dynalite uses). A listener that throws rejects the dispatch.
 */
export function listenerDispatch(listener: RequestListener): Dispatch {
  return (request) =>
    new Promise((resolve, reject) => {
      const incoming = Object.assign(new EventEmitter(), {
        method: request.method,
        url: request.url,
        headers: request.headers,
      });
      const response = new CapturedResponse(resolve);
      try {
        listener(incoming as unknown as IncomingMessage, response as unknown as ServerResponse);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      queueMicrotask(() => {
        try {
          const { body } = request;
          if (body.length > 0)
            incoming.emit('data', Buffer.from(body.buffer, body.byteOffset, body.byteLength));
          incoming.emit('end');
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
}

/** What a request listener writes, collected into one {@link SerializedResponse}. */
class CapturedResponse {
  statusCode = 200;
  statusMessage: string | undefined;
  headersSent = false;
  private readonly headers = new Map<string, string>();
  private readonly chunks: Buffer[] = [];

  constructor(private readonly done: (response: SerializedResponse) => void) {}

  setHeader(name: string, value: string | number | readonly string[]): this {
    this.headers.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value));
    return this;
  }

  getHeader(name: string): string | undefined {
    return this.headers.get(name.toLowerCase());
  }

  hasHeader(name: string): boolean {
    return this.headers.has(name.toLowerCase());
  }

  removeHeader(name: string): void {
    this.headers.delete(name.toLowerCase());
  }

  writeHead(statusCode: number, headers?: OutgoingHttpHeaders): this {
    this.statusCode = statusCode;
    for (const [name, value] of Object.entries(headers ?? {}))
      if (value !== undefined) this.setHeader(name, value);
    return this;
  }

  write(chunk: string | Uint8Array): boolean {
    this.chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
    return true;
  }

  end(chunk?: string | Uint8Array): this {
    if (chunk !== undefined) this.write(chunk);
    this.headersSent = true;
    const body = Buffer.concat(this.chunks);
    this.done({
      statusCode: this.statusCode,
      ...(this.statusMessage ? { reason: this.statusMessage } : {}),
      headers: Object.fromEntries(this.headers),
      body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
    });
    return this;
  }
}

async function bodyBytes(body: unknown): Promise<Uint8Array> {
  if (body === undefined || body === null) return new Uint8Array(0);
  if (typeof body === 'string') return Buffer.from(body);
  // A plain view: the SDK's JSON body is a Uint8Array subclass whose valueOf() decodes it.
  if (body instanceof Uint8Array)
    return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<string | Uint8Array>)
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
    return Buffer.concat(chunks);
  }
  throw new TypeError(`in-process request body: unsupported type ${typeof body}`);
}

function lowerCased(
  headers: Record<string, string>,
  request: SerializedRequest,
): Record<string, string> {
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = value;
  lower['host'] ??= request.port ? `${request.hostname}:${request.port}` : request.hostname;
  return lower;
}

function queryString(query: SerializedRequest['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === null) params.append(key, '');
    else if (typeof value === 'string') params.append(key, value);
    else for (const item of value) params.append(key, item);
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
