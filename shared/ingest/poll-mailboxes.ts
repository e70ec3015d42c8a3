import type { IngestRequest } from '../domain/ingest/ingest-request.js';
import { GmailApiError, type GmailMailbox } from '../adapters/gmail/gmail-mailbox.js';
import { GmailNotConnectedError } from './gmail-connections.js';
import { describeIngestFailure } from './ingest-failure.js';
import { METRIC_NAMES } from '../observability/metric-names.js';
import { runtimeForTenant, type IngestRuntime } from './runtime.js';

/** How one tenant's poll ended. */
export type TenantPollOutcome =
  | {
      readonly status: 'polled';
      readonly enqueued: number;
      readonly fullSync: boolean;
      readonly historyId: string;
    }
  | { readonly status: 'backing_off'; readonly until: string }
  | { readonly status: 'quota_error'; readonly backoffUntil: string }
  | { readonly status: 'not_connected'; readonly connection: string }
  | { readonly status: 'auth_error'; readonly connection: string }
  | { readonly status: 'error'; readonly reason: string };

/** What one run of the poller did across tenants. */
export interface PollSummary {
  /** Set when nothing was polled because the kill switch is on or unreadable. */
  readonly stopped?: string;
  readonly tenants: number;
  readonly polled: number;
  readonly enqueued: number;
  readonly fullSyncs: number;
  readonly byStatus: Readonly<Record<string, number>>;
  /** Tenants not reached before `shouldStop` said so; the next run starts elsewhere in the list. */
  readonly deferred: number;
}

/** Options of {@link pollMailboxes}. */
export interface PollOptions {
  /** Checked before each tenant; true stops starting new ones (e.g. the Lambda is near its timeout). */
  readonly shouldStop?: () => boolean;
}

/** First backoff after a quota error; it doubles with each error in a row up to {@link MAX_BACKOFF_MS}. */
export const BASE_BACKOFF_MS = 5 * 60_000;
export const MAX_BACKOFF_MS = 60 * 60_000;

/**
 * One run of the Gmail poller (every 5 minutes): stops when the kill switch is on or unreadable
 * (fail closed), else polls every enabled tenant with a connected mailbox, a few at a time
 * (`pollConcurrency`). A tenant's failure never stops the others. Each run starts at a different
 * place in the tenant list (by the 5-minute slot), so when `shouldStop` cuts a run short it is not
 * always the same tenants that wait.
 */
export async function pollMailboxes(
  runtime: IngestRuntime,
  options: PollOptions = {},
): Promise<PollSummary> {
  const killSwitch = await runtime.killSwitch.read();
  if ('unreadable' in killSwitch || killSwitch.on) {
    const stopped = 'unreadable' in killSwitch ? 'kill_switch_unreadable' : 'kill_switch';
    runtime.logger.warn('Gmail polling stopped by the kill switch', { reason: stopped });
    return { stopped, tenants: 0, polled: 0, enqueued: 0, fullSyncs: 0, byStatus: {}, deferred: 0 };
  }

  const listed: string[] = [];
  for await (const tenantId of runtime.repos.tenants.allEnabled()) listed.push(tenantId);
  const slot = Math.floor(runtime.clock.now().getTime() / 300_000);
  const offset = listed.length === 0 ? 0 : slot % listed.length;
  const tenantIds = [...listed.slice(offset), ...listed.slice(0, offset)];

  const byStatus: Record<string, number> = {};
  let enqueued = 0;
  let fullSyncs = 0;
  let next = 0;
  let deferred = 0;
  const worker = async () => {
    while (next < tenantIds.length) {
      if (options.shouldStop?.()) {
        deferred = tenantIds.length - next;
        return;
      }
      const tenantId = tenantIds[next++]!;
      // The listing above is the one cross-tenant read; each tenant is polled with its own access.
      const outcome = await pollTenant(runtimeForTenant(runtime, tenantId), tenantId);
      byStatus[outcome.status] = (byStatus[outcome.status] ?? 0) + 1;
      if (outcome.status === 'polled') {
        enqueued += outcome.enqueued;
        if (outcome.fullSync) fullSyncs += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, runtime.settings.pollConcurrency) }, worker));
  runtime.metric('GmailMessagesEnqueued', enqueued);
  if (deferred > 0)
    runtime.logger.warn('Gmail poll cut short; tenants left for the next run', { deferred });
  return {
    tenants: tenantIds.length,
    polled: byStatus['polled'] ?? 0,
    enqueued,
    fullSyncs,
    byStatus,
    deferred,
  };
}

/**
 * Polls one tenant's mailbox: `history.list` from the stored cursor (a first run, or a cursor
 * Gmail no longer knows — HTTP 404 — falls back to a bounded full sync of the last
 * `fullSyncDays` via `messages.list`), enqueues the message ids, and only then moves the cursor.
 * A quota or rate error (429, 403 rateLimitExceeded …) backs the tenant off (5, 10, 20 … up to
 * 60 minutes, or Gmail's Retry-After), counts `GmailQuotaErrors` and leaves the cursor where it was,
 * so the next poll lists the same history again (ingest dedupes).
 */
export async function pollTenant(
  runtime: IngestRuntime,
  tenantId: string,
): Promise<TenantPollOutcome> {
  const { repos, clock } = runtime;
  const now = clock.now();
  const cursor = await repos.mailboxes.getCursor(tenantId);
  if (cursor?.backoffUntil && cursor.backoffUntil > now.toISOString()) {
    return { status: 'backing_off', until: cursor.backoffUntil };
  }

  let mailbox: GmailMailbox;
  try {
    ({ mailbox } = await runtime.connections.mailboxFor(tenantId));
  } catch (error) {
    if (error instanceof GmailNotConnectedError)
      return { status: 'not_connected', connection: error.status };
    return failed(runtime, tenantId, error);
  }

  try {
    let listing: Listing | undefined;
    if (cursor?.historyId) {
      try {
        listing = await listHistory(mailbox, cursor.historyId, runtime.settings.historyMaxPages);
      } catch (error) {
        if (!(error instanceof GmailApiError && error.kind === 'not_found')) throw error;
        runtime.logger.info('Gmail history cursor expired; running a full sync', {
          tenant_id: tenantId,
        });
      }
    }
    const fullSync = listing === undefined;
    if (!listing) listing = await fullSyncListing(runtime, mailbox, now);

    const enqueuedAt = now.toISOString();
    const source: IngestRequest['source'] = fullSync ? 'full_sync' : 'history';
    await runtime.ingestQueue.sendAll(
      listing.messages.map((message): IngestRequest => ({
        version: 1,
        tenantId,
        messageId: message.id,
        ...(message.threadId ? { threadId: message.threadId } : {}),
        source,
        enqueuedAt,
      })),
    );
    // Only now, with every id on the queue, may the cursor move. A quiet mailbox (same historyId,
    // nothing listed, no backoff to clear) costs no write.
    const unchanged =
      !fullSync &&
      listing.messages.length === 0 &&
      listing.historyId === cursor?.historyId &&
      !cursor.backoffUntil &&
      !cursor.lastError;
    if (!unchanged) {
      const moved = await repos.mailboxes.advanceCursor(tenantId, {
        from: cursor?.historyId,
        to: listing.historyId,
        fullSync,
      });
      if (!moved)
        runtime.logger.info('Gmail cursor moved by another poller', { tenant_id: tenantId });
    }
    if (fullSync) runtime.metric('GmailFullSyncs');
    runtime.logger.debug('Gmail mailbox polled', {
      tenant_id: tenantId,
      enqueued: listing.messages.length,
      full_sync: fullSync,
    });
    return {
      status: 'polled',
      enqueued: listing.messages.length,
      fullSync,
      historyId: listing.historyId,
    };
  } catch (error) {
    if (error instanceof GmailApiError && error.kind === 'quota') {
      runtime.metric(METRIC_NAMES.gmailQuotaErrors);
      const inARow = (cursor?.consecutiveQuotaErrors ?? 0) + 1;
      const backoffMs = Math.max(
        Math.min(BASE_BACKOFF_MS * 2 ** (inARow - 1), MAX_BACKOFF_MS),
        (error.retryAfterSeconds ?? 0) * 1_000,
      );
      const backoffUntil = new Date(now.getTime() + backoffMs);
      await repos.mailboxes.recordQuotaError(tenantId, backoffUntil, describeIngestFailure(error));
      runtime.logger.warn('Gmail quota or rate limit; backing off', {
        tenant_id: tenantId,
        status: error.status,
        reason: error.reason,
        backoff_until: backoffUntil.toISOString(),
      });
      return { status: 'quota_error', backoffUntil: backoffUntil.toISOString() };
    }
    if (error instanceof GmailApiError && error.kind === 'auth') {
      runtime.metric(METRIC_NAMES.gmailAuthErrors);
      await runtime.connections.recordAuthFailure(tenantId, error);
      runtime.logger.warn('Gmail refused the tenant grant', {
        tenant_id: tenantId,
        reason: error.reason,
        connection: error.connectionStatus,
      });
      return { status: 'auth_error', connection: error.connectionStatus ?? 'unknown' };
    }
    return failed(runtime, tenantId, error);
  }
}

interface Listing {
  readonly historyId: string;
  readonly messages: readonly { id: string; threadId?: string }[];
}

async function listHistory(
  mailbox: GmailMailbox,
  startHistoryId: string,
  maxPages: number,
): Promise<Listing> {
  const seen = new Map<string, { id: string; threadId?: string }>();
  let pageToken: string | undefined;
  let historyId = startHistoryId;
  for (let page = 0; page < maxPages; page += 1) {
    const result = await mailbox.listHistory({
      startHistoryId,
      ...(pageToken ? { pageToken } : {}),
    });
    for (const record of result.records)
      for (const message of record.messages)
        if (!seen.has(message.id)) seen.set(message.id, message);
    pageToken = result.nextPageToken;
    if (!pageToken) {
      historyId = result.historyId;
      break;
    }
    // More pages than this poll reads: resume from the last record listed.
    const last = result.records[result.records.length - 1];
    if (last?.id) historyId = last.id;
  }
  return { historyId, messages: [...seen.values()] };
}

async function fullSyncListing(
  runtime: IngestRuntime,
  mailbox: GmailMailbox,
  now: Date,
): Promise<Listing> {
  // The profile's historyId is taken first: anything arriving while we list is in the next history.
  const profile = await mailbox.getProfile();
  const after = Math.floor((now.getTime() - runtime.settings.fullSyncDays * 86_400_000) / 1_000);
  const seen = new Map<string, { id: string; threadId?: string }>();
  let pageToken: string | undefined;
  do {
    const remaining = runtime.settings.fullSyncMaxMessages - seen.size;
    const page = await mailbox.listMessages({
      query: `after:${after}`,
      maxResults: Math.min(500, remaining),
      ...(pageToken ? { pageToken } : {}),
    });
    for (const message of page.messages) {
      if (seen.size >= runtime.settings.fullSyncMaxMessages) break;
      if (!seen.has(message.id)) seen.set(message.id, message);
    }
    pageToken = page.nextPageToken;
  } while (pageToken && seen.size < runtime.settings.fullSyncMaxMessages);
  return { historyId: profile.historyId, messages: [...seen.values()] };
}

async function failed(
  runtime: IngestRuntime,
  tenantId: string,
  error: unknown,
): Promise<TenantPollOutcome> {
  const reason = describeIngestFailure(error);
  runtime.metric('GmailPollErrors');
  runtime.logger.error('Gmail poll failed', { tenant_id: tenantId, reason });
  await runtime.repos.mailboxes.recordPollError(tenantId, reason).catch(() => undefined);
  return { status: 'error', reason };
}
