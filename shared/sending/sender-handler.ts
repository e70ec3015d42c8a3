import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '../middleware/capture-lambda-handler.js';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Observability } from '../observability/observability.js';
import type { SendHandling } from './tenant-routed-sender.js';

/** The sender Lambda's handler: an SQS batch in, the failed message ids out. */
export type SenderHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** What {@link createSenderHandler} is built from. */
export interface SenderHandlerDeps {
  /** The send processor, or a router to each tenant's (`tenantRoutedSender`). */
  readonly processor: SendHandling;
  readonly observability: Observability;
}

/**
 * Wraps the send processor in the house middy chain (tracer, logger context, metrics flush) and
 * Powertools' batch processing: records are processed one after another (sends of one tenant
 * contend for the same counters, so parallelism buys nothing but conditional-write retries) and
 * every record that throws is reported in `batchItemFailures`, so SQS redelivers only those (the
 * event source must enable `ReportBatchItemFailures`). A batch whose records all fail returns them
 * all rather than throwing, which has the same effect without an invocation error.
 *
 * @example
 * export const handler = createSenderHandler({ processor, observability });
 */
export function createSenderHandler(deps: SenderHandlerDeps): SenderHandler {
  const { logger, metrics, tracer } = deps.observability;
  const recordHandler = async (record: SQSRecord) =>
    deps.processor.handle({
      messageId: record.messageId,
      body: record.body,
      receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? '1') || 1,
    });
  return middy(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const started = performance.now();
    // One processor per invocation: its per-batch state must not be shared by concurrent calls
    // (one Lambda instance never runs two, but the simulator and tests do).
    const processor = new BatchProcessor(EventType.SQS);
    const response = await processPartialResponse(event, recordHandler, processor, {
      context,
      processInParallel: false,
      throwOnFullBatchFailure: false,
    });
    logger.info('send batch processed', {
      records: event.Records.length,
      failed: response.batchItemFailures.length,
      duration_ms: Math.round(performance.now() - started),
    });
    return response;
  })
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true })) as unknown as SenderHandler;
}
