import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '../middleware/capture-lambda-handler.js';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import type { Observability } from '../observability/observability.js';
import type { FeedbackResult, SesFeedbackProcessor } from './ses-feedback.js';

/** The SES feedback Lambda's handler: one EventBridge event from `aws.ses` in. */
export type SesFeedbackHandler = (
  event: EventBridgeEvent<string, unknown>,
  context: Context,
) => Promise<FeedbackResult>;

/**
 * Wraps the feedback processor in the house middy chain. Errors propagate, so EventBridge's
 * asynchronous invocation retries the event; processing is idempotent per feedback id.
 *
 * @example
 * export const handler = createSesFeedbackHandler({ processor, observability });
 */
export function createSesFeedbackHandler(deps: {
  /** The feedback processor, or a router to each tenant's (`sesFeedbackFromEnvironment`). */
  readonly processor: Pick<SesFeedbackProcessor, 'handle'>;
  readonly observability: Observability;
}): SesFeedbackHandler {
  const { logger, metrics, tracer } = deps.observability;
  return middy(async (event: EventBridgeEvent<string, unknown>) =>
    deps.processor.handle(event.detail),
  )
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true })) as unknown as SesFeedbackHandler;
}
