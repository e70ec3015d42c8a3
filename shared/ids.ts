import { monotonicFactory, type PRNG } from 'ulid';
import type { Clock } from './clock.js';

/** Produces sortable unique ids (ULID) whose time part comes from the injected clock. */
export type IdGenerator = () => string;

/**
 * Creates a ULID generator bound to a clock. Ids from one generator sort in creation order even
 * within the same millisecond. Pass `random` (values in [0, 1)) for reproducible ids in simulations.
 *
 * @example
 * const newId = createIdGenerator(new SystemClock());
 * const runId = newId(); // "01JD…"
 */
export function createIdGenerator(clock: Clock, random?: () => number): IdGenerator {
  const next = monotonicFactory(random as PRNG | undefined);
  return () => next(clock.now().getTime());
}

/**
 * A small deterministic PRNG (mulberry32) for reproducible simulations; not for secrets.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
