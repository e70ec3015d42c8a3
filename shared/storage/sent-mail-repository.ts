import { SK_PREFIX, tenantPartition } from './keys.js';
import { queryAll, type TableContext } from './table-client.js';

/** Send-record statuses after which the recipient may have received the mail. */
const MAYBE_DELIVERED = ['sent', 'unknown', 'claimed'] as const;

/**
 * Read-only view of the send records (`SEND#<key>`, written by the sender) by recipient, for
 * inbound trust: "did we send to this address, and under which Message-IDs?". One paged query of
 * the tenant's send records (kept 30 days), projected to recipient and Message-ID.
 */
export class SentMailRepository {
  constructor(private readonly ctx: Pick<TableContext, 'doc' | 'tableName'>) {}

  /**
   * For each of `emails` we sent to (send record `sent`, `unknown` or `claimed`), the provider
   * Message-IDs of those sends (empty when none is recorded yet); an address we never sent to is
   * absent from the map. Addresses are compared lower-cased.
   */
  async sentTo(tenantId: string, emails: readonly string[]): Promise<Map<string, string[]>> {
    const wanted = new Set(emails.map((email) => email.trim().toLowerCase()));
    const sent = new Map<string, string[]>();
    if (wanted.size === 0) return sent;
    const items = await queryAll(this.ctx, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      FilterExpression: '#status IN (:s0, :s1, :s2)',
      ProjectionExpression: '#to, messageId',
      ExpressionAttributeNames: { '#status': 'status', '#to': 'to' },
      ExpressionAttributeValues: {
        ':pk': tenantPartition(tenantId),
        ':prefix': SK_PREFIX.send,
        ':s0': MAYBE_DELIVERED[0],
        ':s1': MAYBE_DELIVERED[1],
        ':s2': MAYBE_DELIVERED[2],
      },
    });
    for (const item of items) {
      const to = typeof item['to'] === 'string' ? item['to'].trim().toLowerCase() : '';
      if (!wanted.has(to)) continue;
      const ids = sent.get(to) ?? [];
      if (typeof item['messageId'] === 'string') ids.push(item['messageId']);
      sent.set(to, ids);
    }
    return sent;
  }
}
