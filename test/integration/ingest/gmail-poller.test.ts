import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IngestRequest } from '../../../shared/domain/ingest/ingest-request.js';
import { BASE_BACKOFF_MS, pollMailboxes } from '../../../shared/ingest/poll-mailboxes.js';
import {
  createIngestHarness,
  testRefreshToken,
  type IngestHarness,
} from '../../helpers/ingest-harness.js';
import { buildMessage } from '../../helpers/mail-builder.js';

const TENANT = 'summit';

function message(subject: string, minutesAfter: number, base = '2026-01-05T07:00:00Z') {
  return {
    receivedAt: new Date(Date.parse(base) + minutesAfter * 60_000).toISOString(),
    raw: buildMessage({
      from: `Grace Kim <grace.kim@aspenhf.example>`,
      to: 'team@summit.example',
      subject,
      body: `About ${subject}.`,
    }),
  };
}

/** The requests on the ingest queue, left visible for the next drain. */
async function queuedRequests(harness: IngestHarness): Promise<IngestRequest[]> {
  const batch = await harness.stack.clients.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: harness.stack.queues.ingest.url,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      VisibilityTimeout: 0,
    }),
  );
  return (batch.Messages ?? []).map((m) => JSON.parse(m.Body ?? '{}') as IngestRequest);
}

describe('Function: gmail-poller (embedded stack, local Gmail, production Gmail client)', () => {
  let harness: IngestHarness;
  let address: string;

  beforeEach(async () => {
    harness = await createIngestHarness({ settings: { fullSyncMaxMessages: 3, fullSyncDays: 7 } });
    ({ address } = await harness.connectTenant(TENANT, [
      message('one', 0),
      message('two', 1),
      message('three', 2),
      message('four', 3),
      message('too old', 0, '2025-12-20T07:00:00Z'),
      message('later', 90),
    ]));
  });

  afterEach(async () => {
    await harness.dispose();
  });

  it('runs a bounded full sync of recent mail on the first poll, then lists only new history', async () => {
    // Act: first poll at 08:00 sees four recent messages (one more is too old for the window).
    const first = await harness.poll();
    const firstQueued = await queuedRequests(harness);

    // Assess: bounded to the newest three, cursor stored.
    expect(first).toMatchObject({ polled: 1, enqueued: 3, fullSyncs: 1 });
    expect(firstQueued.map((r) => r.source)).toEqual(['full_sync', 'full_sync', 'full_sync']);
    const cursor = await harness.runtime.repos.mailboxes.getCursor(TENANT);
    expect(cursor).toMatchObject({ historyId: '1005' });
    await harness.drain();

    // Act: 08:35 a new message has arrived; the next poll uses history.
    harness.clock.set('2026-01-05T08:35:00Z');
    const second = await harness.poll();

    // Assess
    expect(second).toMatchObject({ polled: 1, enqueued: 1, fullSyncs: 0 });
    expect((await harness.runtime.repos.mailboxes.getCursor(TENANT))?.historyId).toBe('1006');
    const requests = harness.gmail.requests.map((r) => r.endpoint);
    expect(requests.filter((e) => e === 'history')).toHaveLength(1);
  });

  it('answers an expired cursor (404) with a full sync that ingests nothing twice', async () => {
    // Prepare: everything so far is ingested, then Gmail forgets the history and new mail arrives.
    await harness.poll();
    await harness.drain();
    harness.clock.set('2026-01-05T08:35:00Z');
    harness.gmail.expireHistory(address);
    harness.clock.set('2026-01-05T08:40:00Z');
    harness.gmail.deliver(address, message('after expiry', 99));
    const before = await harness.runtime.repos.messages.list(TENANT);

    // Act
    const poll = await harness.poll();
    await harness.drain();

    // Assess: the full sync re-lists the newest three ('four' was ingested already); only the two
    // unseen messages are processed, the re-listed one is a counted duplicate.
    expect(poll).toMatchObject({ fullSyncs: 1, enqueued: 3 });
    const after = await harness.runtime.repos.messages.list(TENANT);
    expect(before).toHaveLength(3);
    expect(after).toHaveLength(3 + 2);
    expect(after.filter((r) => r.status === 'done')).toHaveLength(5);
    expect(after.reduce((sum, r) => sum + (r.duplicates ?? 0), 0)).toBe(1);
    const outcomes = await harness.runtime.repos.outcomes.listBetween(
      TENANT,
      new Date(0),
      harness.clock.now(),
    );
    const inbound = outcomes
      .filter((o) => o.kind === 'inbound_message')
      .map((o) => (o as { messageId: string }).messageId);
    expect(new Set(inbound).size).toBe(inbound.length);
    expect(harness.gmail.requests.some((r) => r.endpoint === 'history' && r.status === 404)).toBe(
      true,
    );
  });

  it.each([
    { case: '429 Too Many Requests', status: 429, reason: 'rateLimitExceeded' },
    { case: '403 rateLimitExceeded', status: 403, reason: 'rateLimitExceeded' },
    { case: '403 userRateLimitExceeded', status: 403, reason: 'userRateLimitExceeded' },
  ])(
    'backs off on $case, counts GmailQuotaErrors and never moves the cursor',
    async ({ status, reason }) => {
      // Prepare: a stored cursor, then mail arrives and Gmail answers with a quota error.
      await harness.poll();
      await harness.drain();
      const cursor = await harness.runtime.repos.mailboxes.getCursor(TENANT);
      harness.clock.set('2026-01-05T08:35:00Z');
      harness.gmail.injectFault({ endpoint: 'history', status, reason });

      // Act
      const failed = await harness.poll();
      const whileBackingOff = await harness.poll();

      // Assess: backed off for 5 minutes, cursor untouched, nothing enqueued, the skipped poll made no Gmail call.
      expect(failed).toMatchObject({ enqueued: 0, byStatus: { quota_error: 1 } });
      expect(whileBackingOff).toMatchObject({ byStatus: { backing_off: 1 } });
      const afterError = await harness.runtime.repos.mailboxes.getCursor(TENANT);
      expect(afterError).toMatchObject({
        historyId: cursor?.historyId,
        consecutiveQuotaErrors: 1,
        backoffUntil: new Date(harness.clock.now().getTime() + BASE_BACKOFF_MS).toISOString(),
      });
      expect(harness.metrics.counts.get('GmailQuotaErrors')).toBe(1);
      expect(harness.gmail.requests.filter((r) => r.endpoint === 'history')).toHaveLength(1);

      // Act: a second error in a row doubles the backoff; then Gmail recovers.
      harness.clock.set('2026-01-05T08:40:00Z');
      harness.gmail.injectFault({ endpoint: 'history', status, reason });
      await harness.poll();
      const doubled = await harness.runtime.repos.mailboxes.getCursor(TENANT);
      harness.clock.set('2026-01-05T08:50:00Z');
      const recovered = await harness.poll();

      // Assess
      expect(doubled?.backoffUntil).toBe(
        new Date(Date.parse('2026-01-05T08:40:00Z') + 2 * BASE_BACKOFF_MS).toISOString(),
      );
      expect(doubled?.historyId).toBe(cursor?.historyId);
      expect(recovered).toMatchObject({ polled: 1, enqueued: 1 });
      expect(await harness.runtime.repos.mailboxes.getCursor(TENANT)).toMatchObject({
        historyId: '1006',
        consecutiveQuotaErrors: 0,
      });
      expect(await harness.runtime.repos.mailboxes.getCursor(TENANT)).not.toHaveProperty(
        'backoffUntil',
      );
    },
  );

  it('honours a Retry-After longer than the backoff', async () => {
    await harness.poll();
    harness.gmail.injectFault({
      endpoint: 'history',
      status: 429,
      reason: 'rateLimitExceeded',
      retryAfterSeconds: 1_800,
    });

    await harness.poll();

    expect((await harness.runtime.repos.mailboxes.getCursor(TENANT))?.backoffUntil).toBe(
      new Date(harness.clock.now().getTime() + 1_800_000).toISOString(),
    );
  });

  it('stops starting tenants when the function runs out of time and reports them deferred', async () => {
    await harness.connectTenant('other', [message('hello', 0)]);
    let budget = 1;

    const summary = await pollMailboxes(harness.runtime, { shouldStop: () => budget-- <= 0 });

    expect(summary).toMatchObject({ tenants: 2, polled: 1, deferred: 1 });
  });

  it('does not poll while the kill switch is on', async () => {
    await harness.setKillSwitch(true);

    const summary = await harness.poll();

    expect(summary).toMatchObject({ stopped: 'kill_switch', polled: 0 });
    expect(harness.gmail.requests).toEqual([]);
  });

  it('records a revoked grant as the connection status, skips the tenant afterwards and logs no token', async () => {
    // Prepare
    await harness.poll();
    harness.gmail.revokeRefreshToken(testRefreshToken(TENANT));
    harness.clock.set('2026-01-05T08:35:00Z');

    // Act
    const refused = await harness.poll();
    const next = await harness.poll();

    // Assess
    expect(refused).toMatchObject({ byStatus: { auth_error: 1 } });
    expect(next).toMatchObject({ byStatus: { not_connected: 1 } });
    expect(await harness.runtime.connections.connectionStatus(TENANT)).toBe('token_expired');
    expect(harness.metrics.counts.get('GmailAuthErrors')).toBe(1);
    const logs = harness.logLines.join('\n');
    expect(logs).toContain('Gmail refused the tenant grant');
    for (const secret of [testRefreshToken(TENANT), 'local-client-secret', 'ya29.'])
      expect(logs).not.toContain(secret);
  });

  it('reports not_configured for a tenant without a connection and connected for a working one', async () => {
    await harness.runtime.repos.tenants.put('lonely', { name: 'Lonely', agentEnabled: true });

    const summary = await harness.poll();

    expect(summary.byStatus).toMatchObject({ not_connected: 1, polled: 1 });
    expect(await harness.runtime.connections.connectionStatus('lonely')).toBe('not_configured');
    expect(await harness.runtime.connections.connectionStatus(TENANT, { probe: true })).toBe(
      'connected',
    );
  });
});
