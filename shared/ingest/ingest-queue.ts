import { SQSClient } from '@aws-sdk/client-sqs';
import { SqsBatchQueue, type BatchQueue } from '../adapters/queue/batch-queue.js';
import type { Observability } from '../observability/observability.js';
import type { IngestConfig } from './ingest-config.js';

/**
 * The SQS ingest queue of `INGEST_QUEUE_URL`, the poller's `IngestQueueFactory`
 * (runtime-from-environment.ts); undefined when the variable is not set.
 */
export function sqsIngestQueue(
  config: IngestConfig,
  observability: Observability,
): BatchQueue | undefined {
  if (!config.ingestQueueUrl) return undefined;
  const client = observability.tracer.captureAWSv3Client(
    new SQSClient({
      region: config.region,
      ...(config.sqsEndpoint ? { endpoint: config.sqsEndpoint } : {}),
    }),
  );
  return new SqsBatchQueue(client, config.ingestQueueUrl);
}
