import { createObservability } from '../../shared/observability/observability.js';
import { createSesFeedbackHandler } from '../../shared/sending/ses-feedback-handler.js';
import { sesFeedbackFromEnvironment } from '../../shared/sending/support-runtime.js';

const observability = createObservability('ses-feedback');
const processor = sesFeedbackFromEnvironment(observability);

/** EventBridge rule on SES bounce and complaint events: suppression, rates, auto-pause. */
export const handler = createSesFeedbackHandler({ processor, observability });
