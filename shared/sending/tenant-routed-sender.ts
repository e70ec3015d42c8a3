import { assertTenantId } from '../storage/keys.js';
import type { InboundMessage, SendProcessor } from './send-processor.js';

/** What the sender handler calls per record: the processor, or a router over processors. */
export type SendHandling = Pick<SendProcessor, 'handle'>;

/**
 * Routes each queued send to the processor of its tenant (`forTenant`: tenant-scoped table
 * access, cached per container), read from the body's `tenantId`. A body with no readable,
 * well-formed tenant id goes to `fallback`, whose gate turns it into poison with the reason (it
 * names no tenant, so it touches no tenant's items).
 */
export function tenantRoutedSender(
  fallback: SendHandling,
  forTenant: (tenantId: string) => SendHandling,
): SendHandling {
  return {
    handle: (message: InboundMessage) => {
      const tenantId = tenantIdOf(message.body);
      return (tenantId ? forTenant(tenantId) : fallback).handle(message);
    },
  };
}

function tenantIdOf(body: string): string | undefined {
  try {
    const value = (JSON.parse(body) as { tenantId?: unknown } | null)?.tenantId;
    if (typeof value !== 'string') return undefined;
    assertTenantId(value);
    return value;
  } catch {
    return undefined;
  }
}
