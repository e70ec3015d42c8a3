import * as z from '../zod.js';
import type { CycleState, PreviousReflection } from './state.js';

const previousReflectionSchema = z.object({
  metrics: z.record(z.string(), z.number()),
  hints: z.array(z.record(z.string(), z.unknown())),
});

/**
 * The previous reflection as Plan's result in `state` carries it: the figures, `null` when Plan
 * found none, `undefined` when the state has no such result (Reflect then reads it itself).
 */
export function previousReflectionOf(state: CycleState): PreviousReflection | null | undefined {
  const handed = state.plan?.['previousReflection'];
  if (handed === null) return null;
  const parsed = previousReflectionSchema.safeParse(handed);
  return parsed.success ? (parsed.data as unknown as PreviousReflection) : undefined;
}
