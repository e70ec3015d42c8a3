import { Worker } from 'node:worker_threads';
import type { DynamoDbService, DynamoDbServiceOptions } from './dynamodb-service.js';
import type { ListenerRequest, SerializedResponse } from './in-process-http.js';
import type { ThreadReply, ThreadRequest } from './dynamodb-thread-worker.js';
import { microtaskBatch } from './microtask-batch.js';
import { ownBytes } from './thread-bytes.js';

/** Whether this module runs from its TypeScript source (tsx, vitest) or from the agentctl bundle. */
const fromSource = import.meta.url.endsWith('.ts');

/**
 * The worker's entry: the TypeScript source beside this file (loaded through tsx), or the
 * `dynamodb-thread-worker.js` that scripts/build-cli.mjs writes beside the agentctl chunks.
 */
function workerEntry(): URL {
  return new URL(`./dynamodb-thread-worker.${fromSource ? 'ts' : 'js'}`, import.meta.url);
}

/**
 * Starts dynalite on a worker thread (see dynamodb-thread-worker.ts), so that on a machine with a
 * second core the emulator's work runs beside the handlers instead of between them. The worker
 * serves its loopback port itself; `dispatch` posts the serialized requests to it, those of one
 * event-loop turn in one message (and the worker answers likewise).
 */
export function startDynamoDbThread(
  options: DynamoDbServiceOptions = {},
): Promise<DynamoDbService> {
  const worker = new Worker(workerEntry(), {
    workerData: options,
    ...(fromSource && !process.execArgv.includes('tsx') ? { execArgv: ['--import', 'tsx'] } : {}),
  });
  const pending = new Map<
    number,
    { resolve: (response: SerializedResponse) => void; reject: (error: Error) => void }
  >();
  let nextId = 0;
  const post = microtaskBatch<{ id: number; request: ListenerRequest }>((requests) =>
    worker.postMessage({ kind: 'requests', requests } satisfies ThreadRequest),
  );
  let closed: (() => void) | undefined;
  let failure: Error | undefined;
  const fail = (error: Error) => {
    failure ??= error;
    for (const request of pending.values()) request.reject(failure);
    pending.clear();
    closed?.();
  };
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (reply: ThreadReply) => {
      if (reply.kind === 'ready') {
        worker.off('error', reject);
        worker.on('error', fail);
        worker.on('exit', (code) => fail(new Error(`dynalite thread exited (code ${code})`)));
        resolve({
          port: reply.port,
          dispatch: (request) =>
            new Promise((resolveRequest, rejectRequest) => {
              if (failure) return rejectRequest(failure);
              const id = (nextId += 1);
              pending.set(id, { resolve: resolveRequest, reject: rejectRequest });
              post({ id, request: { ...request, body: ownBytes(request.body) } });
            }),
          close: () =>
            new Promise<void>((resolveClose) => {
              closed = resolveClose;
              if (failure) resolveClose();
              else worker.postMessage({ kind: 'close' } satisfies ThreadRequest);
            }).then(() => worker.terminate().then(() => undefined)),
        });
      } else if (reply.kind === 'closed') {
        closed?.();
      } else {
        for (const { id, response, error } of reply.responses) {
          const request = pending.get(id);
          pending.delete(id);
          if (response) request?.resolve(response);
          else request?.reject(new Error(`dynalite thread: ${error ?? 'no response'}`));
        }
      }
    });
  });
}
