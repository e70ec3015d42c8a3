import { join } from 'node:path';
import * as z from 'zod';
import { JsonObjectFile } from '../../shared/adapters/json-object-file.js';
import { StaticDnsZone } from '../../shared/adapters/dns/dns-resolver.js';
import type { SesIdentityFacts } from '../../shared/domain/domain-health.js';
import type { DomainHealthPorts } from '../../shared/sending/domain-health-check.js';

/** The file in a local data dir that stands in for SES identities and public DNS. */
export const LOCAL_IDENTITIES_FILE = 'sending-identities.json';

const identitySchema = z.object({
  verified: z.boolean(),
  dkim: z.string(),
  mailFromDomain: z.string().optional(),
  mailFromStatus: z.string().optional(),
});

const registrySchema = z.object({
  /** Domain → what SES would report for it. */
  identities: z.record(z.string(), identitySchema).default({}),
  /** DNS name → TXT records (`_dmarc.<domain>`, the MAIL FROM domain's SPF). */
  dns: z.record(z.string(), z.array(z.string())).default({}),
});

/** The local identity registry's content (the JSON file's shape). */
export type LocalIdentityRegistry = z.input<typeof registrySchema>;

/**
 * The embedded stack's SES identities and DNS zone as domain-health ports: the emulator accepts
 * any sender, so what "verified" and "published" mean locally is what the registry says. A
 * domain it does not list is not an identity; a name it does not list has no TXT record.
 */
export function localIdentityPorts(registry: LocalIdentityRegistry): DomainHealthPorts {
  const parsed = registrySchema.safeParse(registry);
  if (!parsed.success)
    throw new Error(
      `${LOCAL_IDENTITIES_FILE}: ${parsed.error.issues.map((issue) => issue.path.join('.') || 'root').join(', ')} invalid`,
    );
  const identities = new Map<string, SesIdentityFacts>(
    Object.entries(parsed.data.identities).map(([domain, facts]) => [
      domain.toLowerCase(),
      {
        verified: facts.verified,
        dkim: facts.dkim,
        ...(facts.mailFromDomain ? { mailFromDomain: facts.mailFromDomain } : {}),
        ...(facts.mailFromStatus ? { mailFromStatus: facts.mailFromStatus } : {}),
      },
    ]),
  );
  return {
    identities: { describe: async (identity) => identities.get(identity.toLowerCase()) },
    dns: new StaticDnsZone(parsed.data.dns),
  };
}

/** The registry file of a local data dir (empty when the file does not exist). */
export function localIdentityFile(dataDir: string): JsonObjectFile {
  return new JsonObjectFile(join(dataDir, LOCAL_IDENTITIES_FILE), {
    describe: 'SES identities and DNS records',
  });
}

/** Reads a data dir's registry as domain-health ports (see {@link localIdentityPorts}). */
export async function loadLocalIdentityPorts(dataDir: string): Promise<DomainHealthPorts> {
  return localIdentityPorts((await localIdentityFile(dataDir).read()) as LocalIdentityRegistry);
}

/**
 * The registry entries of a domain set up as go-live asks: DKIM verified, MAIL FROM
 * `bounce.<domain>` with its SPF include, and a DMARC record (each part can be left out).
 */
export function publishedDomain(
  domain: string,
  parts: { readonly dkim?: boolean; readonly spf?: boolean; readonly dmarc?: boolean } = {},
): Required<LocalIdentityRegistry> {
  const mailFrom = `bounce.${domain}`;
  return {
    identities: {
      [domain]: {
        verified: parts.dkim !== false,
        dkim: parts.dkim === false ? 'PENDING' : 'SUCCESS',
        mailFromDomain: mailFrom,
        mailFromStatus: 'SUCCESS',
      },
    },
    dns: {
      ...(parts.spf === false ? {} : { [mailFrom]: ['v=spf1 include:amazonses.com ~all'] }),
      ...(parts.dmarc === false ? {} : { [`_dmarc.${domain}`]: ['v=DMARC1; p=none'] }),
    },
  };
}
