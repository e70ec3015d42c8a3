import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, inject, vi } from 'vitest';
import { localObservability } from '../../../infra/local/local-runtime.js';
import { senderFromEnvironment } from '../../../shared/sending/sender-runtime.js';
import { sesFeedbackFromEnvironment } from '../../../shared/sending/support-runtime.js';
import bounce from '../../../events/ses/bounce.json' with { type: 'json' };
import { createSendingHarness, type SendingHarness } from '../../helpers/sending-harness.js';

// STS and SSM have no local counterpart: only their clients are mocked. The table, queue and SES
// are the embedded stack's, which accept the assumed (fake) credentials, so each tenant's reads
// and writes really sign with them.
const sts = mockClient(STSClient);
const ssm = mockClient(SSMClient);
const ROLE_ARN = 'arn:aws:iam::123456789012:role/EngagementAgent-dev-SenderTenantDataRole';

let h: SendingHarness;

beforeAll(async () => {
  // The execution role's ambient credentials (the SDK reads them from the process environment).
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
  h = await createSendingHarness();
  await h.seedTenant('northwind');
  await h.seedTenant('globex');
  await h.seedTenant('northwind-appraisals');
  sts.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: 'ASIATENANT',
      SecretAccessKey: 'secret',
      SessionToken: 'session',
      Expiration: new Date(Date.now() + 3_600_000),
    },
  });
  ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'off' } });
});

afterAll(async () => {
  vi.unstubAllEnvs();
  sts.restore();
  ssm.restore();
  await h.dispose();
});

function assumed() {
  return sts
    .commandCalls(AssumeRoleCommand)
    .map((call) => [call.args[0].input.RoleSessionName, call.args[0].input.Tags]);
}

describe('Function: sender (tenant-scoped data access)', () => {
  it('handles each queued send with its tenant’s role, assumed once per tenant, and a body naming no tenant without one', async () => {
    // Prepare
    const { endpoints, region } = inject('localStack');
    const processor = await senderFromEnvironment(localObservability('sender'), {
      AWS_REGION: region,
      TABLE_NAME: h.table.tableName,
      DYNAMODB_ENDPOINT: endpoints.dynamodb,
      SQS_ENDPOINT: endpoints.sqs,
      SEND_QUEUE_URL: h.queues.url,
      SEND_DLQ_URL: h.queues.dlqUrl,
      SES_ENDPOINT: h.ses.endpoint,
      KILL_SWITCH_PARAMETER: '/engagement-agent/dev/kill-switch',
      SEND_MODE: 'production',
      EMAIL_FROM_ADDRESS: 'agent@sender.local.example',
      UNSUBSCRIBE_BASE_URL: 'https://unsubscribe.local.example/',
      UNSUBSCRIBE_SIGNING_SECRET: 'k'.repeat(64),
      POWERTOOLS_SERVICE_NAME: 'sender',
      TENANT_DATA_ROLE_ARN: ROLE_ARN,
    });
    const message = (messageId: string, body: unknown) => ({
      messageId,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      receiveCount: 1,
    });

    // Act
    const sent = await processor.handle(
      message('m-1', h.request('northwind', 'card-1', 'dana@lakeshore.example')),
    );
    // The same tenant again (paced: deferred), then another tenant.
    const again = await processor.handle(
      message('m-2', h.request('northwind', 'card-2', 'lee@lakeshore.example')),
    );
    const other = await processor.handle(
      message('m-4', h.request('globex', 'card-1', 'kim@fabrikam.example')),
    );
    const poison = await processor.handle(message('m-3', '{"version":1}'));

    // Assess
    expect([sent.action, again.action, other.action]).toEqual(['sent', 'deferred', 'sent']);
    expect(poison).toEqual({ action: 'dead_lettered', reason: 'schema' });
    expect((await h.received()).map((mail) => mail.destination.to[0])).toEqual([
      'dana@lakeshore.example',
      'kim@fabrikam.example',
    ]);
    expect(assumed()).toEqual([
      ['sender-northwind', [{ Key: 'tenant', Value: 'northwind' }]],
      ['sender-globex', [{ Key: 'tenant', Value: 'globex' }]],
    ]);
  });

  it('lets ses-feedback handle each SES event with the role of the tenant its tag names', async () => {
    // Prepare
    sts.resetHistory();
    const { endpoints, region } = inject('localStack');
    const feedback = sesFeedbackFromEnvironment(localObservability('ses-feedback'), {
      AWS_REGION: region,
      TABLE_NAME: h.table.tableName,
      DYNAMODB_ENDPOINT: endpoints.dynamodb,
      KILL_SWITCH_PARAMETER: '/engagement-agent/dev/kill-switch',
      POWERTOOLS_SERVICE_NAME: 'ses-feedback',
      TENANT_DATA_ROLE_ARN: ROLE_ARN,
    });
    const untagged = { ...bounce.detail, mail: { ...bounce.detail.mail, tags: {} } };

    // Act
    const counted = await feedback.handle(bounce.detail);
    const ignored = await feedback.handle(untagged);

    // Assess
    expect(counted).toMatchObject({ tenantId: 'northwind-appraisals', suppressed: 1 });
    expect(ignored).toMatchObject({ counted: 0, suppressed: 0 });
    expect(
      (await h.repos.suppressions.list('northwind-appraisals')).map((entry) => entry.email),
    ).toEqual(['zoe.patel@riverbendloans.example']);
    expect(assumed()).toEqual([
      ['ses-feedback-northwind-appraisals', [{ Key: 'tenant', Value: 'northwind-appraisals' }]],
    ]);
  });
});
