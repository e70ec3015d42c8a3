import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../clock.js';
import { createIdGenerator } from '../ids.js';
import { DEFAULT_ORG_CYCLE_CONCURRENCY } from '../domain/org-concurrency.js';
import type { MessageQueue } from '../adapters/queue/message-queue.js';
import { createRepositories } from '../storage/index.js';
import { SendRecordRepository } from '../storage/send-record-repository.js';
import { CardRepository } from '../storage/card-repository.js';
import { ReflectionRepository } from '../storage/reflection-repository.js';
import { AuditRepository } from '../storage/audit-repository.js';
import { OutcomeRepository } from '../storage/outcome-repository.js';
import { TaskRepository } from '../storage/task-repository.js';
import { OrderRepository } from '../storage/order-repository.js';
import { SuppressionRepository } from '../storage/suppression-repository.js';
import { BidRepository, DealRepository } from '../storage/pipeline-repository.js';
import { ProposalRepository } from '../storage/proposal-repository.js';
import { MessagingPackRepository } from '../storage/messaging-pack-repository.js';
import { LlmUsageRepository } from '../storage/llm-usage-repository.js';
import { OrgSlotRepository } from '../storage/org-slot-repository.js';
import { TenantWorkingSetRepository } from '../storage/tenant-working-set.js';
import type { DraftingPorts, UsageLedger } from '../drafting/draft-touch.js';
import type { CycleRepositories, CycleRuntime, MetricSink } from './runtime.js';

/** Builds every repository a cycle uses over one table. */
export function createCycleRepositories(ctx: {
  doc: DynamoDBDocumentClient;
  tableName: string;
  clock: Clock;
}): CycleRepositories {
  return {
    ...createRepositories(ctx),
    cards: new CardRepository(ctx),
    reflections: new ReflectionRepository(ctx),
    audits: new AuditRepository(ctx),
    outcomes: new OutcomeRepository(ctx),
    tasks: new TaskRepository(ctx),
    orders: new OrderRepository(ctx),
    suppressions: new SuppressionRepository(ctx),
    deals: new DealRepository(ctx),
    bids: new BidRepository(ctx),
    sendRecords: new SendRecordRepository(ctx),
    proposals: new ProposalRepository(ctx),
    messagingPacks: new MessagingPackRepository(ctx),
    orgSlots: new OrgSlotRepository(ctx),
    llmUsage: new LlmUsageRepository(ctx),
    workingSet: new TenantWorkingSetRepository(ctx),
  };
}

/** What {@link createCycleRuntime} assembles a runtime from. */
export interface CycleRuntimeParts {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly clock: Clock;
  readonly killSwitch: CycleRuntime['killSwitch'];
  readonly sendQueue: MessageQueue;
  readonly lockTtlSeconds: number;
  /** Cycles one organisation may run at once. @default DEFAULT_ORG_CYCLE_CONCURRENCY */
  readonly orgCycleConcurrency?: number;
  readonly metric?: MetricSink;
  /** Source of randomness for run ids; seed it for reproducible simulations. */
  readonly random?: () => number;
  /**
   * Builds Act's drafting ports over the runtime's clock, metrics and usage ledger (see
   * shared/drafting/drafting-runtime.ts); absent, or returning undefined: no drafting. A factory,
   * so steps other than Act never bundle the drafting code.
   */
  readonly drafting?: (ports: {
    readonly clock: Clock;
    readonly metric: MetricSink;
    readonly usage: UsageLedger;
  }) => DraftingPorts | undefined;
}

/** Assembles a cycle runtime from its ports. */
export function createCycleRuntime(parts: CycleRuntimeParts): CycleRuntime {
  const repos = createCycleRepositories(parts);
  const metric = parts.metric ?? (() => undefined);
  const drafting = parts.drafting?.({ clock: parts.clock, metric, usage: repos.llmUsage });
  return {
    clock: parts.clock,
    newId: createIdGenerator(parts.clock, parts.random),
    lockTtlMs: parts.lockTtlSeconds * 1_000,
    orgCycleConcurrency: parts.orgCycleConcurrency ?? DEFAULT_ORG_CYCLE_CONCURRENCY,
    repos,
    killSwitch: parts.killSwitch,
    sendQueue: parts.sendQueue,
    metric,
    ...(drafting ? { drafting } : {}),
  };
}
