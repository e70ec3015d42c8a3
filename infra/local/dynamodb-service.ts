import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import dynalite from 'dynalite';
import { listenerDispatch, type Dispatch, type RequestListener } from './in-process-http.js';

/** Options of {@link startDynamoDb}. */
export interface DynamoDbServiceOptions {
  /** LevelDB directory; in memory when absent. */
  readonly path?: string;
}

/** dynalite running in this thread: a loopback port and an in-process dispatch to the same store. */
export interface DynamoDbService {
  readonly port: number;
  readonly dispatch: Dispatch;
  close(): Promise<void>;
}

/**
 * Starts dynalite (tables ready at once) on a free loopback port. Every DynamoDB request of the
 * embedded stack reaches dynalite through the one request listener taken here: the TCP server's
 * requests and those of {@link DynamoDbService.dispatch} alike.
 */
export async function startDynamoDb(
  options: DynamoDbServiceOptions = {},
): Promise<DynamoDbService> {
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.path ? { path: options.path } : {}),
  });
  // The one place a DynamoDB request reaches dynalite: the TCP server and `dispatch` both call
  // `listener`, so an emulation in front of dynalite wraps it here once for both.
  const listener: RequestListener = requestListenerOf(server);
  server.removeAllListeners('request');
  server.on('request', listener);
  const port = await listen(server);
  return { port, dispatch: listenerDispatch(listener), close: () => close(server) };
}

function requestListenerOf(server: Server): RequestListener {
  const [listener, ...more] = server.listeners('request') as RequestListener[];
  if (!listener || more.length > 0) throw new Error('expected one request listener on dynalite');
  return listener;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}
