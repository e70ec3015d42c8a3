import type { MetricSink } from '../../cycle/runtime.js';
import { METRIC_DIMENSIONS, METRIC_NAMES } from '../../observability/metric-names.js';
import {
  isFinalSendStatus,
  type SendRecord,
  type SendRecordRepository,
} from '../../storage/send-record-repository.js';
import { IN_DOUBT_GRACE_MS } from '../send-lifecycle.js';
import type { QueuedSend } from '../queued-send.js';
import { settlingRecorder, type SendRecorder, type SenderLogger } from './record.js';
import type { TableContext } from '../../storage/table-client.js';
import { SettledKeys } from './settled-keys.js';

/** What reconciliation works through. */
export interface ReconcilePorts {
  readonly records: SendRecordRepository;
  readonly recorder: SendRecorder;
  readonly metric: MetricSink;
  readonly logger: SenderLogger;
}

/** What a delivery of a key that already has a record amounts to. */
export type ExistingResult =
  /** Decided before: nothing to do (what the decision implies was ensured). */
  | { readonly action: 'duplicate'; readonly status: string }
  /** Held by a live claim, or in doubt within its grace period: looked at again at `dueAt`. */
  | { readonly action: 'in_progress'; readonly dueAt: string }
  /** The grace period passed without an event: now `unknown` (a touch, never re-sent). */
  | { readonly action: 'unknown' };

/** SES configuration-set event types, as EventBridge's `detail.eventType` spells them. */
export const SES_EVENT_TYPES = [
  'Send',
  'Delivery',
  'Bounce',
  'Complaint',
  'DeliveryDelay',
  'Reject',
  'Rendering Failure',
] as const;
/** One of {@link SES_EVENT_TYPES}. */
export type SesEventType = (typeof SES_EVENT_TYPES)[number];

/** Statuses an SES event can still settle. */
const UNSETTLED: readonly string[] = ['claimed', 'in_doubt', 'unknown'];

/** What an event proves: SES took the message, or it did not. */
export function sendStatusProvedBy(eventType: SesEventType): 'sent' | 'not_sent' {
  return eventType === 'Reject' || eventType === 'Rendering Failure' ? 'not_sent' : 'sent';
}

/**
 * Reconcile: settles sends whose outcome the sender could not see. A redelivered key is looked
 * up first ({@link SendReconciler.continueExisting}); the configuration set's events settle an
 * in-doubt key by its tag ({@link SendReconciler.fromEvent}); an in-doubt key the events never
 * settled becomes `unknown` once its grace period has passed.
 */
export class SendReconciler {
  /** Keys this reconciler saw settled: their later events need no read. */
  private readonly settled = new SettledKeys();

  constructor(private readonly ports: ReconcilePorts) {}

  /**
   * A delivery of a key that already has a record: final → re-ensure its outcome and marker;
   * claimed by a live holder → look again when the claim expires; claimed past expiry → in doubt;
   * in doubt → look again at the end of the grace period, then `unknown`. Undefined when the key
   * is open (deferred, released) and the gate should run.
   */
  async continueExisting(
    request: QueuedSend,
    record: SendRecord,
    now: Date,
  ): Promise<ExistingResult | undefined> {
    const { records, recorder } = this.ports;
    if (isFinalSendStatus(record.status)) {
      await recorder.finalize(request.tenantId, record);
      return { action: 'duplicate', status: record.status };
    }
    if (record.status === 'claimed') {
      const expiresAt = new Date(record.claimExpiresAt ?? record.decidedAt);
      if (expiresAt.getTime() > now.getTime()) {
        await recorder.requeue(request, expiresAt, now);
        return { action: 'in_progress', dueAt: expiresAt.toISOString() };
      }
      const doubted = await records.doubtExpiredClaim(
        request.tenantId,
        request.idempotencyKey,
        record.claimToken ?? '',
        now,
        new Date(now.getTime() + IN_DOUBT_GRACE_MS),
      );
      if (!doubted.applied) return this.again(request, doubted.existing, now);
      this.ports.metric(METRIC_NAMES.sendsInDoubt, 1);
      this.ports.logger.warn('send claim expired before its result was recorded; in doubt', {
        tenant_id: request.tenantId,
        card_id: request.cardId,
        claimed_at: record.claimedAt,
      });
      return this.continueExisting(request, doubted.record, now);
    }
    if (record.status === 'in_doubt') {
      const reconcileBy = new Date(record.reconcileBy ?? record.decidedAt);
      if (reconcileBy.getTime() > now.getTime()) {
        await recorder.requeue(request, reconcileBy, now);
        return { action: 'in_progress', dueAt: reconcileBy.toISOString() };
      }
      const unknown = await records.markUnknown(request.tenantId, request.idempotencyKey, now);
      if (!unknown.applied) return this.again(request, unknown.existing, now);
      await recorder.finalize(request.tenantId, unknown.record);
      this.ports.metric(METRIC_NAMES.sendsUnknown, 1);
      recorder.count('unknown');
      this.ports.logger.error('in-doubt send not reconciled within the grace period: unknown', {
        tenant_id: request.tenantId,
        card_id: request.cardId,
      });
      return { action: 'unknown' };
    }
    return undefined;
  }

  /**
   * Settles the key an SES event's `send_key` tag names: `sent` for any event that proves SES
   * took the message, `not_sent` for a reject or rendering failure. A key already decided is
   * left as it is. Returns the status the record ended in, if the key exists.
   */
  async fromEvent(
    tenantId: string,
    idempotencyKey: string,
    event: { type: SesEventType; messageId: string; at: Date },
  ): Promise<string | undefined> {
    const status = sendStatusProvedBy(event.type);
    const known = this.settled.get(tenantId, idempotencyKey);
    if (known) return known;
    // Most events belong to sends already recorded: a read settles them without a write.
    const current = await this.ports.records.get(tenantId, idempotencyKey);
    if (current && isFinalSendStatus(current.status) && !UNSETTLED.includes(current.status))
      this.settled.remember(tenantId, idempotencyKey, current.status);
    if (!current || !UNSETTLED.includes(current.status)) return current?.status;
    const settled = await this.ports.records.reconcile(tenantId, idempotencyKey, {
      status,
      event: event.type.replace(/\s+/g, '_').toUpperCase(),
      messageId: event.messageId,
      at: event.at,
    });
    if (!settled.applied) return settled.existing?.status;
    await this.ports.recorder.finalize(tenantId, settled.record);
    this.settled.remember(tenantId, idempotencyKey, settled.record.status);
    this.ports.metric(METRIC_NAMES.sendsReconciled, 1, { [METRIC_DIMENSIONS.outcome]: status });
    this.ports.logger.info('send settled from the SES event stream', {
      tenant_id: tenantId,
      card_id: settled.record.cardId,
      event: event.type,
      outcome: status,
    });
    return status;
  }

  private async again(
    request: QueuedSend,
    existing: SendRecord | undefined,
    now: Date,
  ): Promise<ExistingResult | undefined> {
    return existing ? this.continueExisting(request, existing, now) : undefined;
  }
}

/** The reconciler of the SES event handler (settles by tag; never re-queues). */
export function eventReconciler(
  table: TableContext,
  metric: MetricSink,
  logger: SenderLogger,
): SendReconciler {
  const { records, recorder } = settlingRecorder(table, metric, logger);
  return new SendReconciler({ records, recorder, metric, logger });
}
