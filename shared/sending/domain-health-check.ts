import type { DnsResolver } from '../adapters/dns/dns-resolver.js';
import type { IdentityDirectory } from '../adapters/ses/identity-directory.js';
import {
  judgeDomainHealth,
  type DomainHealth,
  type SesIdentityFacts,
  type TxtAnswer,
} from '../domain/domain-health.js';
import { errorText } from '../observability/error-text.js';

/** Where a domain's health evidence is read: SES (or the local registry) and DNS (or its zone). */
export interface DomainHealthPorts {
  readonly identities: IdentityDirectory;
  readonly dns: DnsResolver;
}

/** Checks one sending domain: reads its evidence through `ports`, then {@link judgeDomainHealth}. */
export type DomainHealthCheck = (domain: string) => Promise<DomainHealth>;

/**
 * Builds the per-identity domain health check preflight and the rollout graduation criteria
 * share: DKIM and MAIL FROM from the identity directory, SPF at the MAIL FROM domain and DMARC at
 * `_dmarc.<domain>` from DNS. A failed read becomes an `unknown` check, never a thrown error.
 */
export function domainHealthCheck(ports: DomainHealthPorts): DomainHealthCheck {
  return async (domain) => {
    const [identity, dmarc] = await Promise.all([
      ports.identities.describe(domain).then(
        (facts): SesIdentityFacts | undefined => facts,
        (error: unknown) => ({ error: errorText(error) }),
      ),
      txt(ports.dns, `_dmarc.${domain}`),
    ]);
    const mailFrom = identity && !('error' in identity) ? identity.mailFromDomain : undefined;
    return judgeDomainHealth({
      domain,
      identity,
      dmarc,
      ...(mailFrom ? { spf: await txt(ports.dns, mailFrom) } : {}),
    });
  };
}

async function txt(dns: DnsResolver, name: string): Promise<TxtAnswer> {
  try {
    return { records: await dns.txt(name) };
  } catch (error) {
    return { error: errorText(error) };
  }
}
