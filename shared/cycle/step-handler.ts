import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context } from 'aws-lambda';
import type { Observability } from '../observability/observability.js';
import { injectCycleContext } from '../middleware/inject-cycle-context.js';
import { markTransientErrors } from '../middleware/mark-transient-errors.js';
import { redactErrors } from '../middleware/redact-errors.js';
import { annotateTenant } from '../middleware/annotate-tenant.js';
import type { CycleRuntime } from './runtime.js';

/** What a step handler is built from. */
export interface StepHandlerDeps<TRuntime = CycleRuntime> {
  readonly runtime: TRuntime;
  readonly observability: Observability;
  /** The step name logged as `phase`. */
  readonly phase: string;
}

/** A Lambda handler for one step: takes the state machine's input, returns the step's small result. */
export type StepHandler<TResult> = (event: unknown, context: Context) => Promise<TResult>;

/**
 * Wraps a step function in the house middy chain: Powertools logger context, metrics flush (with
 * the cold-start metric) and tracing (with a `tenant_id` annotation), cycle log keys (tenant_id, run_id, phase, duration_ms), transient-error marking and
 * secret redaction of the thrown error (so a Step Functions Cause never holds a token).
 * The step parses its own input, so a bad event fails with the offending field named.
 */
export function createStepHandler<TInput, TResult, TRuntime = CycleRuntime>(
  parse: (event: unknown) => TInput,
  step: (runtime: TRuntime, input: TInput) => Promise<TResult>,
  deps: StepHandlerDeps<TRuntime>,
): StepHandler<TResult> {
  const { logger, metrics, tracer } = deps.observability;
  return middy(async (event: unknown) => step(deps.runtime, parse(event)))
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(annotateTenant(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(injectCycleContext({ logger, phase: deps.phase }))
    .use(markTransientErrors())
    .use(redactErrors()) as unknown as StepHandler<TResult>;
}
