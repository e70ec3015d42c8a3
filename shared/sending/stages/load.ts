import type { Clock } from '../../clock.js';
import type { TableContext } from '../../storage/table-client.js';
import { loadSendSnapshot, type SendSnapshot } from '../../storage/send-snapshot.js';
import type { TenantSettings } from '../../domain/tenant.js';
import { isKnownTemplate } from '../email-content.js';
import { PoisonMessageError, parseQueuedSend, type QueuedSend } from '../queued-send.js';

/** A send-queue message read and checked: the request, its recipient and what the table holds. */
export interface LoadedSend {
  readonly request: QueuedSend;
  /** The recipient, trimmed and lower-cased. */
  readonly email: string;
  readonly snapshot: SendSnapshot & { readonly tenant: TenantSettings };
}

/** The first stage's answer: a loaded send, or a request not due yet. */
export type LoadResult =
  | { readonly kind: 'loaded'; readonly send: LoadedSend }
  | { readonly kind: 'not_due'; readonly request: QueuedSend };

/**
 * Load: parses a send-queue body (poison: bad JSON, schema, a key no table can hold, an unknown
 * template or tenant) and, when the request is due, reads everything the decision needs in one
 * `BatchGetItem` (tenant, send record, suppression, contact, sending state, counter days, and the
 * warm-up ladder of the From domain `expectedIdentity` names for the tenant before its settings
 * are read).
 */
export async function loadSend(
  table: TableContext,
  clock: Clock,
  body: string,
  expectedIdentity?: (tenantId: string) => string | undefined,
): Promise<LoadResult> {
  const request = parseQueuedSend(body);
  const now = clock.now();
  if (new Date(request.dueAt).getTime() > now.getTime()) return { kind: 'not_due', request };
  if (!request.draft && !isKnownTemplate(request.template)) {
    throw new PoisonMessageError(
      'unknown_template',
      `template ${JSON.stringify(request.template).slice(0, 60)}`,
    );
  }
  const email = request.to.trim().toLowerCase();
  const identity = expectedIdentity?.(request.tenantId);
  const snapshot = await loadSendSnapshot(table, {
    tenantId: request.tenantId,
    idempotencyKey: request.idempotencyKey,
    email,
    ...(request.contactId ? { contactId: request.contactId } : {}),
    rateDates: candidateDates(now),
    ...(identity ? { identity } : {}),
  });
  const { tenant } = snapshot;
  if (!tenant) {
    throw new PoisonMessageError('unknown_tenant', `tenant ${request.tenantId} has no settings`);
  }
  return { kind: 'loaded', send: { request, email, snapshot: { ...snapshot, tenant } } };
}

/** The UTC date of `now` and its neighbours: a tenant's local date is always one of them. */
function candidateDates(now: Date): string[] {
  return [-1, 0, 1].map((days) =>
    new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 10),
  );
}
