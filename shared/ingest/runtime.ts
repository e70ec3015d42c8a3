import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../clock.js';
import type { KillSwitchState } from '../domain/gates.js';
import type { BatchQueue } from '../adapters/queue/batch-queue.js';
import type { MetricSink } from '../cycle/runtime.js';
import { TenantRepository } from '../storage/tenant-repository.js';
import { OutcomeRepository } from '../storage/outcome-repository.js';
import { SuppressionRepository } from '../storage/suppression-repository.js';
import { OrderRepository } from '../storage/order-repository.js';
import { BidRepository, DealRepository } from '../storage/pipeline-repository.js';
import { GmailMessageRepository } from '../storage/gmail-message-repository.js';
import { GmailMailboxRepository } from '../storage/gmail-mailbox-repository.js';
import { ReplyMarkerRepository } from '../storage/reply-marker-repository.js';
import { ContactDirectory } from '../storage/contact-directory.js';
import { SentMailRepository } from '../storage/sent-mail-repository.js';
import type { GmailConnections } from './gmail-connections.js';

/** The repositories ingest and the poller use. */
export interface IngestRepositories {
  readonly tenants: TenantRepository;
  readonly outcomes: OutcomeRepository;
  readonly suppressions: SuppressionRepository;
  readonly orders: OrderRepository;
  readonly deals: DealRepository;
  readonly bids: BidRepository;
  readonly messages: GmailMessageRepository;
  readonly mailboxes: GmailMailboxRepository;
  readonly replies: ReplyMarkerRepository;
  readonly contacts: ContactDirectory;
  /** Read-only: which addresses we sent to (inbound trust for delivery reports). */
  readonly sentMail: SentMailRepository;
}

/** Builds the ingest repositories over one table. */
export function createIngestRepositories(ctx: {
  doc: DynamoDBDocumentClient;
  tableName: string;
  clock: Clock;
}): IngestRepositories {
  return {
    tenants: new TenantRepository(ctx),
    outcomes: new OutcomeRepository(ctx),
    suppressions: new SuppressionRepository(ctx),
    orders: new OrderRepository(ctx),
    deals: new DealRepository(ctx),
    bids: new BidRepository(ctx),
    messages: new GmailMessageRepository(ctx),
    mailboxes: new GmailMailboxRepository(ctx),
    replies: new ReplyMarkerRepository(ctx),
    contacts: new ContactDirectory(ctx),
    sentMail: new SentMailRepository(ctx),
  };
}

/** Tunables of polling and ingest (see `loadIngestConfig`). */
export interface IngestSettings {
  readonly leaseMs: number;
  readonly fullSyncDays: number;
  readonly fullSyncMaxMessages: number;
  readonly historyMaxPages: number;
  readonly pollConcurrency: number;
  /**
   * Memory the messages being fetched and parsed at once may take, in bytes: records of a batch
   * wait for room instead of all running at once (`INGEST_MEMORY_BUDGET_MB`).
   */
  readonly memoryBudgetBytes: number;
}

/** Defaults of {@link IngestSettings}. */
export const DEFAULT_INGEST_SETTINGS: IngestSettings = {
  leaseMs: 120_000,
  fullSyncDays: 7,
  fullSyncMaxMessages: 500,
  historyMaxPages: 20,
  pollConcurrency: 4,
  memoryBudgetBytes: 192 * 1024 * 1024,
};

/** The logger calls ingest makes (Powertools Logger in Lambda). */
export type IngestLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

/**
 * The ports the Gmail poller and the ingest function work through. Lambdas build one from the
 * environment at cold start; the simulator and tests build one over the embedded stack.
 */
export interface IngestRuntime {
  readonly clock: Clock;
  readonly repos: IngestRepositories;
  readonly connections: GmailConnections;
  /** Where the poller puts message ids (the ingest queue). */
  readonly ingestQueue: BatchQueue;
  readonly killSwitch: { read(): Promise<KillSwitchState | { readonly unreadable: string }> };
  readonly metric: MetricSink;
  readonly logger: IngestLogger;
  readonly settings: IngestSettings;
  /**
   * The runtime of one tenant: table and Secrets Manager clients signed with the tenant-scoped
   * role (cached per tenant per container). Absent on the embedded stack, where every tenant uses
   * this runtime; present where `TENANT_DATA_ROLE_ARN` is set.
   */
  readonly forTenant?: (tenantId: string) => IngestRuntime;
}

/** The runtime that serves `tenantId`: its scoped runtime when there is one, else `runtime`. */
export function runtimeForTenant(runtime: IngestRuntime, tenantId: string): IngestRuntime {
  return runtime.forTenant ? runtime.forTenant(tenantId) : runtime;
}
