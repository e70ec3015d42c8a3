import { createObservability } from '../../shared/observability/observability.js';
import { cycleRuntimeFromEnvironment } from '../../shared/cycle/runtime-from-environment.js';
import { createStepHandler } from '../../shared/cycle/step-handler.js';
import { listTenantsPage, parseFanOutPageInput } from '../../shared/cycle/fan-out.js';

const observability = createObservability('list-tenants');
const runtime = cycleRuntimeFromEnvironment(observability);

/** Step Functions task "ListTenants" of the fan-out state machine: one page of enabled tenants. */
export const handler = createStepHandler(parseFanOutPageInput, listTenantsPage, {
  runtime,
  observability,
  phase: 'fan_out',
});
