/** The part of an SDK client this module touches. */
interface ClientWithStack {
  readonly middlewareStack: { remove(name: string): boolean };
}

/**
 * Middleware that does nothing an embedded emulator reads: the request logger (no logger is
 * configured, yet it walks every input and output to filter sensitive fields before calling the
 * no-op logger), the User-Agent header, the `X-Amzn-Trace-Id` recursion guard (Lambda only) and
 * the Host header (set by the transport).
 */
const UNUSED_BY_EMULATORS = [
  'loggerMiddleware',
  'getUserAgentMiddleware',
  'recursionDetectionMiddleware',
  'hostHeaderMiddleware',
] as const;

/**
 * Removes from an emulator client's middleware stack the steps whose only effect is on headers
 * and logs the emulators never read ({@link UNUSED_BY_EMULATORS}); serialization, endpoint,
 * retries and deserialization stay. Returns the client. Never give it a client that talks to AWS.
 */
export function leanEmulatorClient<Client extends ClientWithStack>(client: Client): Client {
  for (const name of UNUSED_BY_EMULATORS) client.middlewareStack.remove(name);
  return client;
}
