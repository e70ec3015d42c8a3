import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';
import { captureLambdaHandler } from '../middleware/capture-lambda-handler.js';
import type { Observability } from '../observability/observability.js';
import { pollMailboxes, type PollSummary } from './poll-mailboxes.js';
import type { IngestRuntime } from './runtime.js';

/** The poller's handler: invoked by the 5-minute schedule; returns what it did. */
export type PollerHandler = (event: unknown, context: Context) => Promise<PollSummary>;

/**
 * The Gmail poller function's handler: one {@link pollMailboxes} run with the house middleware.
 * A module of its own so the poller's bundle leaves out the ingest handler's MIME parsing and
 * HTML-to-text (handlers.ts).
 */
export function createPollerHandler(
  runtime: IngestRuntime,
  observability: Observability,
): PollerHandler {
  const { logger, metrics, tracer } = observability;
  return middy(async (_event: unknown, context: Context) => {
    const started = performance.now();
    // Leave 30 s to finish the tenants in flight before the function times out.
    const summary = await pollMailboxes(runtime, {
      shouldStop: () => context.getRemainingTimeInMillis() < 30_000,
    });
    logger.info('poll completed', {
      ...summary,
      duration_ms: Math.round(performance.now() - started),
    });
    return summary;
  })
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true })) as unknown as PollerHandler;
}
