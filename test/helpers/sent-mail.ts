import type { Clock } from '../../shared/clock.js';
import type { TableContext } from '../../shared/storage/table-client.js';
import { SendRecordRepository } from '../../shared/storage/send-record-repository.js';

/**
 * Records that the sender sent `to` an email with provider Message-ID `messageId`, through the
 * send-record repository's own claim → sent transitions (what the sender does after SES accepts).
 */
export async function recordSend(
  ctx: TableContext & { clock: Clock },
  tenantId: string,
  to: string,
  messageId: string,
): Promise<void> {
  const records = new SendRecordRepository(ctx);
  const at = ctx.clock.now();
  const idempotencyKey = `${tenantId}:test_send:${to}:${messageId}`;
  await records.claim(tenantId, { idempotencyKey, to }, { token: 'test', at, ttlMs: 60_000 });
  const sent = await records.markSent(tenantId, idempotencyKey, 'test', { messageId, at });
  if (!sent.applied) throw new Error(`could not record the send to ${to}`);
}

/** The SES MessageId inside an `<id@region.amazonses.com>` Message-ID. */
export function sesMessageIdOf(header: string): string {
  return header.replace(/^<|>$/g, '').replace(/@[^@]+$/, '');
}
