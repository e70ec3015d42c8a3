import { createObservability } from '../../shared/observability/observability.js';
import { cycleRuntimeFromEnvironment } from '../../shared/cycle/runtime-from-environment.js';
import { createStepHandler } from '../../shared/cycle/step-handler.js';
import { parseCycleState } from '../../shared/cycle/state.js';
import { acquireCycleLock } from '../../shared/cycle/gates-step.js';

const observability = createObservability('acquire-lock');
const runtime = cycleRuntimeFromEnvironment(observability);

/** Step Functions task "AcquireLock" of the cycle state machine. */
export const handler = createStepHandler(parseCycleState, acquireCycleLock, {
  runtime,
  observability,
  phase: 'acquire_lock',
});
