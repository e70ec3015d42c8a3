import { createHash, randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { KillSwitchState } from '../domain/gates.js';
import type { SendMode } from '../domain/send-mode.js';
import {
  counterWindow,
  decideSend,
  type CounterWindow,
  type SendDecision,
  type SendGateInput,
  type SendLimits,
} from '../domain/send-gate.js';
import { resolveSendingSettings } from '../domain/sending-settings.js';
import type { TenantSettings } from '../domain/tenant.js';
import type { MessageQueue } from '../adapters/queue/message-queue.js';
import { MAX_SQS_DELAY_SECONDS } from '../adapters/queue/message-queue.js';
import {
  classifyProviderError,
  providerErrorCode,
  type EmailSender,
} from '../adapters/ses/email-sender.js';
import type { MetricSink } from '../cycle/runtime.js';
import { METRIC_DIMENSIONS, METRIC_NAMES } from '../observability/metric-names.js';
import type { TableContext } from '../storage/table-client.js';
import { AuditRepository } from '../storage/audit-repository.js';
import { OutcomeRepository } from '../storage/outcome-repository.js';
import { RateCounterRepository, type CounterBase } from '../storage/rate-counter-repository.js';
import {
  SendRecordRepository,
  isFinalSendStatus,
  type SendRecord,
  type SendRecordSubject,
} from '../storage/send-record-repository.js';
import { SendingStateRepository } from '../storage/sending-state-repository.js';
import { loadSendSnapshot, type SendSnapshot } from '../storage/send-snapshot.js';
import { renderEmail, isKnownTemplate } from './email-content.js';
import { PoisonMessageError, parseQueuedSend, type QueuedSend } from './queued-send.js';
import { retryWithBackoff } from './retry.js';
import {
  UNSUBSCRIBE_TOKEN_TTL_MS,
  signUnsubscribeToken,
  unsubscribeUrl,
  type SigningKey,
} from './unsubscribe-token.js';

/** Metrics of the sender beyond the shared names (see shared/observability/metric-names.ts). */
export const SENDER_METRICS = {
  /** A poison message (bad JSON, schema, unknown tenant/template), by `reason`. */
  poisonMessages: 'SendPoisonMessages',
  /** A tenant's provider circuit opened (5 failures in 15 minutes). */
  circuitOpened: 'SendCircuitOpened',
  /** An expired claim was resolved to `unknown` (possible lost send record; never re-sent). */
  claimsExpired: 'SendClaimsExpired',
} as const;

/** The minimal logger the processor writes to (Powertools' Logger fits). */
export interface SenderLogger {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

/** Where poison messages go on their last delivery, with their reason as message attributes. */
export interface DeadLetterSink {
  send(body: string, attributes: Readonly<Record<string, string>>): Promise<void>;
}

/** Everything the sender works through. Lambdas build it from the environment; tests and the simulator from the embedded stack. */
export interface SenderPorts {
  readonly clock: Clock;
  /** Values in [0, 1); seeded in simulations so they are reproducible. */
  readonly random: () => number;
  readonly table: TableContext;
  readonly killSwitch: { read(): Promise<KillSwitchState | { readonly unreadable: string }> };
  /** Read at every decision, so flipping it stops sends already queued. */
  readonly emailSendDisabled: () => boolean;
  /** The deployment's send mode (`SEND_MODE`), the ceiling for every tenant. */
  readonly deploymentMode: SendMode;
  readonly internalAllowList: {
    readonly domains: readonly string[];
    readonly addresses: readonly string[];
  };
  readonly emailSender: EmailSender;
  /** The send queue, for deferrals (delay ≤ 900 s; the due time travels in the body). */
  readonly sendQueue: MessageQueue;
  /** Where the last delivery of a poison message is forwarded; absent: SQS's redrive moves it. */
  readonly deadLetters?: DeadLetterSink;
  readonly signingKey: SigningKey;
  readonly unsubscribeBaseUrl: string;
  readonly fromAddress: string;
  /** How long a claim protects a send in flight; longer than the function timeout. */
  readonly claimTtlMs: number;
  /** The send queue's maxReceiveCount: the delivery on which poison is forwarded. */
  readonly maxReceiveCount: number;
  readonly metric: MetricSink;
  readonly logger: SenderLogger;
  /** Waits between provider retries; a no-op in simulations. */
  readonly sleep: (ms: number) => Promise<void>;
  /** Provider attempts within one delivery. @default 3 */
  readonly providerAttempts?: number;
}

/** One message as the event source delivers it. */
export interface InboundMessage {
  readonly messageId: string;
  readonly body: string;
  /** `ApproximateReceiveCount`: 1 on the first delivery. */
  readonly receiveCount: number;
}

/** What happened to one message (the outcome statuses plus the bookkeeping ones). */
export type SendResult =
  | {
      readonly action: 'sent' | 'dry_run' | 'blocked' | 'suppressed' | 'deferred' | 'failed';
      readonly reason?: string;
    }
  /** Not due yet: put back with a delay, nothing decided. */
  | { readonly action: 'waiting'; readonly dueAt: string }
  /** The key was already decided; nothing done (the outcome is ensured). */
  | { readonly action: 'duplicate'; readonly status: string }
  /** Another delivery holds the claim; re-checked when it expires. */
  | { readonly action: 'in_progress'; readonly dueAt: string }
  /** Poison forwarded to the dead-letter queue on its last delivery. */
  | { readonly action: 'dead_lettered'; readonly reason: string };

/** A failure worth retrying through SQS (the kill switch could not be read). */
export class TransientSendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransientSendError';
  }
}

const PROVIDER_RETRY_BASE_MS = 60_000;
const PROVIDER_RETRY_MAX_MS = 30 * 60_000;
const CONTENTION_RETRY_MS = 5_000;
const RESERVE_ATTEMPTS = 3;

/**
 * The sender's logic for one send-queue message: parse, wait until due, read everything in one
 * batch, run the send gate (DESIGN.md section 5), record the decision on the send record and in
 * the outcome inbox, and for an allowed send reserve the counters, claim the key and call SES.
 *
 * A duplicate delivery of a decided key is a no-op (checked before the gate, so it never consumes
 * a cap); the claim is the authoritative guard. Deferrals go back on the queue carrying their due
 * time. Provider throttling/5xx is retried with backoff, then the key is released and the message
 * deferred; five failures in 15 minutes open the tenant's circuit. Auth/config refusals fail the
 * key for good.
 */
export class SendProcessor {
  private readonly records: SendRecordRepository;
  private readonly rates: RateCounterRepository;
  private readonly states: SendingStateRepository;
  private readonly outcomes: OutcomeRepository;
  private readonly audits: AuditRepository;

  constructor(private readonly ports: SenderPorts) {
    this.records = new SendRecordRepository(ports.table);
    this.rates = new RateCounterRepository(ports.table);
    this.states = new SendingStateRepository(ports.table);
    this.outcomes = new OutcomeRepository(ports.table);
    this.audits = new AuditRepository(ports.table);
  }

  /**
   * Handles one delivery. Poison is logged with its reason and re-thrown (a batch item failure),
   * except on the last delivery, where it is forwarded to the dead-letter queue with its reason.
   */
  async handle(message: InboundMessage): Promise<SendResult> {
    try {
      return await this.process(message.body);
    } catch (error) {
      if (!(error instanceof PoisonMessageError)) {
        // Retried by SQS; after maxReceiveCount the redrive policy moves it to the DLQ.
        this.ports.logger.error('send message failed; it will be redelivered', {
          messageId: message.messageId,
          receiveCount: message.receiveCount,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
        throw error;
      }
      const detail = {
        messageId: message.messageId,
        reason: error.reason,
        error: error.message,
        receiveCount: message.receiveCount,
        maxReceiveCount: this.ports.maxReceiveCount,
      };
      this.ports.metric(SENDER_METRICS.poisonMessages, 1, { reason: error.reason });
      if (this.ports.deadLetters && message.receiveCount >= this.ports.maxReceiveCount) {
        await this.ports.deadLetters.send(message.body, {
          FailureReason: error.reason,
          FailureDetail: error.message.slice(0, 256),
          SourceMessageId: message.messageId,
          ReceiveCount: String(message.receiveCount),
        });
        this.ports.logger.error('poison message moved to the dead-letter queue', detail);
        return { action: 'dead_lettered', reason: error.reason };
      }
      this.ports.logger.error('poison message', detail);
      throw error;
    }
  }

  /** Processes one message body (see the class comment). */
  async process(body: string): Promise<SendResult> {
    const request = parseQueuedSend(body);
    const now = this.ports.clock.now();
    if (new Date(request.dueAt).getTime() > now.getTime()) {
      await this.requeue(request, new Date(request.dueAt), now);
      return { action: 'waiting', dueAt: request.dueAt };
    }
    if (!isKnownTemplate(request.template)) {
      throw new PoisonMessageError(
        'unknown_template',
        `template ${JSON.stringify(request.template).slice(0, 60)}`,
      );
    }

    const email = request.to.trim().toLowerCase();
    const [killSwitch, snapshot] = await Promise.all([
      this.ports.killSwitch.read(),
      loadSendSnapshot(this.ports.table, {
        tenantId: request.tenantId,
        idempotencyKey: request.idempotencyKey,
        email,
        ...(request.contactId ? { contactId: request.contactId } : {}),
        rateDates: candidateDates(now),
      }),
    ]);
    if (!snapshot.tenant) {
      throw new PoisonMessageError('unknown_tenant', `tenant ${request.tenantId} has no settings`);
    }
    if (snapshot.record) {
      const handled = await this.continueExisting(request, snapshot.record, now);
      if (handled) return handled;
    }
    if ('unreadable' in killSwitch) {
      // Fail closed without losing the message: nothing is sent, SQS delivers it again.
      throw new TransientSendError(`kill switch unreadable: ${killSwitch.unreadable}`);
    }

    const tenant = snapshot.tenant;
    const window = counterWindow(now, tenant.timeZone, email);
    const dayItem = snapshot.rateDays.get(window.dateKey);
    let base: CounterBase | undefined;
    const decide = (item: Record<string, unknown> | undefined, at: Date): SendDecision =>
      decideSend(
        this.gateInput(request, email, tenant, snapshot, killSwitch, item, base, window, at),
      );

    let decision = decide(dayItem, now);
    // A day without sends yet needs the month-to-date and last send carried forward; only a
    // would-be send can change its answer with them (without sends today no day/hour cap is hit).
    if (decision.kind === 'send' && !RateCounterRepository.hasMonth(dayItem)) {
      base = await this.rates.carryForward(request.tenantId, window);
      decision = decide(dayItem, now);
    }
    if (decision.warmUpUpdate) {
      await this.states.setWarmUp(
        request.tenantId,
        decision.warmUpUpdate,
        snapshot.state.warmUp?.phase,
      );
    }

    switch (decision.kind) {
      case 'blocked':
      case 'suppressed':
      case 'dry_run':
        return this.recordFinal(request, email, decision, now);
      case 'deferred':
        return this.defer(request, email, decision.reason, decision.detail, decision.dueAt, now);
      case 'send': {
        let limits: SendLimits = decision.limits;
        for (let attempt = 1; ; attempt += 1) {
          const reserved = await this.rates.reserve(
            request.tenantId,
            window,
            limits,
            now,
            base ?? { month: 0 },
          );
          if (reserved.reserved) break;
          const again = decide(reserved.current, now);
          if (again.kind === 'deferred')
            return this.defer(request, email, again.reason, again.detail, again.dueAt, now);
          if (again.kind !== 'send') return this.recordFinal(request, email, again, now);
          if (attempt >= RESERVE_ATTEMPTS) {
            return this.defer(
              request,
              email,
              'counter_contention',
              'the counter item changed under every attempt (or its day was sealed); retrying shortly',
              new Date(
                now.getTime() +
                  CONTENTION_RETRY_MS +
                  Math.floor(this.ports.random() * CONTENTION_RETRY_MS),
              ),
              now,
            );
          }
          limits = again.limits;
        }
        return this.claimAndSend(request, email, tenant, snapshot, window, now);
      }
    }
  }

  private gateInput(
    request: QueuedSend,
    email: string,
    tenant: TenantSettings,
    snapshot: SendSnapshot,
    killSwitch: KillSwitchState,
    dayItem: Record<string, unknown> | undefined,
    base: CounterBase | undefined,
    window: CounterWindow,
    now: Date,
  ): SendGateInput {
    return {
      now,
      random: this.ports.random(),
      recipient: {
        email,
        ...(request.contactId ? { contactId: request.contactId } : {}),
        ...(snapshot.contact?.accountId ? { accountId: snapshot.contact.accountId } : {}),
        ...(snapshot.contact?.lastInboundAt
          ? { lastInboundAt: snapshot.contact.lastInboundAt }
          : {}),
      },
      enqueuedAt: request.enqueuedAt,
      killSwitch,
      emailSendDisabled: this.ports.emailSendDisabled(),
      deploymentMode: this.ports.deploymentMode,
      tenant: {
        agentEnabled: tenant.agentEnabled,
        ...(tenant.sendMode ? { sendMode: tenant.sendMode } : {}),
        tier: tenant.tier ?? 'pro',
        timeZone: tenant.timeZone,
        internalDomains: tenant.internalDomains ?? [],
        doNotContact: {
          competitorDomains: tenant.doNotContact?.competitorDomains ?? [],
          customerEmails: tenant.doNotContact?.customerEmails ?? [],
          customerAccountIds: tenant.doNotContact?.customerAccountIds ?? [],
          customerDomains: tenant.doNotContact?.customerDomains ?? [],
        },
        sending: resolveSendingSettings(tenant.sending),
      },
      ...(snapshot.suppression ? { suppression: snapshot.suppression } : {}),
      internalAllowList: this.ports.internalAllowList,
      state: snapshot.state,
      counters: RateCounterRepository.countersOf(dayItem, window, base),
    };
  }

  /**
   * A key that already has a record: final → a no-op (ensuring its outcome exists); claimed by a
   * live holder → re-checked when the claim expires; claimed past expiry → resolved to `unknown`.
   * Returns undefined when the key is open (deferred, released) and the gate should run.
   */
  private async continueExisting(
    request: QueuedSend,
    record: SendRecord,
    now: Date,
  ): Promise<SendResult | undefined> {
    if (isFinalSendStatus(record.status)) {
      await this.ensureOutcome(request, record);
      return { action: 'duplicate', status: record.status };
    }
    if (record.status !== 'claimed') return undefined;
    const expiresAt = new Date(record.claimExpiresAt ?? record.decidedAt);
    if (expiresAt.getTime() > now.getTime()) {
      await this.requeue(request, expiresAt, now);
      return { action: 'in_progress', dueAt: expiresAt.toISOString() };
    }
    const resolved = await this.records.resolveExpiredClaim(
      request.tenantId,
      request.idempotencyKey,
      record.claimToken ?? '',
      now,
    );
    if (!resolved.applied) {
      // Someone else moved it first (marked it sent, or resolved it); look again next delivery.
      return resolved.existing ? this.continueExisting(request, resolved.existing, now) : undefined;
    }
    this.ports.metric(SENDER_METRICS.claimsExpired, 1);
    this.ports.logger.warn('send claim expired before its result was recorded; not re-sent', {
      tenant_id: request.tenantId,
      run_id: request.runId,
      card_id: request.cardId,
      claimed_at: record.claimedAt,
    });
    await this.ensureOutcome(request, resolved.record);
    this.countOutcome('failed');
    return { action: 'failed', reason: 'claim_expired' };
  }

  /** Appends the outcome a final record implies (idempotent: same id and instant). */
  private async ensureOutcome(request: QueuedSend, record: SendRecord): Promise<void> {
    const status =
      record.status === 'unknown'
        ? 'failed'
        : record.status === 'sent' ||
            record.status === 'dry_run' ||
            record.status === 'blocked' ||
            record.status === 'suppressed' ||
            record.status === 'failed'
          ? record.status
          : undefined;
    if (!status) return;
    const reason =
      record.status === 'unknown'
        ? 'claim_expired:outcome_unknown'
        : record.status === 'sent'
          ? undefined
          : record.reason;
    await this.outcomes.append(
      request.tenantId,
      outcomeId(request, record.status),
      {
        kind: 'send_result',
        email: record.to,
        status,
        ...(request.contactId ? { contactId: request.contactId } : {}),
        cardId: request.cardId,
        ...(reason ? { reason } : {}),
      },
      new Date(record.decidedAt),
    );
  }

  private async recordFinal(
    request: QueuedSend,
    email: string,
    decision: Extract<SendDecision, { kind: 'blocked' | 'suppressed' | 'dry_run' }>,
    now: Date,
  ): Promise<SendResult> {
    const written = await this.records.recordDecision(request.tenantId, subjectOf(request, email), {
      status: decision.kind,
      reason: decision.reason,
      detail: decision.detail,
      at: now,
    });
    if (!written.applied) return this.afterLostRace(request, written.existing, now);
    await this.ensureOutcome(request, written.record);
    if (decision.kind === 'blocked' && decision.reason === 'email_blocked_internal_only') {
      await this.audits.append(request.tenantId, {
        auditId: outcomeId(request, 'blocked'),
        kind: 'policy_violation',
        // The sender's own violation type (seeds, go-live runbook 3.2); the cycle's policy engine has none like it.
        type: 'email_blocked_internal_only',
        actionType: 'send_email',
        reason: decision.detail,
        rule: 'send_gate.internal_only',
        runId: request.runId,
        at: now.toISOString(),
        target: {
          email,
          ...(request.contactId ? { contactId: request.contactId } : {}),
        },
        cardId: request.cardId,
      });
    }
    this.countOutcome(decision.kind, decision.reason);
    this.log(request, decision.kind, decision.reason);
    return { action: decision.kind, reason: decision.reason };
  }

  private async defer(
    request: QueuedSend,
    email: string,
    reason: string,
    detail: string,
    dueAt: Date,
    now: Date,
  ): Promise<SendResult> {
    const written = await this.records.recordDeferral(request.tenantId, subjectOf(request, email), {
      reason,
      detail,
      dueAt,
      at: now,
    });
    if (!written.applied) return this.afterLostRace(request, written.existing, now);
    return this.deferTo(
      request,
      email,
      dueAt,
      reason,
      `deferred-${written.record.deferrals ?? 1}`,
      now,
    );
  }

  /** Re-queues a send due at `dueAt` and records the deferral as its outcome (counted and logged). */
  private async deferTo(
    request: QueuedSend,
    email: string,
    dueAt: Date,
    reason: string,
    outcomeSuffix: string,
    now: Date,
  ): Promise<{ action: 'deferred'; reason: string }> {
    await this.requeue(request, dueAt, now);
    await this.outcomes.append(
      request.tenantId,
      outcomeId(request, outcomeSuffix),
      {
        kind: 'send_result',
        email,
        status: 'deferred',
        ...(request.contactId ? { contactId: request.contactId } : {}),
        cardId: request.cardId,
        reason,
      },
      now,
    );
    this.countOutcome('deferred', reason);
    this.log(request, 'deferred', reason, { due_at: dueAt.toISOString() });
    return { action: 'deferred', reason };
  }

  /** A conditional write lost to a concurrent delivery of the same key: continue from what it left. */
  private async afterLostRace(
    request: QueuedSend,
    existing: SendRecord | undefined,
    now: Date,
  ): Promise<SendResult> {
    if (existing) {
      const handled = await this.continueExisting(request, existing, now);
      if (handled) return handled;
    }
    throw new TransientSendError('the send record changed concurrently; retrying the delivery');
  }

  private async claimAndSend(
    request: QueuedSend,
    email: string,
    tenant: TenantSettings,
    snapshot: SendSnapshot,
    window: CounterWindow,
    now: Date,
  ): Promise<SendResult> {
    const token = randomUUID();
    const claim = await this.records.claim(request.tenantId, subjectOf(request, email), {
      token,
      at: now,
      ttlMs: this.ports.claimTtlMs,
    });
    if (!claim.applied) {
      await this.rates.release(request.tenantId, window);
      return this.afterLostRace(request, claim.existing, now);
    }

    const sending = resolveSendingSettings(tenant.sending);
    const link = unsubscribeUrl(
      this.ports.unsubscribeBaseUrl,
      signUnsubscribeToken(
        {
          tenantId: request.tenantId,
          email,
          expiresAt: new Date(now.getTime() + UNSUBSCRIBE_TOKEN_TTL_MS),
        },
        this.ports.signingKey,
      ),
    );
    const content = renderEmail(request.template, {
      tenantName: tenant.name,
      ...(snapshot.contact?.name ? { contactName: snapshot.contact.name } : {}),
      ...(request.subject ? { subject: request.subject } : {}),
      unsubscribeUrl: link,
    });

    let messageId: string;
    try {
      ({ messageId } = await retryWithBackoff(
        () =>
          this.ports.emailSender.send({
            from: sending.fromAddress ?? this.ports.fromAddress,
            to: email,
            ...content,
            headers: [
              { name: 'List-Unsubscribe', value: `<${link}>` },
              { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
            ],
            tags: [
              { name: 'tenant_id', value: request.tenantId },
              { name: 'send_ref', value: keyDigest(request) },
              { name: 'template', value: request.template.replace(/[^A-Za-z0-9_-]/g, '_') },
            ],
          }),
        {
          attempts: this.ports.providerAttempts ?? 3,
          baseDelayMs: 200,
          maxDelayMs: 2_000,
          retryable: (error) => classifyProviderError(error) === 'retryable',
          sleep: this.ports.sleep,
          random: this.ports.random,
        },
      ));
    } catch (error) {
      return this.afterProviderFailure(request, email, token, window, error, now);
    }

    const sentAt = this.ports.clock.now();
    const marked = await this.records.markSent(request.tenantId, request.idempotencyKey, token, {
      messageId,
      at: sentAt,
    });
    if (!marked.applied) {
      this.ports.logger.error('sent, but the send record no longer carries this claim', {
        tenant_id: request.tenantId,
        card_id: request.cardId,
        status: marked.existing?.status,
      });
    }
    await this.ensureOutcome(
      request,
      marked.applied
        ? marked.record
        : { ...(marked.existing ?? claim.record), status: 'sent', decidedAt: sentAt.toISOString() },
    );
    if ((snapshot.state.circuit?.failures.length ?? 0) > 0)
      await this.states.resetCircuit(request.tenantId);
    this.countOutcome('sent');
    this.log(request, 'sent', undefined);
    return { action: 'sent' };
  }

  private async afterProviderFailure(
    request: QueuedSend,
    email: string,
    token: string,
    window: CounterWindow,
    error: unknown,
    now: Date,
  ): Promise<SendResult> {
    const code = providerErrorCode(error);
    const kind = classifyProviderError(error);
    await this.rates.release(request.tenantId, window);
    this.ports.metric(METRIC_NAMES.providerFailures, 1);
    if (kind === 'permanent') {
      const reason = `provider_rejected:${code}`;
      const failed = await this.records.markFailed(
        request.tenantId,
        request.idempotencyKey,
        token,
        {
          reason,
          at: now,
        },
      );
      if (failed.applied) await this.ensureOutcome(request, failed.record);
      this.countOutcome('failed', reason);
      this.ports.logger.error('the provider refused the send; not retried', {
        tenant_id: request.tenantId,
        run_id: request.runId,
        card_id: request.cardId,
        provider_error: code,
      });
      return { action: 'failed', reason };
    }

    await this.records.release(request.tenantId, request.idempotencyKey, token, {
      reason: `provider_retry:${code}`,
      at: now,
    });
    const circuit = await this.states.recordProviderFailure(request.tenantId, now);
    if (circuit.opened) {
      this.ports.metric(SENDER_METRICS.circuitOpened, 1);
      this.ports.logger.error('provider circuit opened for the tenant', {
        tenant_id: request.tenantId,
        open_until: circuit.openUntil,
        provider_error: code,
      });
    }
    const attempts = (request.providerAttempts ?? 0) + 1;
    const backoff = Math.min(PROVIDER_RETRY_MAX_MS, PROVIDER_RETRY_BASE_MS * 2 ** (attempts - 1));
    const dueAt = new Date(
      Math.max(
        now.getTime() + Math.floor(backoff * (0.5 + this.ports.random() / 2)),
        circuit.openUntil ? new Date(circuit.openUntil).getTime() : 0,
      ),
    );
    const reason = `provider_retry:${code}`;
    return this.deferTo(
      { ...request, providerAttempts: attempts },
      email,
      dueAt,
      reason,
      `retry-${attempts}`,
      now,
    );
  }

  /** Puts a request back on the queue, due at `dueAt` (SQS delay ≤ 900 s; longer waits hop). */
  private async requeue(request: QueuedSend, dueAt: Date, now: Date): Promise<void> {
    const delaySeconds = Math.min(
      MAX_SQS_DELAY_SECONDS,
      Math.max(0, Math.ceil((dueAt.getTime() - now.getTime()) / 1_000)),
    );
    await this.ports.sendQueue.send({ ...request, dueAt: dueAt.toISOString() }, { delaySeconds });
  }

  private countOutcome(outcome: string, _reason?: string): void {
    this.ports.metric(METRIC_NAMES.emailSends, 1, { [METRIC_DIMENSIONS.outcome]: outcome });
  }

  private log(
    request: QueuedSend,
    outcome: string,
    reason: string | undefined,
    extra: Record<string, unknown> = {},
  ): void {
    this.ports.logger.info('send decided', {
      tenant_id: request.tenantId,
      run_id: request.runId,
      card_id: request.cardId,
      outcome,
      ...(reason ? { reason } : {}),
      ...extra,
    });
  }
}

function subjectOf(request: QueuedSend, email: string): SendRecordSubject {
  return {
    idempotencyKey: request.idempotencyKey,
    to: email,
    cardId: request.cardId,
    runId: request.runId,
    ...(request.contactId ? { contactId: request.contactId } : {}),
  };
}

/** A short, stable digest of the tenant and key, for ids and tags that must not reveal the key. */
function keyDigest(request: Pick<QueuedSend, 'tenantId' | 'idempotencyKey'>): string {
  return createHash('sha256')
    .update(`${request.tenantId}\u0000${request.idempotencyKey}`)
    .digest('hex')
    .slice(0, 24);
}

function outcomeId(request: QueuedSend, suffix: string): string {
  return `send-${keyDigest(request)}-${suffix}`;
}

/** The UTC date of `now` and its neighbours: a tenant's local date is always one of them. */
function candidateDates(now: Date): string[] {
  return [-1, 0, 1].map((days) =>
    new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 10),
  );
}
