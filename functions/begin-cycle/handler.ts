import { createObservability } from '../../shared/observability/observability.js';
import { cycleRuntimeFromEnvironment } from '../../shared/cycle/runtime-from-environment.js';
import { createStepHandler } from '../../shared/cycle/step-handler.js';
import { parseCycleState } from '../../shared/cycle/state.js';
import { beginCycle } from '../../shared/cycle/cycle-ends.js';

const observability = createObservability('begin-cycle');
const runtime = cycleRuntimeFromEnvironment(observability);

/** Step Functions task "BeginCycle" of the cycle state machine (gates, run record, lock, slot). */
export const handler = createStepHandler(parseCycleState, beginCycle, {
  runtime,
  observability,
  phase: 'begin_cycle',
});
