import { createObservability } from '../../shared/observability/observability.js';
import { ingestRuntimeFromEnvironment } from '../../shared/ingest/runtime-from-environment.js';
import { createIngestHandler } from '../../shared/ingest/handlers.js';

const observability = createObservability('ingest');
const runtime = ingestRuntimeFromEnvironment(observability);

/** SQS consumer of the ingest queue: one Gmail message id per record, partial batch failures. */
export const handler = createIngestHandler(runtime, observability);
