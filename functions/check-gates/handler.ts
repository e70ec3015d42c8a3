import { createObservability } from '../../shared/observability/observability.js';
import { cycleRuntimeFromEnvironment } from '../../shared/cycle/runtime-from-environment.js';
import { createStepHandler } from '../../shared/cycle/step-handler.js';
import { parseCycleState } from '../../shared/cycle/state.js';
import { checkGates } from '../../shared/cycle/gates-step.js';

const observability = createObservability('check-gates');
const runtime = cycleRuntimeFromEnvironment(observability);

/** Step Functions task "CheckGates" of the cycle state machine. */
export const handler = createStepHandler(parseCycleState, checkGates, {
  runtime,
  observability,
  phase: 'check_gates',
});
