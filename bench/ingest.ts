import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { VirtualClock } from '../shared/clock.js';
import { KillSwitch } from '../shared/adapters/parameters/kill-switch.js';
import { MemoryParameterStore } from '../shared/adapters/parameters/parameter-store.js';
import { pollMailboxes } from '../shared/ingest/poll-mailboxes.js';
import { startLocalStack } from '../infra/local/local-stack.js';
import { LOCAL_KILL_SWITCH_PARAMETER } from '../infra/local/local-runtime.js';
import { LocalGmailServer } from '../infra/local/gmail-server.js';
import {
  drainIngestQueue,
  LOCAL_GMAIL_CLIENT,
  localIngestHandler,
  localIngestRuntime,
} from '../infra/local/local-ingest.js';
import { largeAttachmentMessage } from '../test/helpers/mail-corpus.js';
import { countRequests, printOrigins } from './request-counter.js';

/** Figures of one ingest benchmark run. */
export interface IngestBenchResult {
  readonly messages: number;
  readonly pollMs: number;
  readonly ingestSeconds: number;
  /** Messages ingested per second (poll excluded): claim, fetch, parse, classify, record. */
  readonly messagesPerSecond: number;
  /** DynamoDB requests the ingest handler made per message (the poll's few excluded). */
  readonly dynamodbRequestsPerMessage: number;
  readonly dynamodbRequestsByCommand: Readonly<Record<string, number>>;
  /** DynamoDB requests of the one poll (tenant index, cursor, connection). */
  readonly pollDynamodbRequests: number;
  /** Requests per re-delivered (duplicate) message: the claim and the duplicate count. */
  readonly dynamodbRequestsPerDuplicate: number;
  /**
   * One message with a 25 MiB attachment (Gmail's limit) through poll and ingest: raw size, time,
   * and the process's peak RSS above its level before (the in-process local Gmail server's copy
   * and JSON response included, so an upper bound for the Lambda's share; it has 512 MB / 30 s).
   */
  readonly large: {
    readonly rawBytes: number;
    readonly ingestMs: number;
    readonly peakRssDeltaMb: number;
  };
}

const CORPUS = 'test/fixtures/mail';

/**
 * Ingests `messages` corpus messages (cycled; the malformed one left out) of one tenant on the
 * embedded stack through the real poller, the production Gmail client against the local Gmail
 * server and the real ingest handler, then delivers every id once more to measure duplicates.
 * Measures throughput and DynamoDB requests per message; asserts nothing.
 */
export async function benchIngest(options: { messages?: number } = {}): Promise<IngestBenchResult> {
  const count = options.messages ?? 200;
  const files = (await readdir(CORPUS))
    .filter((file) => file.endsWith('.eml') && !file.startsWith('malformed'))
    .sort();
  const raws = await Promise.all(files.map((file) => readFile(join(CORPUS, file))));
  const stack = await startLocalStack({ queuePrefix: 'bench-ingest' });
  const clock = new VirtualClock('2026-01-05T12:00:00.000Z');
  const gmail = await LocalGmailServer.start({ clock, ...LOCAL_GMAIL_CLIENT });
  const counter = countRequests(stack.clients.doc, {
    byOrigin: process.env['BENCH_DDB_ORIGINS'] === '1',
  });
  const requests = counter.byCommand;
  const total = () => counter.total();
  try {
    const parameters = new MemoryParameterStore();
    await new KillSwitch(parameters, LOCAL_KILL_SWITCH_PARAMETER).set(false, { now: clock.now() });
    const runtime = localIngestRuntime({
      stack,
      clock,
      parameters,
      gmail: { rootUrl: gmail.rootUrl, tokenUrl: gmail.tokenUrl },
      settings: { fullSyncMaxMessages: count },
    });
    const handler = localIngestHandler(runtime);
    await runtime.repos.tenants.put('bench', {
      name: 'Bench',
      agentEnabled: true,
      internalDomains: ['northwind-appraisals.example'],
    });
    const address = 'team@northwind-appraisals.example';
    gmail.addMailbox(
      address,
      Array.from({ length: count }, (_, index) => ({
        receivedAt: new Date(clock.now().getTime() - (count - index) * 1_000).toISOString(),
        raw: raws[index % raws.length]!,
      })),
      { refreshToken: 'bench-refresh' },
    );
    await runtime.connections.connect('bench', {
      refreshToken: 'bench-refresh',
      emailAddress: address,
    });

    counter.clear();
    const pollStarted = performance.now();
    await pollMailboxes(runtime);
    const pollMs = performance.now() - pollStarted;
    const pollDynamodbRequests = total();

    counter.clear();
    const started = performance.now();
    const drained = await drainIngestQueue(stack, handler);
    const seconds = (performance.now() - started) / 1_000;
    const byCommand = Object.fromEntries(
      [...requests.entries()].sort(([a], [b]) => a.localeCompare(b)),
    );
    const ingestRequests = total();
    printOrigins(counter, Math.max(1, drained.succeeded), 'message');

    // Every id again (a re-listing): each is a counted no-op.
    counter.clear();
    await runtime.ingestQueue.sendAll(
      gmail.visibleMessageIds(address).map((messageId) => ({
        version: 1,
        tenantId: 'bench',
        messageId,
        source: 'history',
        enqueuedAt: clock.now().toISOString(),
      })),
    );
    await drainIngestQueue(stack, handler);
    const duplicateRequests = total();

    const large = largeAttachmentMessage(25 * 1024 * 1024);
    gmail.deliver(address, { receivedAt: clock.now().toISOString(), raw: large });
    globalThis.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 10);
    const largeStarted = performance.now();
    await pollMailboxes(runtime);
    await drainIngestQueue(stack, handler);
    const largeMs = performance.now() - largeStarted;
    clearInterval(sampler);
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);

    return {
      messages: drained.succeeded,
      pollMs: Math.round(pollMs),
      ingestSeconds: Math.round(seconds * 100) / 100,
      messagesPerSecond: Math.round((drained.succeeded / seconds) * 10) / 10,
      dynamodbRequestsPerMessage:
        Math.round((ingestRequests / Math.max(1, drained.succeeded)) * 100) / 100,
      dynamodbRequestsByCommand: byCommand,
      pollDynamodbRequests,
      dynamodbRequestsPerDuplicate:
        Math.round((duplicateRequests / Math.max(1, count)) * 100) / 100,
      large: {
        rawBytes: large.length,
        ingestMs: Math.round(largeMs),
        peakRssDeltaMb: Math.round((rssPeak - rssBefore) / 1024 / 1024),
      },
    };
  } finally {
    await gmail.stop();
    await stack.stop();
  }
}
