import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  AMBIENT_CREDENTIALS,
  StsTenantCredentials,
} from '../../../shared/adapters/credentials/tenant-credentials.js';

// STS has no local counterpart: its client alone is mocked.
const sts = mockClient(STSClient);
// Workers are shared across files (isolate: false): put the real send back for the next file.
afterAll(() => sts.restore());
const ROLE_ARN = 'arn:aws:iam::123456789012:role/EngagementAgent-dev-ActTenantDataRole';
const T0 = Date.parse('2025-03-04T12:00:00Z');

function grant(expiresAt: number, key = 'ASIAEXAMPLE') {
  return {
    Credentials: {
      AccessKeyId: key,
      SecretAccessKey: 'secret',
      SessionToken: 'session',
      Expiration: new Date(expiresAt),
    },
  };
}

describe('Adapter: tenant credentials', () => {
  afterEach(() => sts.reset());

  it('assumes the tenant role with the tenant session tag and a session name naming the tenant', async () => {
    // Prepare
    sts.on(AssumeRoleCommand).resolves(grant(T0 + 3_600_000));
    const credentials = new StsTenantCredentials(new STSClient({ region: 'eu-west-1' }), {
      roleArn: ROLE_ARN,
      sessionPrefix: 'act',
      clock: { now: () => new Date(T0) },
    });

    // Act
    const identity = await credentials.forTenant('northwind')();

    // Assess
    expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input)).toEqual([
      {
        RoleArn: ROLE_ARN,
        RoleSessionName: 'act-northwind',
        DurationSeconds: 3600,
        Tags: [{ Key: 'tenant', Value: 'northwind' }],
      },
    ]);
    expect(identity).toMatchObject({ accessKeyId: 'ASIAEXAMPLE', sessionToken: 'session' });
  });

  it('caches per tenant: one AssumeRole per tenant however often and concurrently it is asked', async () => {
    // Prepare
    sts
      .on(AssumeRoleCommand)
      .callsFake(async (input: { Tags: { Value: string }[] }) =>
        grant(T0 + 3_600_000, `KEY-${input.Tags[0]?.Value}`),
      );
    const credentials = new StsTenantCredentials(new STSClient({ region: 'eu-west-1' }), {
      roleArn: ROLE_ARN,
      sessionPrefix: 'plan',
      clock: { now: () => new Date(T0) },
    });

    // Act
    const a = await Promise.all([1, 2, 3].map(() => credentials.forTenant('a')()));
    const b = await credentials.forTenant('b')();
    const aAgain = await credentials.forTenant('a')();

    // Assess
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
    expect(new Set(a.map((identity) => identity.accessKeyId))).toEqual(new Set(['KEY-a']));
    expect(b.accessKeyId).toBe('KEY-b');
    expect(aAgain.accessKeyId).toBe('KEY-a');
  });

  it('assumes the role again once the cached credentials are within the refresh margin of expiry', async () => {
    // Prepare
    let now = T0;
    sts
      .on(AssumeRoleCommand)
      .resolvesOnce(grant(T0 + 900_000, 'FIRST'))
      .resolvesOnce(grant(T0 + 4_500_000, 'SECOND'));
    const credentials = new StsTenantCredentials(new STSClient({ region: 'eu-west-1' }), {
      roleArn: ROLE_ARN,
      sessionPrefix: 'react',
      refreshMarginMs: 60_000,
      clock: { now: () => new Date(now) },
    });
    const provider = credentials.forTenant('a');

    // Act
    const first = await provider();
    now = T0 + 800_000;
    const stillFirst = await provider();
    now = T0 + 850_000;
    const renewed = await provider();

    // Assess
    expect([first.accessKeyId, stillFirst.accessKeyId, renewed.accessKeyId]).toEqual([
      'FIRST',
      'FIRST',
      'SECOND',
    ]);
  });

  it('refuses a tenant id that could not be a session tag of ours, before calling STS', () => {
    // Prepare
    const credentials = new StsTenantCredentials(new STSClient({ region: 'eu-west-1' }), {
      roleArn: ROLE_ARN,
      sessionPrefix: 'act',
    });

    // Act / Assess
    expect(() => credentials.forTenant('TENANT#a')).toThrow(/tenantId/);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it('uses the ambient credentials on the embedded stack (no STS there)', () => {
    // Act / Assess
    expect(AMBIENT_CREDENTIALS.forTenant('a')).toBeUndefined();
  });
});
