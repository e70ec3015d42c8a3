import * as z from 'zod';
import { ValidationError } from '../errors.js';
import type { ReflectionBody } from '../domain/reflection.js';

/** What starts a cycle execution: one tenant, one hour. */
export const cycleInputSchema = z.object({
  tenantId: z.string().min(1),
  hourKey: z.string().regex(/^\d{10}$/, 'expected yyyyMMddHH'),
  executionName: z.string().optional(),
});
export type CycleInput = z.infer<typeof cycleInputSchema>;

export interface GatesResult {
  readonly proceed: boolean;
  readonly runId: string;
  readonly cycleNumber: number;
  readonly reason?: string;
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
export const cycleStateSchema = cycleInputSchema.extend({
  gates: z
    .object({
      proceed: z.boolean(),
      runId: z.string().min(1),
      cycleNumber: z.number(),
      reason: z.string().optional(),
    })
    .optional(),
  lock: z
    .object({
      acquired: z.boolean(),
      owner: z.string().optional(),
      fence: z.number().optional(),
      holder: z.string().optional(),
    })
    .optional(),
  plan: z.record(z.string(), z.unknown()).optional(),
  act: z.record(z.string(), z.unknown()).optional(),
  react: z.record(z.string(), z.unknown()).optional(),
  reflect: z.record(z.string(), z.unknown()).optional(),
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
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

/** The run id of a state that passed the gates; steps after CheckGates require it. */
export function requireRun(state: CycleState): { runId: string; cycleNumber: number } {
  if (!state.gates?.runId) throw new ValidationError('gates.runId', 'is required after CheckGates');
  return { runId: state.gates.runId, cycleNumber: state.gates.cycleNumber };
}

/** Names of the cycle's phases as recorded on the run record. */
export const PHASES = ['plan', 'act', 'react', 'reflect'] as const;
export type Phase = (typeof PHASES)[number];
