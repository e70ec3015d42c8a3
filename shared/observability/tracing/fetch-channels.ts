/** What undici (Node's `fetch`) publishes about one request on its diagnostics channels. */
export interface FetchRequestInfo {
  readonly origin: string;
  readonly path: string;
  readonly method: string;
}

/** Callbacks for the three moments of a `fetch` request the tracer records. */
export interface FetchListener {
  onStart(request: object, info: FetchRequestInfo): void;
  onResponse(request: object, status: number): void;
  onError(request: object, error: unknown): void;
}

const CHANNELS = [
  'undici:request:create',
  'undici:request:headers',
  'undici:request:error',
] as const;

/**
 * Subscribes `listener` to the diagnostics channels Node's built-in `fetch` (undici) publishes on
 * (`undici:request:create`, `…:headers`, `…:error`); returns the unsubscribe. Subscribing does
 * not load undici.
 */
export function subscribeToFetch(listener: FetchListener): () => void {
  const channels = process.getBuiltinModule('node:diagnostics_channel');
  const handlers: Record<(typeof CHANNELS)[number], (message: unknown) => void> = {
    'undici:request:create': (message) => {
      const request = (message as { request?: Partial<FetchRequestInfo> & object }).request;
      if (request && typeof request.path === 'string')
        listener.onStart(request, {
          origin: String(request.origin),
          path: request.path,
          method: typeof request.method === 'string' ? request.method : 'GET',
        });
    },
    'undici:request:headers': (message) => {
      const { request, response } = message as {
        request?: object;
        response?: { statusCode?: unknown };
      };
      if (request && typeof response?.statusCode === 'number')
        listener.onResponse(request, response.statusCode);
    },
    'undici:request:error': (message) => {
      const { request, error } = message as { request?: object; error?: unknown };
      if (request) listener.onError(request, error);
    },
  };
  for (const name of CHANNELS) channels.subscribe(name, handlers[name]);
  return () => {
    for (const name of CHANNELS) channels.unsubscribe(name, handlers[name]);
  };
}
