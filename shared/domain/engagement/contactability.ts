/**
 * Who the agent may reach out to (DESIGN.md section 5): a contact is contactable unless it is on a
 * do-not-contact list, suppressed (bounce, complaint, unsubscribe, manual) or only `discovered`
 * (seen in someone else's Cc/To or signature). Engagement compliance counts contactable contacts
 * only; the others are reported with their reason and never hold research back.
 */

/** The tenant's do-not-contact lists, as the gate and the engagement engine read them. */
export interface DoNotContactLists {
  readonly competitorDomains: readonly string[];
  readonly customerEmails: readonly string[];
  readonly customerAccountIds: readonly string[];
  readonly customerDomains: readonly string[];
}

/** What contactability is judged on. */
export interface ContactabilityInput {
  readonly email: string;
  readonly accountId?: string;
  /** Set when the address was only seen in another person's mail. */
  readonly discovered?: unknown;
  /** The suppression record's reason, when the address is suppressed. */
  readonly suppressionReason?: string;
}

/** Contactable, or not with a reason such as `do_not_contact:competitor`, `suppressed:hard_bounce`, `discovered`. */
export type Contactability =
  | { readonly contactable: true }
  | { readonly contactable: false; readonly reason: string; readonly detail: string };

/** The domain part of an address, lower-cased. */
export function emailDomain(email: string): string {
  return email
    .slice(email.lastIndexOf('@') + 1)
    .trim()
    .toLowerCase();
}

/** True when `domain` is one of `listed` or a subdomain of one (entries may start with `@`). */
export function inDomainList(domain: string, listed: readonly string[]): boolean {
  return listed.some((entry) => {
    const root = entry.trim().toLowerCase().replace(/^@/, '');
    return root !== '' && (domain === root || domain.endsWith(`.${root}`));
  });
}

/** The do-not-contact rule `email` (of `accountId`) falls under, with a detail; undefined when none. */
export function doNotContactReason(
  email: string,
  accountId: string | undefined,
  lists: DoNotContactLists,
): { readonly reason: string; readonly detail: string } | undefined {
  const address = email.trim().toLowerCase();
  const domain = emailDomain(address);
  if (inDomainList(domain, lists.competitorDomains))
    return { reason: 'do_not_contact:competitor', detail: `${domain} is a competitor domain` };
  if (lists.customerEmails.some((listed) => listed.trim().toLowerCase() === address))
    return {
      reason: 'do_not_contact:customer',
      detail: 'recipient is a listed existing customer',
    };
  if (inDomainList(domain, lists.customerDomains))
    return { reason: 'do_not_contact:customer', detail: `${domain} is a customer domain` };
  if (accountId && lists.customerAccountIds.includes(accountId))
    return { reason: 'do_not_contact:customer', detail: `account ${accountId} is a customer` };
  return undefined;
}

/**
 * Judges one contact: do-not-contact first, then suppression, then discovered-only.
 *
 * @example
 * contactabilityOf({ email: 'a@rival.example' }, { competitorDomains: ['rival.example'], … })
 * // { contactable: false, reason: 'do_not_contact:competitor', detail: 'rival.example is a competitor domain' }
 */
export function contactabilityOf(
  contact: ContactabilityInput,
  lists: DoNotContactLists,
): Contactability {
  const dnc = doNotContactReason(contact.email, contact.accountId, lists);
  if (dnc) return { contactable: false, ...dnc };
  if (contact.suppressionReason)
    return {
      contactable: false,
      reason: `suppressed:${contact.suppressionReason}`,
      detail: `recipient is suppressed (${contact.suppressionReason})`,
    };
  if (contact.discovered)
    return {
      contactable: false,
      reason: 'discovered',
      detail: 'the address was only seen in another person’s mail; it never wrote to the tenant',
    };
  return { contactable: true };
}

/** Not-contactable contacts counted by reason, as the report's `engagement.notContactable`. */
export interface NotContactableSummary {
  readonly count: number;
  readonly reasons: Readonly<Record<string, number>>;
}

/** Counts not-contactable verdicts by reason. */
export function summariseNotContactable(
  verdicts: readonly Contactability[],
): NotContactableSummary {
  const reasons: Record<string, number> = {};
  let count = 0;
  for (const verdict of verdicts) {
    if (verdict.contactable) continue;
    count += 1;
    reasons[verdict.reason] = (reasons[verdict.reason] ?? 0) + 1;
  }
  return { count, reasons };
}
