import { createObservability } from '../../shared/observability/observability.js';
import { cycleRuntimeFromEnvironment } from '../../shared/cycle/runtime-from-environment.js';
import { createStepHandler } from '../../shared/cycle/step-handler.js';
import { parseCycleState } from '../../shared/cycle/state.js';
import { react } from '../../shared/cycle/react-step.js';

const observability = createObservability('react');
const runtime = cycleRuntimeFromEnvironment(observability);

/** Step Functions task "React" of the cycle state machine. */
export const handler = createStepHandler(parseCycleState, react, {
  runtime,
  observability,
  phase: 'react',
});
