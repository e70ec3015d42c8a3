import {
  domainMatches,
  messageIdDomain,
  normalizeMessageId,
  parseMessageIdList,
} from './message-ids.js';

/**
 * Inbound trust for delivery reports (DESIGN.md §5 "Inbound trust"): anyone can mail a
 * `multipart/report`, so a report may suppress an address only if we sent to it and the report
 * either names the message we sent to it or comes from the recipient's own side.
 */

/** What a delivery report says about itself that can tie it to our send or to the recipient's side. */
export interface ReportEvidence {
  /**
   * Normalised Message-IDs the report names: its own In-Reply-To and References, the returned
   * original's Message-ID, In-Reply-To and References, and any X-Original-Message-ID.
   */
  readonly referencedIds: readonly string[];
  /** Hosts the report says it comes from: the From address's domain and the Reporting-MTA. */
  readonly reporterHosts: readonly string[];
  /**
   * The receiving server's Authentication-Results (the topmost one, which our mailbox provider
   * adds) say the From domain failed DMARC, or failed SPF without a passing DKIM signature.
   */
  readonly unauthenticated: boolean;
}

/** The parts of a parsed report the evidence is read from (a subset of `MessageAnalysis.message`). */
export interface ReportSource {
  readonly from?: { readonly address: string };
  readonly inReplyTo: readonly string[];
  readonly references: readonly string[];
  readonly headers: ReadonlyMap<string, readonly string[]>;
  readonly deliveryStatus?: string;
  readonly returnedHeaders?: string;
}

/** Whether one reported recipient may be acted on, and on what ground. */
export type ReportTrust =
  | { readonly trusted: true; readonly basis: 'our_message' | 'recipient_side' }
  | { readonly trusted: false; readonly reason: 'not_sent_by_us' | 'untrusted_report' };

/** Reads the {@link ReportEvidence} of a delivery report. Pure; never throws on odd input. */
export function reportEvidence(report: ReportSource): ReportEvidence {
  const returned = headerFields(report.returnedHeaders ?? '');
  const status = headerFields(report.deliveryStatus ?? '');
  const ids = [
    ...report.inReplyTo,
    ...report.references,
    ...parseMessageIdList(returned.get('message-id')?.join(' ')),
    ...parseMessageIdList(returned.get('in-reply-to')?.join(' ')),
    ...parseMessageIdList(returned.get('references')?.join(' ')),
    ...parseMessageIdList(status.get('x-original-message-id')?.join(' ')),
    ...parseMessageIdList(report.headers.get('x-original-message-id')?.join(' ')),
  ]
    .map((id) => normalizeMessageId(id))
    .filter((id): id is string => id !== undefined);

  const fromDomain = report.from?.address.split('@')[1];
  const reportingMta = /^[a-z0-9-]+\s*;\s*\[?([a-z0-9.-]+)/i.exec(
    status.get('reporting-mta')?.[0] ?? '',
  )?.[1];
  const hosts = [fromDomain, reportingMta]
    .filter((host): host is string => !!host)
    .map((host) => host.toLowerCase().replace(/\.$/, ''));

  const authentication = report.headers.get('authentication-results')?.[0]?.toLowerCase() ?? '';
  const unauthenticated =
    /\bdmarc=fail\b/.test(authentication) ||
    (/\bspf=(fail|softfail)\b/.test(authentication) && !/\bdkim=pass\b/.test(authentication));

  return {
    referencedIds: [...new Set(ids)],
    reporterHosts: [...new Set(hosts)],
    unauthenticated,
  };
}

/**
 * Judges one recipient of a delivery report. `sentMessageIds` are the provider Message-IDs of
 * our sends to that address (`undefined` when we never sent to it); `ownDomains` are the domains
 * our Message-IDs carry (SES's and the tenant's).
 *
 * - never sent to → `not_sent_by_us`;
 * - a referenced Message-ID is ours (its domain is one of `ownDomains`) and is one we sent to this
 *   address (its local part, or the whole id, is in `sentMessageIds`) → `our_message`;
 * - the From domain or Reporting-MTA is the recipient's domain or a subdomain of it, and the
 *   mailbox provider did not find the From domain forged → `recipient_side`;
 * - otherwise → `untrusted_report`.
 *
 * @example
 * judgeReportRecipient('zoe@bank.example', evidence, ['0100019b8b02aa17-…-000000'], ['amazonses.com']);
 * // { trusted: true, basis: 'our_message' }
 */
export function judgeReportRecipient(
  email: string,
  evidence: ReportEvidence,
  sentMessageIds: readonly string[] | undefined,
  ownDomains: readonly string[],
): ReportTrust {
  if (sentMessageIds === undefined) return { trusted: false, reason: 'not_sent_by_us' };
  const sent = new Set(sentMessageIds.map((id) => id.trim().toLowerCase()));
  const namesOurSend = evidence.referencedIds.some((id) => {
    const domain = messageIdDomain(id);
    if (domain === undefined || !ownDomains.some((own) => domainMatches(domain, own))) return false;
    return sent.has(id) || sent.has(id.slice(0, id.lastIndexOf('@')));
  });
  if (namesOurSend) return { trusted: true, basis: 'our_message' };
  const recipientDomain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  const fromRecipientSide =
    !evidence.unauthenticated &&
    recipientDomain !== '' &&
    evidence.reporterHosts.some((host) => domainMatches(host, recipientDomain));
  if (fromRecipientSide) return { trusted: true, basis: 'recipient_side' };
  return { trusted: false, reason: 'untrusted_report' };
}

/** Header-style fields (`Name: value`, folded lines joined) of a block of text, by lower-case name. */
function headerFields(text: string): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  for (const line of text
    .replace(/\r\n?/g, '\n')
    .replace(/\n[ \t]+/g, ' ')
    .split('\n')) {
    const match = /^([A-Za-z][A-Za-z0-9-]*)\s*:\s*(.*)$/.exec(line);
    if (!match?.[1]) continue;
    const name = match[1].toLowerCase();
    fields.set(name, [...(fields.get(name) ?? []), (match[2] ?? '').trim()]);
  }
  return fields;
}
