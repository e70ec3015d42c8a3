import type { MessageAnalysis } from '../domain/ingest/analyse.js';
import { SES_MESSAGE_ID_DOMAINS } from '../domain/ingest/classify.js';
import {
  judgeReportRecipient,
  reportEvidence,
  type ReportTrust,
} from '../domain/ingest/report-trust.js';
import type { IngestRuntime } from './runtime.js';

/** Most recipients of one report acted on; any beyond are counted in `notProcessed`, never dropped silently. */
export const MAX_REPORT_RECIPIENTS = 1_000;
/** Recipients listed one by one on the message record (items stay small); the rest are counted. */
export const MAX_LISTED_RECIPIENTS = 50;
/** Suppression and outcome writes of one report in flight at once. */
const WRITE_CONCURRENCY = 8;

/** One reported recipient as listed on the message record. */
export interface ReportedRecipient {
  readonly email: string;
  readonly contactId?: string;
  readonly reason: string;
  readonly bounceType: 'hard' | 'soft' | 'complaint';
  readonly status?: string;
  /** `trusted`, or why the report was not acted on for this address. */
  readonly trust: 'trusted' | 'not_sent_by_us' | 'untrusted_report';
  /** On what ground a trusted recipient was believed. */
  readonly basis?: 'our_message' | 'recipient_side';
}

/** What ingest did with a delivery report; recorded on the message record as `report`. */
export interface ReportSummary {
  /** Recipients the report names. */
  readonly recipients: number;
  /** Trusted hard bounces (each suppressed, with a `bounce` outcome). */
  readonly hard: number;
  /** Trusted soft bounces and delays (a `bounce` outcome each; never suppressed). */
  readonly soft: number;
  /** Addresses newly suppressed by this report. */
  readonly suppressed: number;
  /** Recipients not acted on because the report could not be trusted for them. */
  readonly untrusted: number;
  /** Recipients beyond {@link MAX_REPORT_RECIPIENTS}, counted and not acted on. */
  readonly notProcessed: number;
  /** The first {@link MAX_LISTED_RECIPIENTS} recipients; `listedOmitted` counts the rest. */
  readonly listed: readonly ReportedRecipient[];
  readonly listedOmitted: number;
}

/**
 * Acts on the failed recipients of a delivery report under the inbound trust rule (DESIGN.md §5):
 * a recipient is believed only if we sent to it and the report names our send to it or comes from
 * its own side (see `judgeReportRecipient`); a believed hard bounce is suppressed, a believed soft
 * bounce or delay only counted (`bounce` outcome), an unbelieved one recorded and left alone. Up
 * to {@link MAX_REPORT_RECIPIENTS} recipients are processed, the rest counted. Idempotent on
 * retry (conditional suppressions, outcome ids derived from the message id and position).
 */
export async function processDeliveryReport(
  runtime: IngestRuntime,
  tenantId: string,
  gmailMessageId: string,
  analysis: MessageAnalysis,
  ownDomains: readonly string[],
): Promise<ReportSummary> {
  const { repos } = runtime;
  const all = reportedRecipients(analysis);
  const recipients = all.slice(0, MAX_REPORT_RECIPIENTS);
  const evidence = reportEvidence(analysis.message);
  const sent = await repos.sentMail.sentTo(
    tenantId,
    recipients.map((recipient) => recipient.email),
  );
  const messageIdDomains = [...SES_MESSAGE_ID_DOMAINS, ...ownDomains];

  const verdicts: ReportTrust[] = recipients.map((recipient) =>
    judgeReportRecipient(recipient.email, evidence, sent.get(recipient.email), messageIdDomains),
  );
  let suppressed = 0;
  await forEachBounded(recipients, WRITE_CONCURRENCY, async (recipient, index) => {
    if (!verdicts[index]?.trusted) return;
    await repos.outcomes.append(tenantId, `gmail-${gmailMessageId}-bounce-${index}`, {
      kind: 'bounce',
      email: recipient.email,
      bounceType: recipient.bounceType,
    });
    if (recipient.bounceType !== 'soft') {
      const added = await repos.suppressions.add(
        tenantId,
        recipient.email,
        recipient.bounceType === 'hard' ? 'hard_bounce' : 'complaint',
        `gmail:${gmailMessageId}`,
      );
      if (added) suppressed += 1;
    }
  });

  const listed: ReportedRecipient[] = [];
  for (const [index, recipient] of recipients.slice(0, MAX_LISTED_RECIPIENTS).entries()) {
    const verdict = verdicts[index];
    const contact = await repos.contacts.findByEmail(tenantId, recipient.email);
    listed.push({
      email: recipient.email,
      ...(contact ? { contactId: contact.contactId } : {}),
      reason: recipient.reason,
      bounceType: recipient.bounceType,
      ...(recipient.status ? { status: recipient.status } : {}),
      ...(verdict?.trusted
        ? { trust: 'trusted' as const, basis: verdict.basis }
        : { trust: verdict?.reason ?? 'untrusted_report' }),
    });
  }

  const trusted = recipients.filter((_, index) => verdicts[index]?.trusted);
  const summary: ReportSummary = {
    recipients: all.length,
    hard: trusted.filter((recipient) => recipient.bounceType !== 'soft').length,
    soft: trusted.filter((recipient) => recipient.bounceType === 'soft').length,
    suppressed,
    untrusted: recipients.length - trusted.length,
    notProcessed: all.length - recipients.length,
    listed,
    listedOmitted: recipients.length - listed.length,
  };
  if (summary.untrusted > 0) {
    runtime.metric('IngestReportRecipientsUntrusted', summary.untrusted);
    runtime.logger.warn('delivery report not trusted for some recipients; not acted on', {
      tenant_id: tenantId,
      message_id: gmailMessageId,
      untrusted: summary.untrusted,
      recipients: summary.recipients,
    });
  }
  if (summary.notProcessed > 0)
    runtime.metric('IngestReportRecipientsNotProcessed', summary.notProcessed);
  return summary;
}

/**
 * The recipients a report names: a delivery report's failed or delayed recipients, or an ARF
 * feedback report's complainers (`Original-Rcpt-To`), which take the complaint path.
 */
function reportedRecipients(analysis: MessageAnalysis): readonly {
  readonly email: string;
  readonly bounceType: 'hard' | 'soft' | 'complaint';
  readonly reason: string;
  readonly status?: string;
}[] {
  const { classification } = analysis;
  if (classification.class === 'feedback_report') {
    return (classification.feedback?.recipients ?? []).map((email) => ({
      email,
      bounceType: 'complaint' as const,
      reason: `feedback:${classification.feedback?.feedbackType ?? 'abuse'}`,
    }));
  }
  return classification.bounce?.recipients ?? [];
}

/** Runs `work` over `items` with at most `limit` calls in flight; rejects with the first failure. */
async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
