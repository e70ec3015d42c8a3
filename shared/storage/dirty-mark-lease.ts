import type { TenantWakeRepository } from './tenant-wake-repository.js';

/** How far past an outcome's write a sender's dirty mark reaches, so later outcomes need none. */
export const SEND_DIRTY_LEASE_MS = 60_000;

/** How many tenants' leases one container remembers. */
const LEASES_REMEMBERED = 1_000;

/**
 * Dirty marks for a writer that appends many outcomes for one tenant in a short time (the
 * sender): the mark it writes says "input until `at + leaseMs`" (`dirtyAt` in the future), and an
 * outcome written at or before that instant needs no mark of its own. Safe because Reflect
 * settles only when `dirtyAt` is older than the newest input its React could fold, so every
 * outcome the lease covered was inside that fold window. A lease is remembered only after its
 * mark was written; what is remembered is our own write, never a read of the item.
 */
export class DirtyMarkLease {
  private readonly until = new Map<string, number>();

  constructor(
    private readonly wake: Pick<TenantWakeRepository, 'markDirty'>,
    private readonly leaseMs = SEND_DIRTY_LEASE_MS,
  ) {}

  /** Marks the tenant dirty for an outcome written at `at`, unless a lease already covers it. */
  async mark(tenantId: string, at: Date): Promise<void> {
    const covered = this.until.get(tenantId);
    if (covered !== undefined && at.getTime() <= covered) return;
    const leaseEnd = at.getTime() + this.leaseMs;
    const written = await this.wake.markDirty(tenantId, new Date(leaseEnd));
    this.until.delete(tenantId);
    if (!written) return;
    this.until.set(tenantId, leaseEnd);
    if (this.until.size > LEASES_REMEMBERED) {
      const oldest = this.until.keys().next().value;
      if (oldest !== undefined) this.until.delete(oldest);
    }
  }
}
