import { createObservability } from '../../shared/observability/observability.js';
import { createSenderHandler } from '../../shared/sending/sender-handler.js';
import { senderFromEnvironment } from '../../shared/sending/sender-runtime.js';

const observability = createObservability('sender');
const processor = await senderFromEnvironment(observability);

/** SQS event source of the send queue: gates and sends each queued email (partial batch failures). */
export const handler = createSenderHandler({ processor, observability });
