/** What SES says about one domain identity (GetEmailIdentity, or the local identity registry). */
export interface SesIdentityFacts {
  readonly verified: boolean;
  /** `DkimAttributes.Status`: SUCCESS, PENDING, FAILED, TEMPORARY_FAILURE, NOT_STARTED. */
  readonly dkim: string;
  /** `MailFromAttributes.MailFromDomain`: the custom MAIL FROM domain, absent when SES's own is used. */
  readonly mailFromDomain?: string;
  /** `MailFromAttributes.MailFromDomainStatus`: SUCCESS, PENDING, FAILED, TEMPORARY_FAILURE. */
  readonly mailFromStatus?: string;
}

/** The answer of one TXT lookup: the records (empty when the name has none), or why it failed. */
export type TxtAnswer = { readonly records: readonly string[] } | { readonly error: string };

/** Everything the domain-health judgement reads, gathered by `checkDomainHealth`. */
export interface DomainEvidence {
  readonly domain: string;
  /** The SES identity; `undefined` when SES has none of this name. */
  readonly identity: SesIdentityFacts | undefined | { readonly error: string };
  /** TXT records at the custom MAIL FROM domain; absent when the identity has none. */
  readonly spf?: TxtAnswer;
  /** TXT records at `_dmarc.<domain>`. */
  readonly dmarc: TxtAnswer;
}

/** The three checks a sending domain must pass. */
export type DomainCheckName = 'dkim' | 'spf' | 'dmarc';

/** The verdict of one check: `unknown` when the evidence could not be read (never a pass). */
export interface DomainCheck {
  readonly name: DomainCheckName;
  readonly status: 'pass' | 'fail' | 'unknown';
  /** `<CHECK> for <domain>: <what was found>`. */
  readonly detail: string;
  readonly fix?: string;
}

/** A sending domain's health: one verdict per check, `healthy` only when all three pass. */
export interface DomainHealth {
  readonly domain: string;
  readonly healthy: boolean;
  readonly checks: readonly [DomainCheck, DomainCheck, DomainCheck];
}

const LABELS: Record<DomainCheckName, string> = { dkim: 'DKIM', spf: 'SPF', dmarc: 'DMARC' };

/** The SPF include that authorises SES's servers for a custom MAIL FROM domain. */
const SES_SPF_INCLUDE = 'include:amazonses.com';

/**
 * Judges a sending domain from its evidence: DKIM verified by SES, a custom MAIL FROM domain
 * whose SPF record includes amazonses.com (so SPF aligns with the From domain), and exactly one
 * `v=DMARC1` record at `_dmarc.<domain>`. A failed lookup is `unknown`, which is not healthy.
 */
export function judgeDomainHealth(evidence: DomainEvidence): DomainHealth {
  const labelled = (check: DomainCheck): DomainCheck => ({
    ...check,
    detail: `${LABELS[check.name]} for ${evidence.domain}: ${check.detail}`,
  });
  const checks = [
    labelled(dkimCheck(evidence)),
    labelled(spfCheck(evidence)),
    labelled(dmarcCheck(evidence)),
  ] as const;
  return {
    domain: evidence.domain,
    healthy: checks.every((check) => check.status === 'pass'),
    checks,
  };
}

/** The domain part of an address (`news@acme.example` → `acme.example`), lower-cased; a domain stays itself. */
export function domainOf(identity: string): string {
  return (
    identity.includes('@') ? identity.slice(identity.lastIndexOf('@') + 1) : identity
  ).toLowerCase();
}

function dkimCheck({ domain, identity }: DomainEvidence): DomainCheck {
  if (identity !== undefined && 'error' in identity)
    return {
      name: 'dkim',
      status: 'unknown',
      detail: `SES identity unreadable (${identity.error})`,
    };
  if (identity === undefined)
    return {
      name: 'dkim',
      status: 'fail',
      detail: 'not an SES identity',
      fix: `create the domain identity ${domain} in SES (Easy DKIM) and publish its three DKIM CNAME records`,
    };
  if (identity.verified && identity.dkim === 'SUCCESS')
    return { name: 'dkim', status: 'pass', detail: 'verified' };
  return {
    name: 'dkim',
    status: 'fail',
    detail: `identity verified ${identity.verified}, DKIM ${identity.dkim}`,
    fix: `publish the three DKIM CNAME records SES lists for ${domain}; SES verifies within 72 h`,
  };
}

function spfCheck({ domain, identity, spf }: DomainEvidence): DomainCheck {
  if (identity === undefined || 'error' in identity)
    return { name: 'spf', status: 'unknown', detail: 'no SES identity to read MAIL FROM from' };
  const mailFrom = identity.mailFromDomain;
  const fix = `set a custom MAIL FROM domain (e.g. bounce.${domain}) on the SES identity, publish its MX record and TXT "v=spf1 ${SES_SPF_INCLUDE} ~all"`;
  if (!mailFrom)
    return {
      name: 'spf',
      status: 'fail',
      detail: `no custom MAIL FROM domain (SPF passes for amazonses.com, not aligned with ${domain})`,
      fix,
    };
  if (identity.mailFromStatus !== 'SUCCESS')
    return {
      name: 'spf',
      status: 'fail',
      detail: `MAIL FROM ${mailFrom}: ${identity.mailFromStatus ?? 'status unknown'}`,
      fix,
    };
  if (!spf || 'error' in spf)
    return {
      name: 'spf',
      status: 'unknown',
      detail: `SPF lookup of ${mailFrom} failed${spf ? ` (${spf.error})` : ''}`,
    };
  const records = spf.records.filter((record) => record.toLowerCase().startsWith('v=spf1'));
  if (records.length === 1 && records[0]!.toLowerCase().split(/\s+/).includes(SES_SPF_INCLUDE))
    return { name: 'spf', status: 'pass', detail: `MAIL FROM ${mailFrom}: ${records[0]}` };
  return {
    name: 'spf',
    status: 'fail',
    detail:
      records.length === 0
        ? `no v=spf1 TXT record at ${mailFrom}`
        : records.length > 1
          ? `${records.length} v=spf1 records at ${mailFrom} (SPF allows one)`
          : `SPF at ${mailFrom} does not ${SES_SPF_INCLUDE}: ${records[0]}`,
    fix: `publish one TXT ${mailFrom} "v=spf1 ${SES_SPF_INCLUDE} ~all"`,
  };
}

function dmarcCheck({ domain, dmarc }: DomainEvidence): DomainCheck {
  if ('error' in dmarc)
    return {
      name: 'dmarc',
      status: 'unknown',
      detail: `DNS lookup of _dmarc.${domain} failed (${dmarc.error})`,
      fix: `check by hand: dig TXT _dmarc.${domain}`,
    };
  const records = dmarc.records.filter((record) => record.toLowerCase().startsWith('v=dmarc1'));
  if (records.length === 1) return { name: 'dmarc', status: 'pass', detail: records[0]! };
  return {
    name: 'dmarc',
    status: 'fail',
    detail:
      records.length === 0
        ? `no v=DMARC1 TXT record at _dmarc.${domain}`
        : `${records.length} v=DMARC1 records at _dmarc.${domain} (receivers ignore all of them)`,
    fix: `publish one TXT _dmarc.${domain} "v=DMARC1; p=none; rua=mailto:dmarc@${domain}" (tighten p= once reports are clean)`,
  };
}
