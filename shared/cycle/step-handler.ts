import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '../middleware/capture-lambda-handler.js';
import type { Context } from 'aws-lambda';
import type { Observability } from '../observability/observability.js';
import { injectCycleContext } from '../middleware/inject-cycle-context.js';
import { markTransientErrors } from '../middleware/mark-transient-errors.js';
import { redactErrors } from '../middleware/redact-errors.js';
import { annotateTenant } from '../middleware/annotate-tenant.js';
import type { CycleRuntime } from './runtime.js';

/**
 * A runtime that can hand out a copy whose data access is limited to one tenant (on AWS: clients
 * signed with the tenant-scoped role's session; see `tenantScopedCycleRuntime`).
 */
export interface TenantScoping<TRuntime> {
  readonly forTenant?: (tenantId: string) => TRuntime;
}

/** What a step handler is built from. */
export interface StepHandlerDeps<TRuntime = CycleRuntime> {
  /** Used as is, or through `forTenant(input.tenantId)` when the runtime has it and the input names a tenant. */
  readonly runtime: TRuntime & TenantScoping<TRuntime>;
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
  const runtimeFor = (input: TInput): TRuntime => {
    const tenantId = (input as { tenantId?: unknown } | null)?.tenantId;
    return deps.runtime.forTenant && typeof tenantId === 'string'
      ? deps.runtime.forTenant(tenantId)
      : deps.runtime;
  };
  return middy(async (event: unknown) => {
    const input = parse(event);
    return step(runtimeFor(input), input);
  })
    .use(captureLambdaHandler(tracer))
    .use(annotateTenant(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(injectCycleContext({ logger, phase: deps.phase }))
    .use(markTransientErrors())
    .use(redactErrors()) as unknown as StepHandler<TResult>;
}
