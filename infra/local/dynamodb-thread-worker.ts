import { parentPort, workerData } from 'node:worker_threads';
import { startDynamoDb, type DynamoDbServiceOptions } from './dynamodb-service.js';
import type { ListenerRequest } from './in-process-http.js';

/** A message from {@link startDynamoDbThread} to this worker. */
export type ThreadRequest =
  | { readonly kind: 'request'; readonly id: number; readonly request: ListenerRequest }
  | { readonly kind: 'close' };

const port = parentPort;
if (!port) throw new Error('dynamodb-thread-worker runs as a worker thread only');
const service = await startDynamoDb(workerData as DynamoDbServiceOptions);
port.on('message', (message: ThreadRequest) => {
  if (message.kind === 'close') {
    void service.close().then(() => {
      port.postMessage({ kind: 'closed' });
      port.close();
    });
    return;
  }
  service.dispatch(message.request).then(
    (response) => port.postMessage({ kind: 'response', id: message.id, response }),
    (error: unknown) =>
      port.postMessage({
        kind: 'response',
        id: message.id,
        error: error instanceof Error ? error.message : String(error),
      }),
  );
});
port.postMessage({ kind: 'ready', port: service.port });
