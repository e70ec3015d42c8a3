import type { Clock } from '../clock.js';
import type { KillSwitchState } from '../domain/gates.js';

/** Something that reads the kill switch (the SSM-backed `KillSwitch`). */
export interface KillSwitchReader {
  read(): Promise<KillSwitchState | { readonly unreadable: string }>;
}

/**
 * Caches a readable kill-switch state for `ttlMs`, so a busy sender asks SSM at most once per
 * interval per instance instead of once per message (GetParameter's default throughput is 40 TPS
 * per account). A flip takes effect within `ttlMs`; an unreadable result is never cached.
 *
 * @example
 * const killSwitch = cachedKillSwitch(new KillSwitch(store, name), 5_000, new SystemClock());
 */
export function cachedKillSwitch(
  inner: KillSwitchReader,
  ttlMs: number,
  clock: Clock,
): KillSwitchReader {
  let cached: { state: KillSwitchState; until: number } | undefined;
  return {
    async read() {
      const now = clock.now().getTime();
      if (cached && now < cached.until) return cached.state;
      const state = await inner.read();
      cached = 'unreadable' in state ? undefined : { state, until: now + ttlMs };
      return state;
    },
  };
}
