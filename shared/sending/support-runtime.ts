import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SystemClock, type Clock } from '../clock.js';
import { loadConfig } from '../config.js';
import { powertoolsMetricSink, type Observability } from '../observability/observability.js';
import type { TableContext } from '../storage/table-client.js';
import { TenantRepository } from '../storage/tenant-repository.js';
import { SuppressionRepository } from '../storage/suppression-repository.js';
import { OutcomeRepository } from '../storage/outcome-repository.js';
import { RateCounterRepository } from '../storage/rate-counter-repository.js';
import { SendingStateRepository } from '../storage/sending-state-repository.js';
import { SesFeedbackProcessor } from './ses-feedback.js';
import { eventReconciler } from './stages/reconcile.js';
import { loadSigningKeys } from './signing-key-source.js';
import type { UnsubscribeHandlerDeps } from './unsubscribe-handler.js';

function tableFromEnvironment(
  observability: Observability,
  env: Record<string, string | undefined>,
): TableContext & { clock: Clock; region: string } {
  const config = loadConfig(env, {
    warn: (message, detail) => observability.logger.warn(message, detail),
  });
  const dynamodb = observability.tracer.captureAWSv3Client(
    new DynamoDBClient({
      region: config.region,
      ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
    }),
  );
  return {
    doc: DynamoDBDocumentClient.from(dynamodb, {
      marshallOptions: { removeUndefinedValues: true },
    }),
    tableName: config.tableName,
    clock: new SystemClock(),
    region: config.region,
  };
}

/** Builds the SES feedback processor for a Lambda from its environment (`TABLE_NAME`). */
export function sesFeedbackFromEnvironment(
  observability: Observability,
  env: Record<string, string | undefined> = process.env,
): SesFeedbackProcessor {
  const table = tableFromEnvironment(observability, env);
  return new SesFeedbackProcessor({
    clock: table.clock,
    tenants: new TenantRepository(table),
    suppressions: new SuppressionRepository(table),
    outcomes: new OutcomeRepository(table),
    rates: new RateCounterRepository(table),
    states: new SendingStateRepository(table),
    reconciler: eventReconciler(
      table,
      powertoolsMetricSink(observability.metrics),
      observability.logger,
    ),
    metric: powertoolsMetricSink(observability.metrics),
    logger: observability.logger,
  });
}

/**
 * Builds the unsubscribe handler's dependencies for a Lambda from its environment (`TABLE_NAME`,
 * `UNSUBSCRIBE_SIGNING_SECRET_ARN`); reads the signing keys (current and still-accepted) once (cold start).
 */
export async function unsubscribeFromEnvironment(
  observability: Observability,
  env: Record<string, string | undefined> = process.env,
): Promise<UnsubscribeHandlerDeps> {
  const table = tableFromEnvironment(observability, env);
  return {
    suppressions: new SuppressionRepository(table),
    signingKey: await loadSigningKeys(env, {
      secrets: observability.tracer.captureAWSv3Client(
        new SecretsManagerClient({ region: table.region }),
      ),
    }),
    clock: table.clock,
    metric: powertoolsMetricSink(observability.metrics),
    observability,
  };
}
