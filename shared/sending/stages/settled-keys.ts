/** How many settled keys one reconciler remembers (a few hundred bytes each). */
export const SETTLED_KEYS_REMEMBERED = 2_000;

/**
 * The keys a reconciler saw in a final status, newest kept, oldest forgotten past `capacity`.
 * A final status never changes (every later transition is conditional on an open or unsettled
 * one), so an event for a remembered key needs no read: SES publishes several events per message
 * (Send, then Delivery, Bounce, …), and after the first one the record is known to be settled.
 */
export class SettledKeys {
  private readonly statuses = new Map<string, string>();

  constructor(private readonly capacity = SETTLED_KEYS_REMEMBERED) {}

  /** The final status remembered for a key, if any. */
  get(tenantId: string, idempotencyKey: string): string | undefined {
    return this.statuses.get(`${tenantId}\u0000${idempotencyKey}`);
  }

  /** Remembers a key's final status. */
  remember(tenantId: string, idempotencyKey: string, status: string): void {
    const key = `${tenantId}\u0000${idempotencyKey}`;
    this.statuses.delete(key);
    this.statuses.set(key, status);
    if (this.statuses.size > this.capacity) {
      const oldest = this.statuses.keys().next().value;
      if (oldest !== undefined) this.statuses.delete(oldest);
    }
  }
}
