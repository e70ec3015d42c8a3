import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricSink } from '../cycle/runtime.js';
import { agentMetricDimensions } from './metric-names.js';
import { createRedactingReplacer } from './redaction.js';
import { Tracer } from './tracing/tracer.js';

/** Metric namespace of every agent metric. */
export const METRIC_NAMESPACE = 'EngagementAgent';

/** The logger, metrics (Powertools) and tracer (shared/observability/tracing) one function uses. */
export interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly tracer: Tracer;
}

/** Options of {@link createObservability}; the defaults are what a deployed function uses. */
export interface CreateObservabilityOptions {
  /** Log level; POWERTOOLS_LOG_LEVEL (INFO in the function construct) when absent. */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  /** Environment read for the metric dimensions and the secret values to redact. @default process.env */
  readonly env?: Record<string, string | undefined>;
}

/**
 * Creates the logger, metrics and tracer for one function; call once per module (cold start).
 *
 * - **Logger**: JSON lines with `service` = the function's name; every line passes through the
 *   secret redactor (shared/observability/redaction.ts: secret keys, secret-looking environment
 *   values, registered secrets, token shapes).
 * - **Metrics**: EMF in {@link METRIC_NAMESPACE} with exactly the dimensions
 *   `{ service: APP_NAME, stage: STAGE }` ({@link agentMetricDimensions}), the set the CloudWatch
 *   alarms name. Powertools would otherwise set `service` to the function's name, and an alarm on a
 *   metric several functions publish would have to name each of them.
 * - **Tracer**: X-Ray subsegments over UDP to the daemon (shared/observability/tracing/tracer.ts,
 *   no X-Ray SDK), on inside Lambda; `Service` = the function's name.
 */
export function createObservability(
  serviceName: string,
  options: CreateObservabilityOptions = {},
): Observability {
  const env = options.env ?? process.env;
  const logger = new Logger({
    serviceName,
    ...(options.logLevel ? { logLevel: options.logLevel } : {}),
    jsonReplacerFn: createRedactingReplacer({ env }),
  });
  const { service, ...defaultDimensions } = agentMetricDimensions(
    env['APP_NAME'] || 'engagement-agent',
    env['STAGE'] || 'dev',
  );
  return {
    logger,
    // Metrics' own warnings (e.g. an invocation with no metrics) go through the JSON logger.
    metrics: new Metrics({
      serviceName: service,
      namespace: METRIC_NAMESPACE,
      defaultDimensions,
      logger,
    }),
    tracer: new Tracer({ serviceName, env }),
  };
}

/** The unit a metric is published with, from its name (see shared/observability/metric-names.ts). */
export function metricUnitOf(name: string): (typeof MetricUnit)[keyof typeof MetricUnit] {
  if (name.endsWith('Duration')) return MetricUnit.Milliseconds;
  if (name.endsWith('Rate')) return MetricUnit.Percent;
  if (name.endsWith('Seconds')) return MetricUnit.Seconds;
  return MetricUnit.Count;
}

/**
 * A metric sink over Powertools Metrics: plain metrics go into the invocation's EMF blob; metrics
 * with dimensions are published as single metrics so their dimensions do not leak onto others.
 * A dimensioned count is also added to the blob without its dimensions, so the total exists as a
 * metric of its own (CloudWatch cannot sum across dimension values without a SEARCH, which alarms
 * do not allow): `CyclesFailed{phase=act}` also counts towards `CyclesFailed`.
 */
export function powertoolsMetricSink(metrics: Metrics): MetricSink {
  return (name, value = 1, dimensions) => {
    const unit = metricUnitOf(name);
    if (dimensions && Object.keys(dimensions).length > 0) {
      const single = metrics.singleMetric();
      for (const [key, dimensionValue] of Object.entries(dimensions))
        single.addDimension(key, dimensionValue);
      single.addMetric(name, unit, value);
      if (unit !== MetricUnit.Count) return;
    }
    metrics.addMetric(name, unit, value);
  };
}
