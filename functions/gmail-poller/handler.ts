import { createObservability } from '../../shared/observability/observability.js';
import { ingestRuntimeFromEnvironment } from '../../shared/ingest/runtime-from-environment.js';
import { createPollerHandler } from '../../shared/ingest/poller-handler.js';

const observability = createObservability('gmail-poller');
const runtime = ingestRuntimeFromEnvironment(observability);

/** Invoked every 5 minutes by EventBridge Scheduler: polls every connected tenant's Gmail history. */
export const handler = createPollerHandler(runtime, observability);
