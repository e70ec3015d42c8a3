import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '../middleware/capture-lambda-handler.js';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { ValidationError } from '../errors.js';
import { ingestRequestSchema, type IngestRequest } from '../domain/ingest/ingest-request.js';
import { QUEUE_DEFINITIONS } from '../messaging/queue-definitions.js';
import { parseQueueBody } from '../messaging/queue-body.js';
import type { Observability } from '../observability/observability.js';
import { describeIngestFailure } from './ingest-failure.js';
import { ingestMessage } from './ingest-message.js';
import { runtimeForTenant, type IngestRuntime } from './runtime.js';

/** Parses an ingest queue message body; a bad body fails with the field named. */
export function parseIngestRequest(body: string): IngestRequest {
  const parsed = parseQueueBody(ingestRequestSchema, body);
  if (parsed.success) return parsed.data;
  const { problem } = parsed;
  if (problem.kind === 'bad_json') throw new ValidationError('body', 'not JSON');
  throw new ValidationError(
    problem.field === 'body' ? 'body' : `body.${problem.field}`,
    problem.message,
  );
}

/** An SQS batch handler: reports failed records (`batchItemFailures`) so only they are retried. */
export type IngestHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * The ingest function's handler: Powertools BatchProcessor over the SQS batch (records in
 * parallel, partial failures reported), each record through {@link ingestMessage}. A failed record
 * is logged with its reason and receive count; on its last delivery (`maxReceiveCount`) the log
 * says it moves to the dead-letter queue, where the reason is also on its `GMAIL#` item.
 */
export function createIngestHandler(
  runtime: IngestRuntime,
  observability: Observability,
): IngestHandler {
  const { logger, metrics, tracer } = observability;
  const processor = new BatchProcessor(EventType.SQS);
  const maxReceiveCount = QUEUE_DEFINITIONS.ingest.maxReceiveCount;

  const recordHandler = async (record: SQSRecord): Promise<void> => {
    const started = performance.now();
    let request: IngestRequest | undefined;
    try {
      request = parseIngestRequest(record.body);
      const result = await ingestMessage(runtimeForTenant(runtime, request.tenantId), request);
      logger.debug('ingest record done', {
        tenant_id: request.tenantId,
        message_id: request.messageId,
        status: result.status,
        duration_ms: Math.round(performance.now() - started),
      });
    } catch (error) {
      const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? 1);
      logger.error(
        receiveCount >= maxReceiveCount
          ? 'ingest failed; moving to the dead-letter queue'
          : 'ingest failed; will retry',
        {
          ...(request ? { tenant_id: request.tenantId, message_id: request.messageId } : {}),
          sqs_message_id: record.messageId,
          receive_count: receiveCount,
          reason: describeIngestFailure(error),
          duration_ms: Math.round(performance.now() - started),
        },
      );
      throw error;
    }
  };

  return middy(async (event: SQSEvent, context: Context) =>
    processPartialResponse(event, recordHandler, processor, {
      context,
      throwOnFullBatchFailure: false,
    }),
  )
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true })) as unknown as IngestHandler;
}
