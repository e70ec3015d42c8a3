import { performance } from 'node:perf_hooks';
import { VirtualClock } from '../shared/clock.js';
import { seededRandom } from '../shared/ids.js';
import { KillSwitch } from '../shared/adapters/parameters/kill-switch.js';
import { MemoryParameterStore } from '../shared/adapters/parameters/parameter-store.js';
import { SqsMessageQueue } from '../shared/adapters/queue/message-queue.js';
import type { SendRequest } from '../shared/domain/send-request.js';
import { actionTouchKey } from '../shared/domain/touch.js';
import { TenantRepository } from '../shared/storage/tenant-repository.js';
import { startLocalStack } from '../infra/local/local-stack.js';
import { LOCAL_KILL_SWITCH_PARAMETER, MetricTally } from '../infra/local/local-runtime.js';
import { createLocalSender } from '../infra/local/local-sender.js';
import { startLocalSes } from '../infra/local/ses-emulator.js';
import { simulateTouches } from '../test/helpers/touch-fixtures.js';
import { countRequests, printOrigins } from './request-counter.js';

/** The send path under a schedule of faults (DESIGN.md section 5: one email per due touch). */
export interface TouchFaultFigures {
  readonly days: number;
  readonly contacts: number;
  /** Touches that fell due and were queued in the window (a contact mailed early is due again). */
  readonly touchesDue: number;
  /** Messages the SES emulator accepted. */
  readonly delivered: number;
  /** Accepted messages beyond the first for the same touch. */
  readonly duplicates: number;
  readonly duplicatesPer1000Touches: number;
  /** Sends whose SES answer was lost, settled from the event stream. */
  readonly inDoubtReconciled: number;
  /** Sends no event settled: counted as touches, never re-sent. */
  readonly unknown: number;
  /** Touches neither delivered nor unknown at the end (lost). */
  readonly lost: number;
  readonly faults: { lostResponses: number; crashes: number; refused: number; redriven: number };
}

/** Figures of one sending benchmark run. */
export interface SendingBenchResult {
  readonly tenants: number;
  readonly messages: number;
  /** Emails the SES emulator received. */
  readonly sent: number;
  readonly deferred: number;
  /** Messages decided per second, end to end (SQS receive → gate → DynamoDB → SES → delete). */
  readonly messagesPerSecond: number;
  readonly sendsPerSecond: number;
  /** DynamoDB requests per email sent, and per message decided (sends and deferrals). */
  readonly dynamodbRequestsPerSend: number;
  readonly dynamodbRequestsPerMessage: number;
  readonly dynamodbRequestsByCommand: Readonly<Record<string, number>>;
  readonly duplicatesPer1000Touches: number;
  readonly underFaults: TouchFaultFigures;
}

/**
 * Drives `messages` send requests for `tenants` tenants (production mode, caps high enough that
 * `sendFraction` of them are sent and the rest deferred by the hourly cap) through the real sender
 * handler on the embedded stack (dynalite, fauxqs, aws-ses-v2-local) at one virtual instant, and
 * measures throughput and DynamoDB requests. Measures; asserts nothing.
 *
 * @example
 * const figures = await benchSending({ tenants: 5, messages: 500 });
 */
export async function benchSending(
  options: { tenants?: number; messages?: number; sendFraction?: number } = {},
): Promise<SendingBenchResult> {
  const tenants = options.tenants ?? 5;
  const messages = options.messages ?? 500;
  const perTenant = Math.ceil(messages / tenants);
  const perHour = Math.max(1, Math.floor(perTenant * (options.sendFraction ?? 0.8)));
  const stack = await startLocalStack({ queuePrefix: 'bench-send' });
  const ses = await startLocalSes(stack.region);
  try {
    const clock = new VirtualClock('2026-03-02T15:00:00.000Z');
    const parameters = new MemoryParameterStore();
    await new KillSwitch(parameters, LOCAL_KILL_SWITCH_PARAMETER).set(false, { now: clock.now() });
    const table = { doc: stack.clients.doc, tableName: stack.tableName, clock };
    const tenantRepository = new TenantRepository(table);
    for (let t = 0; t < tenants; t += 1) {
      await tenantRepository.put(`bench-${t}`, {
        name: `Bench ${t}`,
        agentEnabled: true,
        sending: {
          caps: {
            perHour,
            perDay: 10_000,
            perMonth: 100_000,
            perDomainPerHour: 10_000,
            minDelaySeconds: 0,
          },
          window: { enabled: false },
        },
      });
    }
    const queue = new SqsMessageQueue(stack.clients.sqs, stack.queues.send.url);
    const now = clock.now().toISOString();
    for (let i = 0; i < messages; i += 1) {
      const tenantId = `bench-${i % tenants}`;
      const request: SendRequest = {
        version: 1,
        tenantId,
        idempotencyKey: actionTouchKey(tenantId, 'send_email', `card-${i}`),
        to: `person${i}@company${i % 50}.example`,
        template: 'check_in',
        cardId: `card-${i}`,
        runId: 'bench',
        dueAt: now,
        enqueuedAt: now,
      };
      await queue.send(request);
    }
    const metrics = new MetricTally();
    const sender = createLocalSender({
      doc: stack.clients.doc,
      tableName: stack.tableName,
      sqs: stack.clients.sqs,
      queueUrl: stack.queues.send.url,
      deadLetterQueueUrl: stack.queues.send.dlqUrl,
      ses: ses.client,
      clock,
      parameters,
      sendMode: 'production',
      random: seededRandom(3),
      metric: metrics.sink,
    });
    const counter = countRequests(stack.clients.doc, {
      byOrigin: process.env['BENCH_DDB_ORIGINS'] === '1',
    });

    const started = performance.now();
    const counts = await sender.drain.drainVisible();
    const seconds = (performance.now() - started) / 1_000;

    const sent = (await ses.emails()).length;
    const deferred = metrics.counts.get('EmailSends{outcome=deferred}') ?? 0;
    const total = counter.total();
    printOrigins(counter, sent, 'send');
    const underFaults = await benchTouchesUnderFaults();
    const round = (value: number) => Math.round(value * 100) / 100;
    return {
      tenants,
      messages: counts.delivered,
      sent,
      deferred,
      messagesPerSecond: round(counts.delivered / seconds),
      sendsPerSecond: round(sent / seconds),
      dynamodbRequestsPerSend: round(sent > 0 ? total / sent : 0),
      dynamodbRequestsPerMessage: round(counts.delivered > 0 ? total / counts.delivered : 0),
      dynamodbRequestsByCommand: Object.fromEntries([...counter.byCommand.entries()].sort()),
      duplicatesPer1000Touches: underFaults.duplicatesPer1000Touches,
      underFaults,
    };
  } finally {
    await ses.stop();
    await stack.stop();
  }
}

/**
 * `BENCH_FAULT_CONTACTS` contacts (default 200) fall due over `BENCH_FAULT_DAYS` days (default 30)
 * of a production simulation while SES is down for 6 hours, 5 % of SES calls lose their answer
 * after SES accepted the message, 3 % of the sender's writes are followed by a crash, an hour of
 * crashes sends messages to the DLQ, and the DLQ is redriven two days later. Counts, at the SES
 * emulator, how many messages each touch produced.
 */
async function benchTouchesUnderFaults(): Promise<TouchFaultFigures> {
  const days = Number(process.env['BENCH_FAULT_DAYS'] ?? 30);
  const contacts = Number(process.env['BENCH_FAULT_CONTACTS'] ?? 200);
  const start = Date.parse('2026-01-05T14:00:00Z');
  const spreadMs = (days - 3) * 86_400_000;
  const due = Array.from(
    { length: contacts },
    (_, i) => new Date(start + 3_600_000 + Math.floor((i * spreadMs) / contacts)),
  );
  const { report, acceptedKeys, faults, redriven } = await simulateTouches(
    [{ id: 'faults', dueAt: due }],
    { start: new Date(start).toISOString(), hours: days * 24 },
    () => ({
      seed: 29,
      lostResponseRate: 0.05,
      crashAfterWriteRate: 0.03,
      outage: { from: new Date(start + 25 * 3_600_000), until: new Date(start + 31 * 3_600_000) },
      crashStorm: {
        from: new Date(start + 50 * 3_600_000),
        until: new Date(start + 51 * 3_600_000),
      },
    }),
    new Date(start + 98 * 3_600_000),
  );
  // Per touch, not per recipient: over 30 days a contact mailed early falls due again (21 days).
  const perTouch = new Map<string, number>();
  for (const key of acceptedKeys) perTouch.set(key, (perTouch.get(key) ?? 0) + 1);
  const duplicates = [...perTouch.values()].reduce((a, b) => a + Math.max(0, b - 1), 0);
  const tenant = report.tenants[0];
  const unknown = tenant?.sending.unknown ?? 0;
  // Every touch that fell due was queued under its key: its send record is the touch.
  const touchesDue = tenant?.sending.touches ?? perTouch.size + unknown;
  return {
    days,
    contacts,
    touchesDue,
    delivered: acceptedKeys.length,
    duplicates,
    duplicatesPer1000Touches:
      Math.round((duplicates / Math.max(1, touchesDue)) * 1_000 * 100) / 100,
    inDoubtReconciled: tenant?.sending.inDoubtSettled ?? 0,
    unknown,
    lost: touchesDue - perTouch.size - unknown,
    faults: { ...(faults?.counts ?? { lostResponses: 0, crashes: 0, refused: 0 }), redriven },
  };
}
