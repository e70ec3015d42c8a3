import { createHash } from 'node:crypto';
import * as z from '../zod.js';
import type { Clock } from '../clock.js';
import type { MetricSink } from '../cycle/runtime.js';
import { deliverabilityVerdict, type DeliverabilityStats } from '../domain/deliverability.js';
import { DELIVERABILITY_THRESHOLDS } from '../domain/sending-settings.js';
import { localDateKey } from '../domain/zoned-time.js';
import { METRIC_NAMES } from '../observability/metric-names.js';
import type { OutcomeRepository } from '../storage/outcome-repository.js';
import type { RateCounterRepository } from '../storage/rate-counter-repository.js';
import type { SendingStateRepository } from '../storage/sending-state-repository.js';
import type { SuppressionRepository } from '../storage/suppression-repository.js';
import type { TenantRepository } from '../storage/tenant-repository.js';
import type { SenderLogger } from './send-processor.js';
import { assertTenantId } from '../storage/keys.js';
import { SEND_KEY_TAG, decodeSendKey } from './stages/deliver.js';
import { SES_EVENT_TYPES, type SendReconciler } from './stages/reconcile.js';

/** Metric published (per tenant) when deliverability pauses a tenant's sending. */
export const SENDING_PAUSED_METRIC = 'SendingPaused';

const recipientsSchema = z
  .array(z.object({ emailAddress: z.string().check(z.minLength(3)) }))
  .check(z.minLength(1));

/**
 * The `detail` of an SES event delivered by EventBridge (`source: aws.ses`, detail-types
 * `Email Sent` … `Email Complaint Received`), the same document SES publishes to SNS. Only the
 * fields we use are required.
 */
export const sesFeedbackEventSchema = z.object({
  eventType: z.enum(SES_EVENT_TYPES),
  mail: z.object({
    messageId: z.string().check(z.minLength(1)),
    timestamp: z.optional(z.iso.datetime({ offset: true })),
    tags: z._default(z.record(z.string(), z.array(z.string())), {}),
  }),
  bounce: z.optional(
    z.object({
      bounceType: z.string(),
      bounceSubType: z.optional(z.string()),
      bouncedRecipients: recipientsSchema,
      timestamp: z.iso.datetime({ offset: true }),
      feedbackId: z.string().check(z.minLength(1)),
    }),
  ),
  complaint: z.optional(
    z.object({
      complainedRecipients: recipientsSchema,
      timestamp: z.iso.datetime({ offset: true }),
      feedbackId: z.string().check(z.minLength(1)),
      complaintFeedbackType: z.optional(z.string()),
    }),
  ),
});

/** A parsed SES bounce or complaint event. */
export type SesFeedbackEvent = z.infer<typeof sesFeedbackEventSchema>;

/** What {@link SesFeedbackProcessor} works through. */
export interface SesFeedbackPorts {
  readonly clock: Clock;
  readonly tenants: Pick<TenantRepository, 'get'>;
  readonly suppressions: Pick<SuppressionRepository, 'add'>;
  readonly outcomes: Pick<OutcomeRepository, 'append'>;
  readonly rates: Pick<RateCounterRepository, 'recordFeedback' | 'stats'>;
  readonly states: Pick<SendingStateRepository, 'pause' | 'setDeliverability'>;
  /** Settles in-doubt sends from any event (by the `send_key` tag). */
  readonly reconciler: Pick<SendReconciler, 'fromEvent'>;
  readonly metric: MetricSink;
  readonly logger: SenderLogger;
}

/** What one event changed. */
export interface FeedbackResult {
  readonly tenantId?: string;
  /** The status the event's send record ended in, when the event named one. */
  readonly settled?: string;
  readonly counted: number;
  readonly duplicates: number;
  readonly suppressed: number;
  readonly paused: boolean;
  readonly stats?: DeliverabilityStats;
}

/**
 * Handles SES configuration-set events. Every event first settles its send record by the
 * `send_key` tag (an in-doubt send becomes `sent`, or `not_sent` for a reject or rendering
 * failure). Then, for bounces and complaints: hard bounces and complaints suppress the address;
 * every bounce (soft ones too) and complaint is counted once per feedback id on the tenant's
 * counter day and appended to the outcome inbox (React folds it); then the tenant's 7-day rates
 * are recomputed, published as metrics, stored for the warm-up ladder, and over 5 % bounces or
 * 0.1 % complaints (with at least 50 sends) pause the tenant's sending, raising `SendingPaused`.
 * The tenant comes from the `tenant_id` tag the sender puts on every message.
 */
export class SesFeedbackProcessor {
  constructor(private readonly ports: SesFeedbackPorts) {}

  /** Processes one EventBridge event (its `detail`). Unattributable events are logged and dropped. */
  async handle(detail: unknown): Promise<FeedbackResult> {
    const parsed = sesFeedbackEventSchema.safeParse(detail);
    const empty = { counted: 0, duplicates: 0, suppressed: 0, paused: false };
    if (!parsed.success) {
      this.ports.logger.warn('ignored an SES event this handler does not know', {
        issue: parsed.error.issues[0]?.path.join('.'),
      });
      return empty;
    }
    const event = parsed.data;
    const tenantId = event.mail.tags['tenant_id']?.[0];
    if (!tenantId || !isTenantId(tenantId)) {
      this.ports.logger.warn('ignored an SES event without a tenant tag', {
        message_id: event.mail.messageId,
      });
      return empty;
    }

    // Every event settles its send first (one consistent read when it is already settled).
    const sendKeyTag = event.mail.tags[SEND_KEY_TAG]?.[0];
    const sendKey = sendKeyTag ? decodeSendKey(sendKeyTag) : undefined;
    const settled = sendKey
      ? await this.ports.reconciler.fromEvent(tenantId, sendKey, {
          type: event.eventType,
          messageId: event.mail.messageId,
          at: new Date(event.mail.timestamp ?? this.ports.clock.now().toISOString()),
        })
      : undefined;
    const settledPart = settled ? { settled } : {};
    if (event.eventType !== 'Bounce' && event.eventType !== 'Complaint')
      return { ...empty, tenantId, ...settledPart };

    const tenant = await this.ports.tenants.get(tenantId);
    if (!tenant) {
      this.ports.logger.warn('ignored an SES event without a known tenant tag', {
        message_id: event.mail.messageId,
      });
      return { ...empty, ...settledPart };
    }

    const feedback =
      event.eventType === 'Bounce' && event.bounce
        ? {
            kind:
              event.bounce.bounceType === 'Permanent'
                ? ('bounce' as const)
                : ('soft_bounce' as const),
            recipients: event.bounce.bouncedRecipients,
            at: new Date(event.bounce.timestamp),
            feedbackId: event.bounce.feedbackId,
          }
        : event.complaint
          ? {
              kind: 'complaint' as const,
              recipients: event.complaint.complainedRecipients,
              at: new Date(event.complaint.timestamp),
              feedbackId: event.complaint.feedbackId,
            }
          : undefined;
    if (!feedback) return { ...empty, tenantId, ...settledPart };

    let counted = 0;
    let duplicates = 0;
    let suppressed = 0;
    for (const recipient of feedback.recipients) {
      const email = recipient.emailAddress.trim().toLowerCase();
      if (feedback.kind !== 'soft_bounce') {
        const added = await this.ports.suppressions.add(
          tenantId,
          email,
          feedback.kind === 'bounce' ? 'hard_bounce' : 'complaint',
          'ses',
        );
        if (added) suppressed += 1;
      }
      const appended = await this.ports.outcomes.append(
        tenantId,
        `ses-${createHash('sha256').update(`${feedback.feedbackId}\u0000${email}`).digest('hex').slice(0, 24)}`,
        {
          kind: 'bounce',
          email,
          bounceType:
            feedback.kind === 'bounce'
              ? 'hard'
              : feedback.kind === 'soft_bounce'
                ? 'soft'
                : 'complaint',
        },
        feedback.at,
      );
      if (!appended) {
        duplicates += 1;
        continue;
      }
      await this.ports.rates.recordFeedback(
        tenantId,
        localDateKey(feedback.at, tenant.timeZone),
        feedback.kind,
        this.ports.clock.now(),
      );
      counted += 1;
      this.ports.metric(
        feedback.kind === 'complaint' ? METRIC_NAMES.emailComplaints : METRIC_NAMES.emailBounces,
        1,
      );
    }

    const now = this.ports.clock.now();
    const stats = await this.ports.rates.stats(
      tenantId,
      localDateKey(
        new Date(now.getTime() - (DELIVERABILITY_THRESHOLDS.windowDays - 1) * 86_400_000),
        tenant.timeZone,
      ),
      localDateKey(now, tenant.timeZone),
    );
    await this.ports.states.setDeliverability(tenantId, stats);
    const verdict = deliverabilityVerdict(stats);
    this.ports.metric(METRIC_NAMES.bounceRate, verdict.bounceRate * 100, { tenant: tenantId });
    this.ports.metric(METRIC_NAMES.complaintRate, verdict.complaintRate * 100, {
      tenant: tenantId,
    });
    let paused = false;
    if (verdict.pause) {
      paused = await this.ports.states.pause(tenantId, {
        reason: verdict.pause.reason,
        detail: verdict.pause.detail,
        at: now,
      });
      if (paused) {
        this.ports.metric(SENDING_PAUSED_METRIC, 1, { tenant: tenantId });
        this.ports.logger.error('sending paused for the tenant: deliverability over threshold', {
          tenant_id: tenantId,
          reason: verdict.pause.reason,
          detail: verdict.pause.detail,
        });
      }
    }
    this.ports.logger.info('SES feedback processed', {
      tenant_id: tenantId,
      kind: feedback.kind,
      counted,
      duplicates,
      suppressed,
    });
    return { tenantId, ...settledPart, counted, duplicates, suppressed, paused, stats };
  }
}

function isTenantId(value: string): boolean {
  try {
    assertTenantId(value);
    return true;
  } catch {
    return false;
  }
}
