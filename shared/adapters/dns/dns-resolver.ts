import { resolveTxt } from 'node:dns/promises';

/** Looks up DNS TXT records; each record's strings joined. A name with no TXT record answers `[]`. */
export interface DnsResolver {
  txt(name: string): Promise<string[]>;
}

/** Answers that mean "this name has no TXT record", not "DNS failed". */
const NO_RECORD_CODES = new Set(['ENOTFOUND', 'ENODATA']);

/** The system resolver (`node:dns/promises`); used on AWS, where the domains are public. */
export const SYSTEM_DNS: DnsResolver = {
  async txt(name) {
    try {
      return (await resolveTxt(name)).map((chunks) => chunks.join(''));
    } catch (error) {
      if (NO_RECORD_CODES.has((error as NodeJS.ErrnoException).code ?? '')) return [];
      throw error;
    }
  },
};

/**
 * A fixed zone (name → TXT records), for the embedded stack, which has no DNS of its own: the
 * local identity registry provides it. Names are matched case-insensitively.
 */
export class StaticDnsZone implements DnsResolver {
  private readonly records: ReadonlyMap<string, readonly string[]>;

  constructor(records: Readonly<Record<string, readonly string[]>>) {
    this.records = new Map(
      Object.entries(records).map(([name, values]) => [name.toLowerCase(), values]),
    );
  }

  async txt(name: string): Promise<string[]> {
    return [...(this.records.get(name.toLowerCase()) ?? [])];
  }
}
