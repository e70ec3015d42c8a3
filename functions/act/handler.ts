import { createObservability } from '../../shared/observability/observability.js';
import { cycleRuntimeFromEnvironment } from '../../shared/cycle/runtime-from-environment.js';
import { createStepHandler } from '../../shared/cycle/step-handler.js';
import { parseCycleState } from '../../shared/cycle/state.js';
import { act } from '../../shared/cycle/act-step.js';
import { draftingFromEnvironment } from '../../shared/drafting/drafting-runtime.js';

const observability = createObservability('act');
const runtime = cycleRuntimeFromEnvironment(
  observability,
  process.env,
  draftingFromEnvironment(observability.logger),
);

/** Step Functions task "Act" of the cycle state machine. */
export const handler = createStepHandler(parseCycleState, act, {
  runtime,
  observability,
  phase: 'act',
});
