import { createObservability } from '../../shared/observability/observability.js';
import { cycleRuntimeFromEnvironment } from '../../shared/cycle/runtime-from-environment.js';
import { createStepHandler } from '../../shared/cycle/step-handler.js';
import { parseCycleState } from '../../shared/cycle/state.js';
import { plan } from '../../shared/cycle/plan-step.js';

const observability = createObservability('plan');
const runtime = cycleRuntimeFromEnvironment(observability);

/** Step Functions task "Plan" of the cycle state machine. */
export const handler = createStepHandler(parseCycleState, plan, {
  runtime,
  observability,
  phase: 'plan',
});
