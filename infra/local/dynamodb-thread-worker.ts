import { parentPort, workerData } from 'node:worker_threads';
import { startDynamoDb, type DynamoDbServiceOptions } from './dynamodb-service.js';
import type { ListenerRequest, SerializedResponse } from './in-process-http.js';
import { microtaskBatch } from './microtask-batch.js';
import { ownBytes } from './thread-bytes.js';

/** A message from startDynamoDbThread to this worker. */
export type ThreadRequest =
  | {
      readonly kind: 'requests';
      readonly requests: readonly { readonly id: number; readonly request: ListenerRequest }[];
    }
  | { readonly kind: 'close' };

/** The answer to one request: the response, or why the listener failed. */
export interface ThreadResponse {
  readonly id: number;
  readonly response?: SerializedResponse;
  readonly error?: string;
}

/** A message from this worker to startDynamoDbThread. */
export type ThreadReply =
  | { readonly kind: 'ready'; readonly port: number }
  | { readonly kind: 'closed' }
  | { readonly kind: 'responses'; readonly responses: readonly ThreadResponse[] };

const port = parentPort;
if (!port) throw new Error('dynamodb-thread-worker runs as a worker thread only');
const service = await startDynamoDb(workerData as DynamoDbServiceOptions);
const reply = microtaskBatch<ThreadResponse>((responses) =>
  port.postMessage({ kind: 'responses', responses } satisfies ThreadReply),
);
port.on('message', (message: ThreadRequest) => {
  if (message.kind === 'close') {
    void service.close().then(() => {
      port.postMessage({ kind: 'closed' } satisfies ThreadReply);
      port.close();
    });
    return;
  }
  for (const { id, request } of message.requests)
    service.dispatch(request).then(
      (response) => reply({ id, response: { ...response, body: ownBytes(response.body) } }),
      (error: unknown) =>
        reply({ id, error: error instanceof Error ? error.message : String(error) }),
    );
});
port.postMessage({ kind: 'ready', port: service.port } satisfies ThreadReply);
