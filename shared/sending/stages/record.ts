import { createHash } from 'node:crypto';
import type { MessageQueue } from '../../adapters/queue/message-queue.js';
import { MAX_SQS_DELAY_SECONDS } from '../../adapters/queue/message-queue.js';
import type { MetricSink } from '../../cycle/runtime.js';
import type { SendResultStatus } from '../../domain/outcomes.js';
import { METRIC_DIMENSIONS, METRIC_NAMES } from '../../observability/metric-names.js';
import { AuditRepository, type SendViolationType } from '../../storage/audit-repository.js';
import { ContactRepository } from '../../storage/contact-repository.js';
import { OutcomeRepository } from '../../storage/outcome-repository.js';
import type { TableContext } from '../../storage/table-client.js';
import {
  SendRecordRepository,
  isFinalSendStatus,
  type DecidedStatus,
  type SendRecord,
  type SendRecordSubject,
  type SendRecordWrite,
} from '../../storage/send-record-repository.js';
import type { QueuedSend } from '../queued-send.js';

/** The minimal logger the send path writes to (Powertools' Logger fits). */
export interface SenderLogger {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

/** What the record stage writes through. */
export interface RecordPorts {
  readonly records: SendRecordRepository;
  readonly outcomes: Pick<OutcomeRepository, 'append'>;
  readonly contacts: Pick<ContactRepository, 'resolvePendingSend'>;
  readonly audits: Pick<AuditRepository, 'append'>;
  /** For deferrals and re-checks; the SES event handler, which only settles, has none. */
  readonly sendQueue?: MessageQueue;
  readonly metric: MetricSink;
  readonly logger: SenderLogger;
}

/** The outcome status a final record reports (`not_sent` is a failed send). */
const OUTCOME_OF: Partial<Record<SendRecord['status'], SendResultStatus>> = {
  sent: 'sent',
  dry_run: 'dry_run',
  blocked: 'blocked',
  suppressed: 'suppressed',
  superseded: 'superseded',
  failed: 'failed',
  not_sent: 'failed',
  unknown: 'unknown',
};

/** A short, stable digest of the tenant and key, for ids that must not reveal the key. */
export function keyDigest(tenantId: string, idempotencyKey: string): string {
  return createHash('sha256')
    .update(`${tenantId}\u0000${idempotencyKey}`)
    .digest('hex')
    .slice(0, 24);
}

/** The record's identity fields for a request. */
export function subjectOf(request: QueuedSend, email: string): SendRecordSubject {
  return {
    idempotencyKey: request.idempotencyKey,
    to: email,
    cardId: request.cardId,
    runId: request.runId,
    ...(request.contactId ? { contactId: request.contactId } : {}),
  };
}

/**
 * Record: every write that says what became of a send — the send record's transition, the
 * outcome React and the report read, and the contact's pending-send marker — each idempotent, so
 * a crash between two of them is repaired by the next delivery ({@link SendRecorder.finalize}
 * runs again for a record that is already final).
 */
export class SendRecorder {
  constructor(private readonly ports: RecordPorts) {}

  /**
   * Ensures what a final record implies: its outcome (same id every time) and the contact's
   * marker cleared with the touch resolved. Safe to call any number of times.
   */
  async finalize(tenantId: string, record: SendRecord): Promise<void> {
    const status = OUTCOME_OF[record.status];
    if (!status || !isFinalSendStatus(record.status)) return;
    const reason =
      record.status === 'sent'
        ? undefined
        : record.status === 'unknown'
          ? 'outcome_unknown'
          : record.reason;
    await this.ports.outcomes.append(
      tenantId,
      `send-${keyDigest(tenantId, record.idempotencyKey)}-${record.status}`,
      {
        kind: 'send_result',
        email: record.to,
        status,
        touchKey: record.idempotencyKey,
        ...(record.contactId ? { contactId: record.contactId } : {}),
        ...(record.cardId ? { cardId: record.cardId } : {}),
        ...(reason ? { reason } : {}),
      },
      new Date(record.decidedAt),
    );
    if (record.contactId) {
      await this.ports.contacts.resolvePendingSend(tenantId, record.contactId, {
        touchKey: record.idempotencyKey,
        status: record.status,
        at: new Date(record.decidedAt),
        resolved: true,
      });
    }
  }

  /** Records a final gate decision (dry_run, blocked, suppressed, superseded) and finalizes it. */
  async decided(
    request: QueuedSend,
    email: string,
    decision: {
      status: DecidedStatus;
      reason: string;
      detail: string;
      /** A named violation to audit (the send gate's own rules). */
      violation?: SendViolationType;
    },
    now: Date,
  ): Promise<SendRecordWrite> {
    const written = await this.ports.records.recordDecision(
      request.tenantId,
      subjectOf(request, email),
      { status: decision.status, reason: decision.reason, detail: decision.detail, at: now },
    );
    if (!written.applied) return written;
    await this.finalize(request.tenantId, written.record);
    if (decision.violation) {
      await this.ports.audits.append(request.tenantId, {
        auditId: `send-${keyDigest(request.tenantId, request.idempotencyKey)}-${decision.reason}`,
        kind: 'policy_violation',
        type: decision.violation,
        actionType: 'send_email',
        reason: decision.detail,
        rule: `send_gate.${decision.reason}`,
        runId: request.runId,
        at: now.toISOString(),
        target: { email, ...(request.contactId ? { contactId: request.contactId } : {}) },
        cardId: request.cardId,
      });
    }
    this.count(decision.status);
    this.log(request, decision.status, decision.reason);
    return written;
  }

  /**
   * Records a stop: the queued send is dropped, its key stays open and the contact's marker is
   * cleared without resolving the touch, so the first cycle after the stop re-plans it.
   */
  async stopped(
    request: QueuedSend,
    email: string,
    stop: { reason: string; detail: string },
    now: Date,
  ): Promise<SendRecordWrite> {
    const written = await this.ports.records.recordStop(
      request.tenantId,
      subjectOf(request, email),
      {
        ...stop,
        at: now,
      },
    );
    if (!written.applied) return written;
    await this.ports.outcomes.append(
      request.tenantId,
      `send-${keyDigest(request.tenantId, request.idempotencyKey)}-stopped-${stop.reason}`,
      {
        kind: 'send_result',
        email,
        status: 'blocked',
        reason: stop.reason,
        touchKey: request.idempotencyKey,
        ...(request.contactId ? { contactId: request.contactId } : {}),
        cardId: request.cardId,
      },
      now,
    );
    if (request.contactId) {
      await this.ports.contacts.resolvePendingSend(request.tenantId, request.contactId, {
        touchKey: request.idempotencyKey,
        status: 'stopped',
        at: now,
        resolved: false,
      });
    }
    this.count('blocked');
    this.log(request, 'stopped', stop.reason);
    return written;
  }

  /** Records a deferral (the key stays open), puts the request back due at `dueAt`, reports it. */
  async deferred(
    request: QueuedSend,
    email: string,
    deferral: { reason: string; detail: string; dueAt: Date },
    now: Date,
  ): Promise<SendRecordWrite> {
    const written = await this.ports.records.recordDeferral(
      request.tenantId,
      subjectOf(request, email),
      { ...deferral, at: now },
    );
    if (!written.applied) return written;
    await this.requeue(request, deferral.dueAt, now);
    await this.ports.outcomes.append(
      request.tenantId,
      `send-${keyDigest(request.tenantId, request.idempotencyKey)}-deferred-${written.record.deferrals ?? 1}`,
      {
        kind: 'send_result',
        email,
        status: 'deferred',
        reason: deferral.reason,
        touchKey: request.idempotencyKey,
        ...(request.contactId ? { contactId: request.contactId } : {}),
        cardId: request.cardId,
      },
      now,
    );
    this.count('deferred');
    this.log(request, 'deferred', deferral.reason, { due_at: deferral.dueAt.toISOString() });
    return written;
  }

  /** Puts a request back on the queue, due at `dueAt` (SQS delay ≤ 900 s; longer waits hop). */
  async requeue(request: QueuedSend, dueAt: Date, now: Date): Promise<void> {
    const delaySeconds = Math.min(
      MAX_SQS_DELAY_SECONDS,
      Math.max(0, Math.ceil((dueAt.getTime() - now.getTime()) / 1_000)),
    );
    if (!this.ports.sendQueue)
      throw new Error('this send recorder has no send queue to re-queue on');
    await this.ports.sendQueue.send({ ...request, dueAt: dueAt.toISOString() }, { delaySeconds });
  }

  /** Counts one decision in `EmailSends{outcome}`. */
  count(outcome: string): void {
    this.ports.metric(METRIC_NAMES.emailSends, 1, { [METRIC_DIMENSIONS.outcome]: outcome });
  }

  /** Logs one decision with the request's identifiers (never the address or the key). */
  log(
    request: QueuedSend,
    outcome: string,
    reason: string | undefined,
    extra: Record<string, unknown> = {},
  ): void {
    this.ports.logger.info('send decided', {
      tenant_id: request.tenantId,
      run_id: request.runId,
      card_id: request.cardId,
      send_ref: keyDigest(request.tenantId, request.idempotencyKey),
      outcome,
      ...(reason ? { reason } : {}),
      ...extra,
    });
  }
}

/**
 * The reconciler the SES event handler uses: it settles send records and ensures what a final
 * record implies, and never re-queues anything.
 */
export function settlingRecorder(
  table: TableContext,
  metric: MetricSink,
  logger: SenderLogger,
): { records: SendRecordRepository; recorder: SendRecorder } {
  const records = new SendRecordRepository(table);
  return {
    records,
    recorder: new SendRecorder({
      records,
      outcomes: new OutcomeRepository(table),
      contacts: new ContactRepository(table),
      audits: new AuditRepository(table),
      metric,
      logger,
    }),
  };
}
