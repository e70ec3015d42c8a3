import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createObservability,
  METRIC_NAMESPACE,
  powertoolsMetricSink,
} from '../../../shared/observability/observability.js';
import { METRIC_NAMES } from '../../../shared/observability/metric-names.js';
import { captureConsole, emfMetrics, type ConsoleCapture } from '../../helpers/capture-console.js';

const ENV = { APP_NAME: 'acme-agent', STAGE: 'staging' };
const BASE = { service: 'acme-agent', stage: 'staging' };

describe('Observability: powertoolsMetricSink', () => {
  let capture: ConsoleCapture;

  beforeEach(() => {
    capture = captureConsole();
  });

  afterEach(() => {
    capture.restore();
  });

  /** Emits through a fresh function's sink, flushes, and returns what was published. */
  function publish(emit: (sink: ReturnType<typeof powertoolsMetricSink>) => void) {
    const { metrics } = createObservability('record-failure', { env: ENV });
    const sink = powertoolsMetricSink(metrics);
    emit(sink);
    metrics.publishStoredMetrics();
    const blobs = capture.json().filter((line) => '_aws' in line);
    return {
      blobs,
      metrics: blobs.flatMap(emfMetrics),
    };
  }

  it('publishes every metric with the app name as service and the stage, not the function name', () => {
    // Act
    const { metrics } = publish((sink) => sink(METRIC_NAMES.cyclesCompleted));

    // Assess
    expect(metrics).toEqual([
      { namespace: METRIC_NAMESPACE, name: 'CyclesCompleted', dimensions: BASE },
    ]);
  });

  it('publishes a dimensioned count with its dimension and again as a total without it', () => {
    // Act
    const { metrics } = publish((sink) => sink(METRIC_NAMES.cyclesFailed, 1, { phase: 'act' }));

    // Assess
    expect(metrics).toEqual(
      expect.arrayContaining([
        {
          namespace: METRIC_NAMESPACE,
          name: 'CyclesFailed',
          dimensions: { ...BASE, phase: 'act' },
        },
        { namespace: METRIC_NAMESPACE, name: 'CyclesFailed', dimensions: BASE },
      ]),
    );
    expect(metrics).toHaveLength(2);
  });

  it('does not total durations across dimension values', () => {
    // Act
    const { metrics } = publish((sink) => sink(METRIC_NAMES.phaseDuration, 120, { phase: 'plan' }));

    // Assess
    expect(metrics).toEqual([
      {
        namespace: METRIC_NAMESPACE,
        name: 'PhaseDuration',
        dimensions: { ...BASE, phase: 'plan' },
      },
    ]);
  });

  it.each([
    { case: 'a Duration metric', name: METRIC_NAMES.phaseDuration, unit: 'Milliseconds' },
    { case: 'a Rate metric', name: METRIC_NAMES.engagementComplianceRate, unit: 'Percent' },
    { case: 'a Seconds metric', name: METRIC_NAMES.lockHeldSeconds, unit: 'Seconds' },
    { case: 'a count', name: METRIC_NAMES.ordersProcessed, unit: 'Count' },
  ])('publishes $case with unit $unit', ({ name, unit }) => {
    // Act
    const { blobs } = publish((sink) => sink(name, 5));

    // Assess
    const directive = (
      blobs[0]?.['_aws'] as { CloudWatchMetrics: { Metrics: { Name: string; Unit: string }[] }[] }
    ).CloudWatchMetrics[0];
    expect(directive?.Metrics).toEqual([{ Name: name, Unit: unit }]);
  });
});
