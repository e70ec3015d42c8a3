import * as z from '../zod.js';
import { ValidationError } from '../errors.js';
import type { ReflectionBody } from '../domain/reflection.js';

/** What starts a cycle execution: one tenant, one hour. */
export const cycleInputSchema = z.object({
  tenantId: z.string().check(z.minLength(1)),
  hourKey: z.string().check(z.regex(/^\d{10}$/, 'expected yyyyMMddHH')),
  executionName: z.optional(z.string()),
});
export type CycleInput = z.infer<typeof cycleInputSchema>;

export interface GatesResult {
  readonly proceed: boolean;
  readonly runId: string;
  readonly cycleNumber: number;
  readonly reason?: string;
  /** The organisation whose cycle slot BeginCycle takes; absent when the tenant is its own. */
  readonly organisation?: string;
}

export interface LockResult {
  readonly acquired: boolean;
  readonly owner?: string;
  readonly fence?: number;
  readonly holder?: string;
}

/**
 * The state passed between the cycle's steps: the input plus each step's small result under its
 * own key (ids and counts only, never data sets).
 */
export const cycleStateSchema = z.extend(cycleInputSchema, {
  gates: z.optional(
    z.object({
      proceed: z.boolean(),
      runId: z.string().check(z.minLength(1)),
      cycleNumber: z.number(),
      reason: z.optional(z.string()),
      organisation: z.optional(z.string()),
    }),
  ),
  lock: z.optional(
    z.object({
      acquired: z.boolean(),
      owner: z.optional(z.string()),
      fence: z.optional(z.number()),
      holder: z.optional(z.string()),
    }),
  ),
  plan: z.optional(z.record(z.string(), z.unknown())),
  act: z.optional(z.record(z.string(), z.unknown())),
  react: z.optional(z.record(z.string(), z.unknown())),
  reflect: z.optional(z.record(z.string(), z.unknown())),
  error: z.optional(z.object({ Error: z.optional(z.string()), Cause: z.optional(z.string()) })),
});
export type CycleState = z.infer<typeof cycleStateSchema>;

/** The previous reflection's figures Plan read, as its result hands them to Reflect. */
export type PreviousReflection = Pick<ReflectionBody, 'metrics' | 'hints'>;

/** Parses a step's input, naming the first bad field in the error. */
export function parseCycleState(input: unknown): CycleState {
  const parsed = cycleStateSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(
      issue?.path.join('.') || 'input',
      issue?.message ?? 'invalid cycle input',
    );
  }
  return parsed.data;
}

/** The run id of a state that passed the gates; steps after BeginCycle require it. */
export function requireRun(state: CycleState): { runId: string; cycleNumber: number } {
  if (!state.gates?.runId) throw new ValidationError('gates.runId', 'is required after BeginCycle');
  return { runId: state.gates.runId, cycleNumber: state.gates.cycleNumber };
}

/** Names of the cycle's phases as recorded on the run record. */
export const PHASES = ['plan', 'act', 'react', 'reflect'] as const;
export type Phase = (typeof PHASES)[number];
