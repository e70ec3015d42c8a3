import type { Clock } from '../clock.js';
import type { IdGenerator } from '../ids.js';
import type { KillSwitchState } from '../domain/gates.js';
import type { MessageQueue } from '../adapters/queue/message-queue.js';
import type { Repositories } from '../storage/index.js';
import type { CardRepository } from '../storage/card-repository.js';
import type { ReflectionRepository } from '../storage/reflection-repository.js';
import type { AuditRepository } from '../storage/audit-repository.js';
import type { OutcomeRepository } from '../storage/outcome-repository.js';
import type { TaskRepository } from '../storage/task-repository.js';
import type { SendRecordRepository } from '../storage/send-record-repository.js';
import type { OrderRepository } from '../storage/order-repository.js';
import type { SuppressionRepository } from '../storage/suppression-repository.js';
import type { BidRepository, DealRepository } from '../storage/pipeline-repository.js';
import type { ProposalRepository } from '../storage/proposal-repository.js';
import type { ApprovalNotifier } from '../rollout/notify.js';
import type { MessagingPackRepository } from '../storage/messaging-pack-repository.js';
import type { LlmUsageRepository } from '../storage/llm-usage-repository.js';
import type { OrgSlotRepository } from '../storage/org-slot-repository.js';
import type { DraftingPorts } from '../drafting/draft-touch.js';
import type { TenantWorkingSetRepository } from '../storage/tenant-working-set.js';

/** Every repository a cycle step may use. */
export interface CycleRepositories extends Repositories {
  readonly cards: CardRepository;
  readonly reflections: ReflectionRepository;
  readonly audits: AuditRepository;
  readonly outcomes: OutcomeRepository;
  readonly tasks: TaskRepository;
  readonly orders: OrderRepository;
  readonly suppressions: SuppressionRepository;
  readonly deals: DealRepository;
  readonly bids: BidRepository;
  /** Send records (touch claims), for reports and health. */
  readonly sendRecords: SendRecordRepository;
  readonly proposals: ProposalRepository;
  readonly messagingPacks: MessagingPackRepository;
  readonly llmUsage: LlmUsageRepository;
  /** Organisation cycle slots (ORG# partition). */
  readonly orgSlots: OrgSlotRepository;
  /** One batched read of what a step needs from the tenant's partition. */
  readonly workingSet: TenantWorkingSetRepository;
}

/** Counts a named metric; Powertools Metrics in Lambda, a tally in the simulator. */
export type MetricSink = (
  name: string,
  value?: number,
  dimensions?: Readonly<Record<string, string>>,
) => void;

/**
 * The ports a cycle step works through. Lambdas build one from the environment at cold start; the
 * simulator builds one over the embedded stack and a virtual clock.
 */
export interface CycleRuntime {
  readonly clock: Clock;
  readonly newId: IdGenerator;
  readonly lockTtlMs: number;
  /** Cycles of one organisation that may run at once (`ORG_CYCLE_CONCURRENCY`). */
  readonly orgCycleConcurrency: number;
  readonly repos: CycleRepositories;
  readonly killSwitch: { read(): Promise<KillSwitchState | { readonly unreadable: string }> };
  readonly sendQueue: MessageQueue;
  readonly metric: MetricSink;
  /** Tells approvers an approval waits (SNS on AWS); absent: requests are only recorded. */
  readonly approvalNotifier?: ApprovalNotifier;
  /** How Act drafts emails (shared/drafting); absent: drafting off, the sender renders templates. */
  readonly drafting?: DraftingPorts;
}
