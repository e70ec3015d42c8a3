import { randomUUID } from 'node:crypto';
import {
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { inject } from 'vitest';
import { KillSwitch } from '../../shared/adapters/parameters/kill-switch.js';
import { MemoryParameterStore } from '../../shared/adapters/parameters/parameter-store.js';
import type { EmailSender } from '../../shared/adapters/ses/email-sender.js';
import type { SendMode } from '../../shared/domain/send-mode.js';
import type { SendRequest } from '../../shared/domain/send-request.js';
import { actionTouchKey } from '../../shared/domain/touch.js';
import type { TenantSettingsInput } from '../../shared/domain/tenant.js';
import { SqsMessageQueue } from '../../shared/adapters/queue/message-queue.js';
import { OutcomeRepository } from '../../shared/storage/outcome-repository.js';
import { SendRecordRepository } from '../../shared/storage/send-record-repository.js';
import { SendingStateRepository } from '../../shared/storage/sending-state-repository.js';
import { RateCounterRepository } from '../../shared/storage/rate-counter-repository.js';
import { SuppressionRepository } from '../../shared/storage/suppression-repository.js';
import { AuditRepository } from '../../shared/storage/audit-repository.js';
import type { StoredOutcome } from '../../shared/domain/outcomes.js';
import type { Observability } from '../../shared/observability/observability.js';
import type { SigningKey } from '../../shared/sending/unsubscribe-token.js';
import { localSqsConfig } from '../../infra/local/local-stack.js';
import { ensureQueues, type QueueUrls } from '../../infra/local/queues.js';
import { LOCAL_KILL_SWITCH_PARAMETER, MetricTally } from '../../infra/local/local-runtime.js';
import { createLocalSender, type LocalSender } from '../../infra/local/local-sender.js';
import { startLocalSes, type LocalSes, type StoredEmail } from '../../infra/local/ses-emulator.js';
import { seededRandom } from '../../shared/ids.js';
import { createTestTable, type TestTable } from './local-table.js';

/** The sender on the shared embedded stack: own table and queues, an SES emulator, a virtual clock. */
export interface SendingHarness {
  readonly table: TestTable;
  readonly sqs: SQSClient;
  readonly queues: QueueUrls;
  readonly ses: LocalSes;
  readonly parameters: MemoryParameterStore;
  readonly metrics: MetricTally;
  readonly sender: LocalSender;
  readonly repos: {
    readonly records: SendRecordRepository;
    readonly rates: RateCounterRepository;
    readonly states: SendingStateRepository;
    readonly outcomes: OutcomeRepository;
    readonly suppressions: SuppressionRepository;
    readonly audits: AuditRepository;
  };
  /** Creates a tenant (enabled, production caps from `settings`, window off unless given). */
  seedTenant(tenantId: string, settings?: Partial<TenantSettingsInput>): Promise<void>;
  /** A send request for `cardId` to `to`, due now. */
  request(tenantId: string, cardId: string, to: string, extra?: Partial<SendRequest>): SendRequest;
  /** Enqueues requests on the send queue (as Act does). */
  enqueue(...requests: unknown[]): Promise<void>;
  setKillSwitch(on: boolean): Promise<void>;
  /** Emails the SES emulator received since this harness started. */
  received(): Promise<StoredEmail[]>;
  outcomes(tenantId: string): Promise<StoredOutcome[]>;
  /** Messages in the dead-letter queue (received with their attributes, left invisible). */
  deadLetters(): Promise<
    { body: string; attributes: Record<string, string>; receiveCount: number }[]
  >;
  dispose(): Promise<void>;
}

/** Options of {@link createSendingHarness}. */
export interface SendingHarnessOptions {
  readonly start?: string;
  readonly sendMode?: SendMode;
  readonly emailSender?: (ses: LocalSes) => EmailSender;
  /** Wraps the sender after SES accepted the message (a lost response still yields SES events). */
  readonly afterAcceptance?: (sender: EmailSender) => EmailSender;
  readonly emailSendDisabled?: () => boolean;
  readonly internalAllowList?: { domains: string[]; addresses: string[] };
  readonly claimTtlMs?: number;
  readonly observability?: Observability;
  readonly signingKey?: SigningKey;
  /** SES identities the sender may send from; unchecked when absent. */
  readonly sendingIdentities?: readonly string[];
}

/**
 * Starts a sending harness: a fresh table on the shared dynalite, a fresh send queue and DLQ on the
 * shared fauxqs, an SES emulator for this file (its store cleared), the kill switch off.
 */
export async function createSendingHarness(
  options: SendingHarnessOptions = {},
): Promise<SendingHarness> {
  const { endpoints, region } = inject('localStack');
  const table = await createTestTable(options.start ?? '2026-01-05T15:00:00.000Z');
  const sqs = new SQSClient(localSqsConfig(endpoints.sqs, region));
  const queues = (await ensureQueues(sqs, `send-${randomUUID().slice(0, 8)}`)).send;
  const ses = await startLocalSes(region);
  await ses.clear();
  const parameters = new MemoryParameterStore();
  const killSwitch = new KillSwitch(parameters, LOCAL_KILL_SWITCH_PARAMETER);
  await killSwitch.set(false, { now: table.clock.now() });
  const metrics = new MetricTally();
  const sender = createLocalSender({
    doc: table.doc,
    tableName: table.tableName,
    sqs,
    queueUrl: queues.url,
    deadLetterQueueUrl: queues.dlqUrl,
    ses: ses.client,
    clock: table.clock,
    parameters,
    sendMode: options.sendMode ?? 'production',
    random: seededRandom(11),
    metric: metrics.sink,
    ...(options.emailSender ? { emailSender: options.emailSender(ses) } : {}),
    ...(options.afterAcceptance ? { afterAcceptance: options.afterAcceptance } : {}),
    ...(options.emailSendDisabled ? { emailSendDisabled: options.emailSendDisabled } : {}),
    ...(options.internalAllowList ? { internalAllowList: options.internalAllowList } : {}),
    ...(options.claimTtlMs ? { claimTtlMs: options.claimTtlMs } : {}),
    ...(options.observability ? { observability: options.observability } : {}),
    ...(options.signingKey ? { signingKey: options.signingKey } : {}),
    ...(options.sendingIdentities ? { sendingIdentities: options.sendingIdentities } : {}),
  });
  const queue = new SqsMessageQueue(sqs, queues.url);
  const repos = {
    records: new SendRecordRepository(table),
    rates: new RateCounterRepository(table),
    states: new SendingStateRepository(table),
    outcomes: new OutcomeRepository(table),
    suppressions: new SuppressionRepository(table),
    audits: new AuditRepository(table),
  };
  return {
    table,
    sqs,
    queues,
    ses,
    parameters,
    metrics,
    sender,
    repos,
    async seedTenant(tenantId, settings = {}) {
      await table.repos.tenants.put(tenantId, {
        name: `Tenant ${tenantId}`,
        agentEnabled: true,
        timeZone: 'UTC',
        ...settings,
        sending: {
          window: { enabled: false },
          ...settings.sending,
        },
      });
    },
    request(tenantId, cardId, to, extra = {}) {
      const now = table.clock.now().toISOString();
      return {
        version: 1,
        tenantId,
        idempotencyKey: actionTouchKey(tenantId, 'send_email', cardId),
        to,
        template: 'check_in',
        cardId,
        runId: 'run-test',
        dueAt: now,
        enqueuedAt: now,
        ...extra,
      };
    },
    async enqueue(...requests) {
      for (const request of requests) {
        if (typeof request === 'string') {
          await sqs.send(new SendMessageCommand({ QueueUrl: queues.url, MessageBody: request }));
        } else await queue.send(request);
      }
    },
    async setKillSwitch(on) {
      await killSwitch.set(on, { now: table.clock.now(), reason: 'test' });
    },
    received: () => ses.emails(),
    outcomes: (tenantId) =>
      repos.outcomes.listBetween(
        tenantId,
        new Date('2000-01-01T00:00:00Z'),
        new Date('2100-01-01T00:00:00Z'),
      ),
    async deadLetters() {
      const result = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queues.dlqUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          VisibilityTimeout: 600,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
      );
      return (result.Messages ?? []).map((message) => ({
        body: message.Body ?? '',
        attributes: Object.fromEntries(
          Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
            name,
            value.StringValue ?? '',
          ]),
        ),
        receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
      }));
    },
    async dispose() {
      await Promise.allSettled([
        sqs.send(new PurgeQueueCommand({ QueueUrl: queues.url })),
        sqs.send(new PurgeQueueCommand({ QueueUrl: queues.dlqUrl })),
      ]);
      sqs.destroy();
      await ses.stop();
      await table.dispose();
    },
  };
}
