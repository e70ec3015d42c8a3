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

/**
 * Adds `tenant_id`, `run_id`, `hour_key` and `phase` from the cycle event to every log line of the
 * invocation, and logs one summary line with `duration_ms` at the end (or the error).
 *
 * @example
 * middy(handler).use(injectCycleContext({ logger, phase: 'plan' }));
 */
export function injectCycleContext(
  options: InjectCycleContextOptions,
): MiddlewareObj<unknown, unknown, Error, Context, Record<string, unknown>> {
  const settings = { ...defaults, ...options };
  const key = 'injectCycleContext';
  return {
    before: (request) => {
      const event = (request.event ?? {}) as {
        tenantId?: unknown;
        hourKey?: unknown;
        gates?: { runId?: unknown };
      };
      settings.logger.appendKeys({
        phase: settings.phase,
        ...(typeof event.tenantId === 'string' ? { tenant_id: event.tenantId } : {}),
        ...(typeof event.hourKey === 'string' ? { hour_key: event.hourKey } : {}),
        ...(typeof event.gates?.runId === 'string' ? { run_id: event.gates.runId } : {}),
      });
      request.internal[key] = settings.now();
    },
    after: (request) => {
      const started = request.internal[key] as number;
      const result = request.response as { runId?: unknown } | undefined;
      if (typeof result?.runId === 'string') settings.logger.appendKeys({ run_id: result.runId });
      settings.logger.info('step completed', { duration_ms: Math.round(settings.now() - started) });
      settings.logger.resetKeys();
    },
    onError: (request) => {
      const started = request.internal[key] as number;
      settings.logger.error('step failed', {
        duration_ms: Math.round(settings.now() - started),
        error: request.error,
      });
      settings.logger.resetKeys();
    },
  };
}
