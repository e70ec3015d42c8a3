import { createObservability } from '../../shared/observability/observability.js';
import { cycleRuntimeFromEnvironment } from '../../shared/cycle/runtime-from-environment.js';
import { createStepHandler } from '../../shared/cycle/step-handler.js';
import { parseCycleState } from '../../shared/cycle/state.js';
import { reflect } from '../../shared/cycle/reflect-step.js';

const observability = createObservability('reflect');
const runtime = cycleRuntimeFromEnvironment(observability);

/** Step Functions task "Reflect" of the cycle state machine. */
export const handler = createStepHandler(parseCycleState, reflect, {
  runtime,
  observability,
  phase: 'reflect',
});
