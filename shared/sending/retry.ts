/** Options of {@link retryWithBackoff}. */
export interface RetryOptions {
  /** Total attempts, the first included. */
  readonly attempts: number;
  /** Delay before the second attempt; doubles each time (full jitter). */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Whether an error is worth another attempt. */
  readonly retryable: (error: unknown) => boolean;
  /** Waits; injected so tests and the simulator never sleep. */
  readonly sleep: (ms: number) => Promise<void>;
  /** A number in [0, 1) for jitter. */
  readonly random: () => number;
}

/**
 * Calls `fn` until it succeeds, an error is not retryable, or the attempts run out; between
 * attempts waits a random time up to `baseDelayMs × 2^n` (capped), so retries from many senders
 * spread out. Throws the last error, with `attempts` (how many were made) attached.
 */
export async function retryWithBackoff<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= options.attempts || !options.retryable(error)) {
        if (error instanceof Error) Object.assign(error, { attempts: attempt });
        throw error;
      }
      const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      await options.sleep(Math.floor(options.random() * ceiling));
    }
  }
}

/** A real wait, for Lambda. */
export function realSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
