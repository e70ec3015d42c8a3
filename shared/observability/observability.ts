import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { MetricSink } from '../cycle/runtime.js';

/** Metric namespace of every agent metric. */
export const METRIC_NAMESPACE = 'EngagementAgent';

/** The Powertools trio one function uses. */
export interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly tracer: Tracer;
}

/**
 * Creates the logger, metrics and tracer for one function; call once per module (cold start).
 * Settings come from the POWERTOOLS_* environment variables the function construct sets.
 */
export function createObservability(serviceName: string): Observability {
  const logger = new Logger({ serviceName });
  return {
    logger,
    // Metrics' own warnings (e.g. an invocation with no metrics) go through the JSON logger.
    metrics: new Metrics({ serviceName, namespace: METRIC_NAMESPACE, logger }),
    tracer: new Tracer({ serviceName }),
  };
}

/**
 * A metric sink over Powertools Metrics: plain counts go into the invocation's EMF blob; counts
 * with dimensions are published as single metrics so their dimensions do not leak onto others.
 */
export function powertoolsMetricSink(metrics: Metrics): MetricSink {
  return (name, value = 1, dimensions) => {
    if (dimensions && Object.keys(dimensions).length > 0) {
      const single = metrics.singleMetric();
      for (const [key, dimensionValue] of Object.entries(dimensions))
        single.addDimension(key, dimensionValue);
      single.addMetric(
        name,
        name.endsWith('Duration') ? MetricUnit.Milliseconds : MetricUnit.Count,
        value,
      );
      return;
    }
    metrics.addMetric(name, name.endsWith('Rate') ? MetricUnit.Percent : MetricUnit.Count, value);
  };
}
