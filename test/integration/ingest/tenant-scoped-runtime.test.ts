import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, inject } from 'vitest';
import { localObservability } from '../../../infra/local/local-runtime.js';
import { ingestRuntimeFromEnvironment } from '../../../shared/ingest/runtime-from-environment.js';
import { sqsIngestQueue } from '../../../shared/ingest/ingest-queue.js';
import { SqsBatchQueue } from '../../../shared/adapters/queue/batch-queue.js';
import { createTestTable, type TestTable } from '../../helpers/local-table.js';

// STS has no local counterpart: its client alone is mocked; the table is the embedded DynamoDB,
// which accepts the assumed (fake) credentials, so each read really signs with them.
const sts = mockClient(STSClient);
const ROLE_ARN = 'arn:aws:iam::123456789012:role/EngagementAgent-dev-IngestTenantDataRole';

let table: TestTable;

function environment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { endpoints, region } = inject('localStack');
  return {
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: endpoints.dynamodb,
    KILL_SWITCH_PARAMETER: '/engagement-agent/dev/kill-switch',
    GMAIL_SECRET_PREFIX: 'engagement-agent/dev/gmail',
    POWERTOOLS_SERVICE_NAME: 'ingest',
    ...extra,
  };
}

beforeAll(async () => {
  table = await createTestTable('2026-01-05T15:00:00.000Z');
  await table.repos.tenants.put('acme', { name: 'Acme', agentEnabled: true });
  await table.repos.tenants.put('globex', { name: 'Globex', agentEnabled: true });
});

afterAll(async () => {
  sts.restore();
  await table.dispose();
});

afterEach(() => {
  sts.reset();
});

function assumedTenants(): string[] {
  return sts
    .commandCalls(AssumeRoleCommand)
    .map((call) => call.args[0].input.Tags?.find((tag) => tag.Key === 'tenant')?.Value ?? '?');
}

describe('Function: ingest (tenant-scoped data access)', () => {
  it('reads a tenant’s items with the tenant role assumed for that tenant, once per tenant per container', async () => {
    // Prepare
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'ASIATENANT',
        SecretAccessKey: 'secret',
        SessionToken: 'session',
        Expiration: new Date(Date.now() + 3_600_000),
      },
    });
    const runtime = ingestRuntimeFromEnvironment(
      localObservability('ingest'),
      environment({ TENANT_DATA_ROLE_ARN: ROLE_ARN }),
    );

    // Act
    const acme = runtime.forTenant!('acme');
    const first = await acme.repos.tenants.get('acme');
    const again = await runtime.forTenant!('acme').repos.tenants.get('acme');
    const globex = await runtime.forTenant!('globex').repos.tenants.get('globex');

    // Assess
    expect([first?.name, again?.name, globex?.name]).toEqual(['Acme', 'Acme', 'Globex']);
    expect(runtime.forTenant!('acme')).toBe(acme);
    expect(assumedTenants()).toEqual(['acme', 'globex']);
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input).toMatchObject({
      RoleArn: ROLE_ARN,
      RoleSessionName: 'ingest-acme',
    });
  });

  it('has no tenant runtimes where no tenant role is configured (the embedded stack)', () => {
    // Act
    const runtime = ingestRuntimeFromEnvironment(localObservability('ingest'), environment());

    // Assess
    expect(runtime.forTenant).toBeUndefined();
  });

  it('enqueues only in the poller: without its SQS queue factory a send fails naming INGEST_QUEUE_URL', async () => {
    // Act
    const ingest = ingestRuntimeFromEnvironment(
      localObservability('ingest'),
      environment({ INGEST_QUEUE_URL: 'http://127.0.0.1:1/000000000000/ingest' }),
    );
    const pollerWithoutUrl = ingestRuntimeFromEnvironment(
      localObservability('gmail-poller'),
      environment(),
      sqsIngestQueue,
    );
    const poller = ingestRuntimeFromEnvironment(
      localObservability('gmail-poller'),
      environment({ INGEST_QUEUE_URL: 'http://127.0.0.1:1/000000000000/ingest' }),
      sqsIngestQueue,
    );

    // Assess
    await expect(ingest.ingestQueue.sendAll([])).rejects.toThrow(/INGEST_QUEUE_URL/);
    await expect(pollerWithoutUrl.ingestQueue.sendAll([])).rejects.toThrow(/INGEST_QUEUE_URL/);
    expect(poller.ingestQueue).toBeInstanceOf(SqsBatchQueue);
  });
});
