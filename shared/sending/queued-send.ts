import * as z from '../zod.js';
import { AgentError, ValidationError } from '../errors.js';
import { keys } from '../storage/keys.js';
import { sendRequestSchema, type SendRequest } from '../domain/send-request.js';
import { parseQueueBody } from '../messaging/queue-body.js';

/**
 * A send request as it travels on the send queue: the v1 request Act enqueues, plus what the
 * sender adds when it puts a message back (`providerAttempts` after a provider failure). `dueAt`
 * is the instant the request may be decided; a deferral moves it forward, so the wait survives
 * SQS's 15-minute delay limit and the simulator's virtual clock alike.
 */
export const queuedSendSchema = z.extend(sendRequestSchema, {
  /** Provider failures so far (drives the retry backoff). */
  providerAttempts: z.optional(z.number().check(z.int(), z.minimum(0), z.maximum(1_000))),
});

/** A parsed send-queue message. */
export type QueuedSend = SendRequest & { readonly providerAttempts?: number };

/** Why a message can never be processed, whatever the retry. */
export type PoisonReason =
  'bad_json' | 'schema' | 'invalid_key' | 'unknown_tenant' | 'unknown_template';

/**
 * A message that cannot be processed, whatever the retry (bad JSON, a schema failure, a tenant id
 * or touch key no table key can hold, an unknown tenant or template). It goes to the dead-letter
 * queue with its reason on its first delivery; it is never retried as transient.
 */
export class PoisonMessageError extends AgentError {
  readonly reason: PoisonReason;

  constructor(reason: PoisonReason, detail: string) {
    super('POISON_MESSAGE', `${reason}: ${detail}`);
    this.reason = reason;
  }
}

/**
 * Parses a send-queue message body, throwing {@link PoisonMessageError} for bad JSON or a schema
 * failure (naming the field, never echoing values: bodies hold email addresses).
 */
export function parseQueuedSend(body: string): QueuedSend {
  const parsed = parseQueueBody(queuedSendSchema, body);
  if (!parsed.success) {
    const { problem } = parsed;
    if (problem.kind === 'bad_json')
      throw new PoisonMessageError('bad_json', 'the body is not JSON');
    throw new PoisonMessageError('schema', `${problem.field}: ${problem.code}`);
  }
  try {
    keys.sendRecord(parsed.data.tenantId, parsed.data.idempotencyKey);
  } catch (error) {
    if (error instanceof ValidationError)
      throw new PoisonMessageError('invalid_key', `${error.field}: not a valid key`);
    throw error;
  }
  return parsed.data;
}
