import { createObservability } from '../../shared/observability/observability.js';
import { ingestRuntimeFromEnvironment } from '../../shared/ingest/runtime-from-environment.js';
import { createPollerHandler } from '../../shared/ingest/poller-handler.js';
import { sqsIngestQueue } from '../../shared/ingest/ingest-queue.js';

const observability = createObservability('gmail-poller');
const runtime = ingestRuntimeFromEnvironment(observability, process.env, sqsIngestQueue);

/** Invoked every 5 minutes by EventBridge Scheduler: polls every connected tenant's Gmail history. */
export const handler = createPollerHandler(runtime, observability);
