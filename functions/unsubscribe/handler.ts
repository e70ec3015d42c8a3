import { createObservability } from '../../shared/observability/observability.js';
import { createUnsubscribeHandler } from '../../shared/sending/unsubscribe-handler.js';
import { unsubscribeFromEnvironment } from '../../shared/sending/support-runtime.js';

const observability = createObservability('unsubscribe');
const deps = await unsubscribeFromEnvironment(observability);

/** Function URL (auth NONE): records one-click (POST) and link (GET) unsubscribes. */
export const handler = createUnsubscribeHandler(deps);
