import { createObservability } from '../../shared/observability/observability.js';
import { cycleRuntimeFromEnvironment } from '../../shared/cycle/runtime-from-environment.js';
import { createStepHandler } from '../../shared/cycle/step-handler.js';
import { parseCycleState } from '../../shared/cycle/state.js';
import { recordFailure } from '../../shared/cycle/failure-step.js';

const observability = createObservability('record-failure');
const runtime = cycleRuntimeFromEnvironment(observability);

/** Step Functions task "RecordFailure" of the cycle state machine. */
export const handler = createStepHandler(parseCycleState, recordFailure, {
  runtime,
  observability,
  phase: 'record_failure',
});
