import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';

/** Options of {@link injectCycleContext}. */
export interface InjectCycleContextOptions {
  readonly logger: Logger;
  /** The step name logged as `phase` (e.g. `plan`). */
  readonly phase: string;
  /** Supplies the time for `duration_ms`; the system clock by default. */
  readonly now?: () => number;
}

const defaults = { now: () => performance.now() };

/** The log keys this middleware owns. */
const CYCLE_KEYS = ['tenant_id', 'run_id', 'hour_key', 'phase'] as const;

/**
 * The run id a cycle event names: the one BeginCycle returned (`gates.runId`), else the execution
 * name (`<tenantId>-<hourKey>`), which BeginCycle adopts as the run id, so the first step's lines
 * and a RecordFailure after a failed BeginCycle carry it too.
 */
export function runIdOf(event: unknown): string | undefined {
  const value = (event ?? {}) as { gates?: { runId?: unknown }; executionName?: unknown };
  if (typeof value.gates?.runId === 'string') return value.gates.runId;
  if (typeof value.executionName === 'string' && value.executionName.length > 0)
    return value.executionName;
  return undefined;
}

/**
 * Adds `tenant_id`, `run_id`, `hour_key` and `phase` from the cycle event to every log line of the
 * invocation, and logs one summary line with `duration_ms` at the end (or the error).
 *
 * The keys are cleared when the next invocation starts, not at the end of this one: middlewares
 * that log after this one's `after` (Powertools Metrics warns about an invocation without metrics)
 * still carry them. Pair it with `injectLambdaContext(logger, { resetKeys: true })`, which clears
 * them after the whole chain.
 *
 * @example
 * middy(handler)
 *   .use(injectLambdaContext(logger, { resetKeys: true }))
 *   .use(injectCycleContext({ logger, phase: 'plan' }));
 */
export function injectCycleContext(
  options: InjectCycleContextOptions,
): MiddlewareObj<unknown, unknown, Error, Context, Record<string, unknown>> {
  const settings = { ...defaults, ...options };
  const key = 'injectCycleContext';
  return {
    before: (request) => {
      const event = (request.event ?? {}) as { tenantId?: unknown; hourKey?: unknown };
      const runId = runIdOf(event);
      settings.logger.removeKeys([...CYCLE_KEYS]);
      settings.logger.appendKeys({
        phase: settings.phase,
        ...(typeof event.tenantId === 'string' ? { tenant_id: event.tenantId } : {}),
        ...(typeof event.hourKey === 'string' ? { hour_key: event.hourKey } : {}),
        ...(runId ? { run_id: runId } : {}),
      });
      request.internal[key] = settings.now();
    },
    after: (request) => {
      const started = request.internal[key] as number;
      const result = request.response as { runId?: unknown } | undefined;
      if (typeof result?.runId === 'string') settings.logger.appendKeys({ run_id: result.runId });
      settings.logger.info('step completed', { duration_ms: Math.round(settings.now() - started) });
    },
    onError: (request) => {
      const started = request.internal[key] as number;
      settings.logger.error('step failed', {
        duration_ms: Math.round(settings.now() - started),
        error: request.error,
      });
    },
  };
}
