import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STSClient } from '@aws-sdk/client-sts';
import {
  perTenantCache,
  StsTenantCredentials,
  TENANT_DATA_ROLE_VARIABLE,
  type AwsCredentialIdentityProvider,
} from '../adapters/credentials/tenant-credentials.js';
import { SystemClock, type Clock } from '../clock.js';
import { assertTenantId } from '../storage/keys.js';
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
  credentials?: AwsCredentialIdentityProvider,
): TableContext & { clock: Clock; region: string } {
  const config = loadConfig(env, {
    warn: (message, detail) => observability.logger.warn(message, detail),
  });
  const dynamodb = observability.tracer.captureAWSv3Client(
    new DynamoDBClient({
      region: config.region,
      ...(credentials ? { credentials } : {}),
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

/** Most tenant processors one container keeps. */
const TENANT_PROCESSOR_CACHE_SIZE = 64;

/**
 * Builds the SES feedback processor for a Lambda from its environment (`TABLE_NAME`). With
 * `TENANT_DATA_ROLE_ARN` set, each event is handled by the processor of the tenant its
 * `tenant_id` tag names, whose table client signs with that role assumed for the tenant (cached
 * per container); an event without a readable tenant tag is ignored by the base processor, which
 * then touches no item.
 */
export function sesFeedbackFromEnvironment(
  observability: Observability,
  env: Record<string, string | undefined> = process.env,
): Pick<SesFeedbackProcessor, 'handle'> {
  const table = tableFromEnvironment(observability, env);
  const base = feedbackProcessor(observability, table);
  const roleArn = env[TENANT_DATA_ROLE_VARIABLE];
  if (!roleArn) return base;
  const credentials = new StsTenantCredentials(
    observability.tracer.captureAWSv3Client(new STSClient({ region: table.region })),
    { roleArn, sessionPrefix: env['POWERTOOLS_SERVICE_NAME'] ?? 'ses-feedback' },
  );
  const forTenant = perTenantCache(
    (tenantId) =>
      feedbackProcessor(
        observability,
        tableFromEnvironment(observability, env, credentials.forTenant(tenantId)),
      ),
    TENANT_PROCESSOR_CACHE_SIZE,
  );
  return {
    handle: (detail) => {
      const tenantId = taggedTenant(detail);
      return (tenantId ? forTenant(tenantId) : base).handle(detail);
    },
  };
}

/** The `tenant_id` tag of an SES event (`mail.tags.tenant_id[0]`) when it is a well-formed tenant id. */
function taggedTenant(detail: unknown): string | undefined {
  const value = (detail as { mail?: { tags?: { tenant_id?: unknown[] } } } | null)?.mail?.tags
    ?.tenant_id?.[0];
  if (typeof value !== 'string') return undefined;
  try {
    assertTenantId(value);
    return value;
  } catch {
    return undefined;
  }
}

function feedbackProcessor(
  observability: Observability,
  table: TableContext & { clock: Clock },
): SesFeedbackProcessor {
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
