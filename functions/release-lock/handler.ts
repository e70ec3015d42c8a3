import { createObservability } from '../../shared/observability/observability.js';
import { cycleRuntimeFromEnvironment } from '../../shared/cycle/runtime-from-environment.js';
import { createStepHandler } from '../../shared/cycle/step-handler.js';
import { parseCycleState } from '../../shared/cycle/state.js';
import { releaseCycleLock } from '../../shared/cycle/gates-step.js';

const observability = createObservability('release-lock');
const runtime = cycleRuntimeFromEnvironment(observability);

/** Step Functions task "ReleaseLock" of the cycle state machine. */
export const handler = createStepHandler(parseCycleState, releaseCycleLock, {
  runtime,
  observability,
  phase: 'release_lock',
});
