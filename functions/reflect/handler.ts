import { createObservability } from '../../shared/observability/observability.js';
import { cycleRuntimeFromEnvironment } from '../../shared/cycle/runtime-from-environment.js';
import { createStepHandler } from '../../shared/cycle/step-handler.js';
import { parseCycleState } from '../../shared/cycle/state.js';
import { reflectAndRelease } from '../../shared/cycle/cycle-ends.js';

const observability = createObservability('reflect');
const runtime = cycleRuntimeFromEnvironment(observability);

/** Step Functions task "Reflect" of the cycle state machine: the phase, then the run's end and the lock's release. */
export const handler = createStepHandler(parseCycleState, reflectAndRelease, {
  runtime,
  observability,
  phase: 'reflect',
});
