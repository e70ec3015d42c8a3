import { sendingIdentityOf } from '../../domain/sending-identity.js';

/** How many tenants' From domains one processor remembers. */
export const EXPECTED_IDENTITIES_REMEMBERED = 1_000;

/**
 * The sending identity (From domain) a processor expects a tenant's next send to use, so the load
 * can read that identity's ladder with the send's snapshot: the tenant's last From domain, else
 * the deployment's default. It remembers domain names only, never a ladder state; a wrong guess
 * (the tenant's settings changed) costs the limiter its own read of the right ladder.
 */
export class ExpectedIdentity {
  private readonly last = new Map<string, string>();

  constructor(
    private readonly defaultFromAddress: string,
    private readonly capacity = EXPECTED_IDENTITIES_REMEMBERED,
  ) {}

  /** The identity to read with the tenant's next snapshot, or undefined when none can be derived. */
  next(tenantId: string): string | undefined {
    const known = this.last.get(tenantId);
    if (known) return known;
    try {
      return sendingIdentityOf(this.defaultFromAddress);
    } catch {
      return undefined;
    }
  }

  /** Records the From address a tenant's send actually uses; returns it unchanged. */
  saw(tenantId: string, fromAddress: string): string {
    let identity: string;
    try {
      identity = sendingIdentityOf(fromAddress);
    } catch {
      return fromAddress; // An unusable From address is the limiter's to refuse.
    }
    this.last.delete(tenantId);
    this.last.set(tenantId, identity);
    if (this.last.size > this.capacity) {
      const oldest = this.last.keys().next().value;
      if (oldest !== undefined) this.last.delete(oldest);
    }
    return fromAddress;
  }
}
