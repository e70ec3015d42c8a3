import type { Clock } from '../clock.js';
import type { KillSwitchState } from '../domain/gates.js';
import type { SendMode } from '../domain/send-mode.js';
import {
  counterWindow,
  decideSend,
  deferralDueAt,
  type CounterWindow,
  type SendDecision,
  type SendGateInput,
} from '../domain/send-gate.js';
import { resolveSendingSettings } from '../domain/sending-settings.js';
import { computeClock } from '../domain/engagement/engagement-clock.js';
import type { TenantSettings } from '../domain/tenant.js';
import type { MessageQueue } from '../adapters/queue/message-queue.js';
import type { EmailSender } from '../adapters/ses/email-sender.js';
import type { MetricSink } from '../cycle/runtime.js';
import { METRIC_NAMES } from '../observability/metric-names.js';
import type { TableContext } from '../storage/table-client.js';
import { AuditRepository } from '../storage/audit-repository.js';
import { ContactRepository } from '../storage/contact-repository.js';
import { OutcomeRepository } from '../storage/outcome-repository.js';
import { SEND_DIRTY_LEASE_MS } from '../storage/dirty-mark-lease.js';
import { RateCounterRepository, type CounterBase } from '../storage/rate-counter-repository.js';
import { SendRecordRepository, type SendRecord } from '../storage/send-record-repository.js';
import { SendingStateRepository } from '../storage/sending-state-repository.js';
import { PoisonMessageError, type QueuedSend } from './queued-send.js';
import { IN_DOUBT_GRACE_MS, PROVIDER_RETRY } from './send-lifecycle.js';
import { loadSend, type LoadedSend } from './stages/load.js';
import { SendRecorder, type SenderLogger } from './stages/record.js';
import { reserveAndClaim, type IdentityLimiter } from './stages/reserve-and-claim.js';
import { deliver, fromAddressOf } from './stages/deliver.js';
import { SendReconciler, type ExistingResult } from './stages/reconcile.js';
import type { SigningKey } from './unsubscribe-token.js';
import { ExpectedIdentity } from './stages/expected-identity.js';

export type { SenderLogger } from './stages/record.js';

/** Metrics of the sender beyond the shared names (see shared/observability/metric-names.ts). */
export const SENDER_METRICS = {
  /** A poison message (bad JSON, schema, key, unknown tenant/template), by `reason`. */
  poisonMessages: 'SendPoisonMessages',
  /** A tenant's provider circuit opened (5 failures in 15 minutes). */
  circuitOpened: 'SendCircuitOpened',
} as const;

/** Where poison messages go, with their reason as message attributes. */
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
  /** One attempt per call: the SES client must be built with `maxAttempts: 1`. */
  readonly emailSender: EmailSender;
  /** The send queue, for deferrals (delay ≤ 900 s; the due time travels in the body). */
  readonly sendQueue: MessageQueue;
  /** Where poison is forwarded on its first delivery; absent: SQS's redrive moves it. */
  readonly deadLetters?: DeadLetterSink;
  readonly signingKey: SigningKey;
  readonly unsubscribeBaseUrl: string;
  readonly fromAddress: string;
  /**
   * SES identities the deployment may send from (`SES_SENDING_IDENTITIES`); a tenant whose From
   * address is on none is stopped with `sender_identity_not_configured` before SES. Empty: unchecked.
   */
  readonly sendingIdentities?: readonly string[];
  /** The From domain's warm-up limit shared by every tenant sending from it. */
  readonly identity?: IdentityLimiter;
  /** How long a claim protects a send in flight; longer than the function timeout. */
  readonly claimTtlMs: number;
  /** The send queue's maxReceiveCount (kept for the DLQ attributes). */
  readonly maxReceiveCount: number;
  readonly metric: MetricSink;
  readonly logger: SenderLogger;
}

/** One message as the event source delivers it. */
export interface InboundMessage {
  readonly messageId: string;
  readonly body: string;
  /** `ApproximateReceiveCount`: 1 on the first delivery. */
  readonly receiveCount: number;
}

/** What happened to one message. */
export type SendResult =
  | {
      readonly action:
        | 'sent'
        | 'dry_run'
        | 'blocked'
        | 'suppressed'
        | 'superseded'
        | 'deferred'
        | 'stopped'
        | 'failed'
        | 'in_doubt';
      readonly reason?: string;
    }
  /** Not due yet: put back with a delay, nothing decided. */
  | { readonly action: 'waiting'; readonly dueAt: string }
  | ExistingResult
  /** Poison forwarded to the dead-letter queue. */
  | { readonly action: 'dead_lettered'; readonly reason: string };

/** A failure worth retrying through SQS (the kill switch could not be read, a race). */
export class TransientSendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransientSendError';
  }
}

/**
 * The sender: one send-queue message through the send lifecycle (shared/sending/send-lifecycle.ts
 * draws it): load → decide (the pure gate) → reserve + claim → deliver → record, with
 * reconciliation for keys that already have a record. Poison goes to the dead-letter queue on its
 * first delivery with its reason.
 */
export class SendProcessor {
  private readonly records: SendRecordRepository;
  private readonly rates: RateCounterRepository;
  private readonly states: SendingStateRepository;
  private readonly recorder: SendRecorder;
  private readonly reconciler: SendReconciler;
  private readonly expectedIdentity: ExpectedIdentity;

  constructor(private readonly ports: SenderPorts) {
    this.expectedIdentity = new ExpectedIdentity(ports.fromAddress);
    this.records = new SendRecordRepository(ports.table);
    this.rates = new RateCounterRepository(ports.table);
    this.states = new SendingStateRepository(ports.table);
    this.recorder = new SendRecorder({
      records: this.records,
      outcomes: new OutcomeRepository(ports.table, { dirtyLeaseMs: SEND_DIRTY_LEASE_MS }),
      contacts: new ContactRepository(ports.table),
      audits: new AuditRepository(ports.table),
      sendQueue: ports.sendQueue,
      metric: ports.metric,
      logger: ports.logger,
    });
    this.reconciler = new SendReconciler({
      records: this.records,
      recorder: this.recorder,
      metric: ports.metric,
      logger: ports.logger,
    });
  }

  /** The reconciler, for the SES event handler (settles in-doubt sends by their tag). */
  get reconcile(): SendReconciler {
    return this.reconciler;
  }

  /**
   * Handles one delivery. Poison is forwarded to the dead-letter queue with its reason and
   * reported done (never retried as transient); without a dead-letter sink it is re-thrown so
   * SQS's redrive moves it. Any other error is re-thrown: SQS delivers the message again.
   */
  async handle(message: InboundMessage): Promise<SendResult> {
    try {
      return await this.process(message.body);
    } catch (error) {
      if (!(error instanceof PoisonMessageError)) {
        this.ports.logger.error('send message failed; it will be redelivered', {
          messageId: message.messageId,
          receiveCount: message.receiveCount,
          error: error instanceof Error ? error.name : 'UnknownError',
        });
        throw error;
      }
      const detail = {
        messageId: message.messageId,
        reason: error.reason,
        error: error.message,
        receiveCount: message.receiveCount,
      };
      this.ports.metric(SENDER_METRICS.poisonMessages, 1, { reason: error.reason });
      if (!this.ports.deadLetters) {
        this.ports.logger.error('poison message', detail);
        throw error;
      }
      await this.ports.deadLetters.send(message.body, {
        FailureReason: error.reason,
        FailureDetail: error.message.slice(0, 256),
        SourceMessageId: message.messageId,
        ReceiveCount: String(message.receiveCount),
      });
      this.ports.logger.error('poison message moved to the dead-letter queue', detail);
      return { action: 'dead_lettered', reason: error.reason };
    }
  }

  /** Processes one message body (see the class comment). */
  async process(body: string): Promise<SendResult> {
    const loaded = await loadSend(
      this.ports.table,
      this.ports.clock,
      body,
      this.ports.identity ? (tenantId) => this.expectedIdentity.next(tenantId) : undefined,
    );
    const now = this.ports.clock.now();
    if (loaded.kind === 'not_due') {
      await this.recorder.requeue(loaded.request, new Date(loaded.request.dueAt), now);
      return { action: 'waiting', dueAt: loaded.request.dueAt };
    }
    const { send } = loaded;
    if (send.snapshot.record) {
      const handled = await this.reconciler.continueExisting(
        send.request,
        send.snapshot.record,
        now,
      );
      if (handled) return handled;
    }
    const killSwitch = await this.ports.killSwitch.read();
    if ('unreadable' in killSwitch) {
      // Fail closed without losing the message: nothing is sent, SQS delivers it again.
      throw new TransientSendError(`kill switch unreadable: ${killSwitch.unreadable}`);
    }
    return this.decideAndAct(send, killSwitch, now);
  }

  private async decideAndAct(
    send: LoadedSend,
    killSwitch: KillSwitchState,
    now: Date,
  ): Promise<SendResult> {
    const { request, email, snapshot } = send;
    const tenant = snapshot.tenant;
    const window = counterWindow(now, tenant.timeZone, email);
    const dayItem = snapshot.rateDays.get(window.dateKey);
    let base: CounterBase | undefined;
    const decide = (item: Record<string, unknown> | undefined): SendDecision =>
      decideSend(this.gateInput(send, killSwitch, item, base, window, now));

    let decision = decide(dayItem);
    // A day without sends yet needs the month-to-date and last send carried forward; only a
    // would-be send can change its answer with them (without sends today no day/hour cap is hit).
    if (decision.kind === 'send' && !RateCounterRepository.hasMonth(dayItem)) {
      base = await this.rates.carryForward(request.tenantId, window);
      decision = decide(dayItem);
    }
    if (decision.kind !== 'send') return this.recordDecision(request, email, decision, now);

    const reserved = await reserveAndClaim(
      {
        rates: this.rates,
        records: this.records,
        ...(this.ports.identity ? { identity: this.ports.identity } : {}),
        claimTtlMs: this.ports.claimTtlMs,
        random: this.ports.random,
      },
      {
        request,
        email,
        identity: {
          fromAddress: this.expectedIdentity.saw(
            request.tenantId,
            fromAddressOf(tenant, this.ports.fromAddress),
          ),
          tenantWarmUp: resolveSendingSettings(tenant.sending).warmUp,
          deliverability: snapshot.state.deliverability,
          ...(snapshot.warmUp ? { warmUp: snapshot.warmUp } : {}),
        },
        dueAfter: (freesAt) =>
          deferralDueAt(this.gateInput(send, killSwitch, dayItem, base, window, now), freesAt),
        window,
        limits: decision.limits,
        base,
        now,
        redecide: decide,
      },
    );
    switch (reserved.kind) {
      case 'decided':
        return this.recordDecision(request, email, reserved.decision, now);
      case 'deferred':
        return this.written(
          request,
          await this.recorder.deferred(request, email, reserved, now),
          { action: 'deferred', reason: reserved.reason },
          now,
        );
      case 'lost_race':
        return this.afterLostRace(request, reserved.existing, now);
      case 'claimed':
        return this.deliverClaimed(send, reserved.token, reserved.release, now);
    }
  }

  /** Deliver, then record what the single SES call proved. */
  private async deliverClaimed(
    send: LoadedSend,
    token: string,
    releaseCounters: () => Promise<void>,
    now: Date,
  ): Promise<SendResult> {
    const { request, email, snapshot } = send;
    const result = await deliver(
      this.ports,
      request,
      email,
      snapshot.tenant,
      snapshot.contact?.name,
      now,
    );
    const at = this.ports.clock.now();
    const key = request.idempotencyKey;
    switch (result.kind) {
      case 'accepted': {
        const marked = await this.records.markSent(request.tenantId, key, token, {
          messageId: result.messageId,
          at,
        });
        const record: SendRecord | undefined = marked.applied ? marked.record : marked.existing;
        if (record) await this.recorder.finalize(request.tenantId, record);
        if ((snapshot.state.circuit?.failures.length ?? 0) > 0)
          await this.states.resetCircuit(request.tenantId);
        this.recorder.count('sent');
        this.recorder.log(request, 'sent', undefined);
        return { action: 'sent' };
      }
      case 'rejected': {
        await releaseCounters();
        this.ports.metric(METRIC_NAMES.providerFailures, 1);
        const reason = `provider_rejected:${result.code}`;
        const failed = await this.records.markFailed(request.tenantId, key, token, {
          reason,
          at,
        });
        if (failed.applied) await this.recorder.finalize(request.tenantId, failed.record);
        this.recorder.count('failed');
        this.ports.logger.error('SES refused the send; not retried', {
          tenant_id: request.tenantId,
          card_id: request.cardId,
          provider_error: result.code,
        });
        return { action: 'failed', reason };
      }
      case 'not_accepted': {
        await releaseCounters();
        this.ports.metric(METRIC_NAMES.providerFailures, 1);
        await this.records.release(request.tenantId, key, token, {
          reason: `provider_retry:${result.code}`,
          at,
        });
        const openUntil = await this.recordProviderFailure(request, result.code, at);
        const attempts = (request.providerAttempts ?? 0) + 1;
        const backoff = Math.min(PROVIDER_RETRY.maxMs, PROVIDER_RETRY.baseMs * 2 ** (attempts - 1));
        const dueAt = new Date(
          Math.max(
            at.getTime() + Math.floor(backoff * (0.5 + this.ports.random() / 2)),
            openUntil ? new Date(openUntil).getTime() : 0,
          ),
        );
        const retried: QueuedSend = { ...request, providerAttempts: attempts };
        const reason = `provider_retry:${result.code}`;
        return this.written(
          retried,
          await this.recorder.deferred(retried, email, { reason, detail: reason, dueAt }, at),
          { action: 'deferred', reason },
          at,
        );
      }
      case 'in_doubt': {
        // SES may have taken it: keep the claim and the counters, wait for the event stream.
        this.ports.metric(METRIC_NAMES.providerFailures, 1);
        this.ports.metric(METRIC_NAMES.sendsInDoubt, 1);
        const reconcileBy = new Date(at.getTime() + IN_DOUBT_GRACE_MS);
        const doubted = await this.records.markInDoubt(request.tenantId, key, token, {
          reason: `provider_in_doubt:${result.code}`,
          at,
          reconcileBy,
        });
        if (doubted.applied) await this.recorder.requeue(request, reconcileBy, at);
        else if (doubted.existing) await this.recorder.finalize(request.tenantId, doubted.existing);
        await this.recordProviderFailure(request, result.code, at);
        this.recorder.count('in_doubt');
        this.ports.logger.warn('SES gave no answer that proves the outcome; send in doubt', {
          tenant_id: request.tenantId,
          card_id: request.cardId,
          provider_error: result.code,
        });
        return { action: 'in_doubt', reason: result.code };
      }
    }
  }

  private async recordDecision(
    request: QueuedSend,
    email: string,
    decision: Exclude<SendDecision, { kind: 'send' }>,
    now: Date,
  ): Promise<SendResult> {
    switch (decision.kind) {
      case 'stopped':
        return this.written(
          request,
          await this.recorder.stopped(request, email, decision, now),
          { action: 'stopped', reason: decision.reason },
          now,
        );
      case 'deferred':
        return this.written(
          request,
          await this.recorder.deferred(request, email, decision, now),
          { action: 'deferred', reason: decision.reason },
          now,
        );
      default:
        return this.written(
          request,
          await this.recorder.decided(
            request,
            email,
            {
              status: decision.kind,
              reason: decision.reason,
              detail: decision.detail,
              ...(decision.kind === 'blocked' ? { violation: decision.reason } : {}),
            },
            now,
          ),
          { action: decision.kind, reason: decision.reason },
          now,
        );
    }
  }

  /** The result of a record write: as planned, or whatever the concurrent delivery left. */
  private async written(
    request: QueuedSend,
    write: { applied: true } | { applied: false; existing: SendRecord | undefined },
    result: SendResult,
    now: Date,
  ): Promise<SendResult> {
    return write.applied ? result : this.afterLostRace(request, write.existing, now);
  }

  /** A conditional write lost to a concurrent delivery of the same key: continue from what it left. */
  private async afterLostRace(
    request: QueuedSend,
    existing: SendRecord | undefined,
    now: Date,
  ): Promise<SendResult> {
    if (existing) {
      const handled = await this.reconciler.continueExisting(request, existing, now);
      if (handled) return handled;
    }
    throw new TransientSendError('the send record changed concurrently; retrying the delivery');
  }

  /** Counts a provider failure on the tenant's circuit; returns until when it is open, if it is. */
  private async recordProviderFailure(
    request: QueuedSend,
    code: string,
    now: Date,
  ): Promise<string | undefined> {
    const circuit = await this.states.recordProviderFailure(request.tenantId, now);
    if (circuit.opened) {
      this.ports.metric(SENDER_METRICS.circuitOpened, 1);
      this.ports.logger.error('provider circuit opened for the tenant', {
        tenant_id: request.tenantId,
        open_until: circuit.openUntil,
        provider_error: code,
      });
    }
    return circuit.openUntil;
  }

  private gateInput(
    send: LoadedSend,
    killSwitch: KillSwitchState,
    dayItem: Record<string, unknown> | undefined,
    base: CounterBase | undefined,
    window: CounterWindow,
    now: Date,
  ): SendGateInput {
    const { request, email, snapshot } = send;
    const tenant: TenantSettings = snapshot.tenant;
    const contact = snapshot.contact;
    const currentDueAt =
      contact && request.touchDueAt
        ? computeClock(
            contact.lastTouchAt
              ? { type: 'other', at: contact.lastTouchAt, by: 'agent' }
              : undefined,
            {
              now,
              windowDays: tenant.engagementWindowDays,
              createdAt: contact.createdAt ?? contact.lastTouchAt ?? request.touchDueAt,
            },
          ).nextDueAt
        : undefined;
    return {
      now,
      random: this.ports.random(),
      recipient: {
        email,
        ...(request.contactId ? { contactId: request.contactId } : {}),
        ...(contact?.accountId ? { accountId: contact.accountId } : {}),
        ...(contact?.lastInboundAt ? { lastInboundAt: contact.lastInboundAt } : {}),
        ...(contact?.lastTouchAt ? { lastTouchAt: contact.lastTouchAt } : {}),
        ...(currentDueAt ? { currentDueAt } : {}),
        ...(contact?.discovered ? { discovered: true } : {}),
      },
      enqueuedAt: request.enqueuedAt,
      ...(request.touchDueAt ? { touchDueAt: request.touchDueAt } : {}),
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
      fromIdentity: {
        fromAddress: fromAddressOf(tenant, this.ports.fromAddress),
        configured: this.ports.sendingIdentities ?? [],
      },
    };
  }
}
