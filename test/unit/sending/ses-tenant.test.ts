import {
  CreateTenantCommand,
  CreateTenantResourceAssociationCommand,
  SendEmailCommand,
  SESv2Client,
} from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  ensureSesTenant,
  formatSesTenantOutcome,
  sesTenantSpec,
} from '../../../infra/cli/ses-tenant.js';
import type { StackOutputs } from '../../../infra/cli/stack-outputs.js';
import { SesEmailSender, type OutboundEmail } from '../../../shared/adapters/ses/email-sender.js';
import { SesV2Tenants } from '../../../shared/adapters/ses/ses-tenants.js';
import { sesTenantName, sesTenantPrefix } from '../../../shared/domain/ses-tenant.js';
import type { TenantSettings } from '../../../shared/domain/tenant.js';
import { ConfigError } from '../../../shared/errors.js';

const ses = mockClient(SESv2Client);

// Workers are shared across files (isolate: false): give the class its real send back.
afterAll(() => {
  ses.restore();
});

afterEach(() => {
  ses.reset();
});

const CONFIGURATION_SET = 'arn:aws:ses:eu-west-1:123456789012:configuration-set/agent-set';
const SETUP = {
  prefix: 'engagement-agent-prod',
  configurationSetArn: CONFIGURATION_SET,
  defaultFromDomain: 'mail.agent.example',
};

function settings(tenantId: string, fromAddress?: string): TenantSettings {
  return { tenantId, ...(fromAddress ? { sending: { fromAddress } } : {}) } as TenantSettings;
}

function outputs(values: Record<string, string>): StackOutputs {
  return {
    stackName: 'EngagementAgent-prod',
    status: 'UPDATE_COMPLETE',
    require: (key) => {
      const value = values[key];
      if (value === undefined) throw new ConfigError(`stack output ${key}`, 'missing');
      return value;
    },
  };
}

describe('Domain: SES tenant names', () => {
  it('names a tenant <appName>-<stage>-<tenantId>', () => {
    // Act / Assess
    expect(sesTenantName(sesTenantPrefix('engagement-agent', 'prod'), 'northwind')).toBe(
      'engagement-agent-prod-northwind',
    );
  });

  it('keeps a long name within 64 characters, stable, and distinct for ids that share a beginning', () => {
    // Prepare
    const prefix = 'engagement-agent-staging';
    const a = `${'a'.repeat(50)}-one`;
    const b = `${'a'.repeat(50)}-two`;

    // Act
    const names = [sesTenantName(prefix, a), sesTenantName(prefix, b), sesTenantName(prefix, a)];

    // Assess
    expect(names.every((name) => name.length <= 64 && /^[A-Za-z0-9_-]+$/.test(name))).toBe(true);
    expect(names[0]).not.toBe(names[1]);
    expect(names[0]).toBe(names[2]);
  });

  it('refuses a prefix SES would reject, naming the variable', () => {
    // Act / Assess
    expect(() => sesTenantName('bad prefix', 'northwind')).toThrow(/SES_TENANT_PREFIX/);
  });
});

describe('Adapter: SES tenants through SESv2', () => {
  it('creates the tenant with its own bounce and complaint suppression and associates each resource', async () => {
    // Prepare
    ses
      .on(CreateTenantCommand)
      .resolves({})
      .on(CreateTenantResourceAssociationCommand)
      .resolves({});
    const spec = sesTenantSpec(SETUP, settings('northwind', 'agent@Mail.Northwind.example'));

    // Act
    const outcome = await new SesV2Tenants(new SESv2Client({ region: 'eu-west-1' })).ensure(spec);

    // Assess
    expect(ses.commandCalls(CreateTenantCommand)[0]?.args[0].input).toEqual({
      TenantName: 'engagement-agent-prod-northwind',
      SuppressionAttributes: {
        SuppressedReasons: ['BOUNCE', 'COMPLAINT'],
        SuppressionScope: 'TENANT',
      },
    });
    const associated = [
      'arn:aws:ses:eu-west-1:123456789012:identity/mail.northwind.example',
      CONFIGURATION_SET,
    ];
    expect(
      ses
        .commandCalls(CreateTenantResourceAssociationCommand)
        .map((call) => [call.args[0].input.TenantName, call.args[0].input.ResourceArn]),
    ).toEqual(associated.map((arn) => ['engagement-agent-prod-northwind', arn]));
    expect(outcome).toEqual({
      tenantName: 'engagement-agent-prod-northwind',
      created: true,
      associated,
    });
  });

  it('changes nothing when the tenant and its associations already exist', async () => {
    // Prepare
    const exists = Object.assign(new Error('exists'), { name: 'AlreadyExistsException' });
    ses
      .on(CreateTenantCommand)
      .rejects(exists)
      .on(CreateTenantResourceAssociationCommand)
      .rejects(exists);

    // Act
    const outcome = await ensureSesTenant(
      {
        local: false,
        stack: outputs({
          SesTenantPrefix: SETUP.prefix,
          SesConfigurationSetArn: CONFIGURATION_SET,
          SesDefaultFromDomain: SETUP.defaultFromDomain,
        }),
      },
      settings('globex'),
      new SesV2Tenants(new SESv2Client({ region: 'eu-west-1' })),
    );

    // Assess
    expect(outcome).toEqual({
      tenantName: 'engagement-agent-prod-globex',
      created: false,
      associated: [],
    });
    expect(
      ses.commandCalls(CreateTenantResourceAssociationCommand)[0]?.args[0].input.ResourceArn,
    ).toBe('arn:aws:ses:eu-west-1:123456789012:identity/mail.agent.example');
    expect(formatSesTenantOutcome(outcome)).toBe('SES tenant engagement-agent-prod-globex: exists');
  });

  it('lets any other SES error through', async () => {
    // Prepare
    ses
      .on(CreateTenantCommand)
      .rejects(Object.assign(new Error('no'), { name: 'AccessDeniedException' }));

    // Act / Assess
    await expect(
      new SesV2Tenants(new SESv2Client({ region: 'eu-west-1' })).ensure(
        sesTenantSpec(SETUP, settings('acme')),
      ),
    ).rejects.toThrow('no');
  });

  it('skips, saying why, on the embedded stack and for a stack without the SES tenant outputs', async () => {
    // Act
    const local = await ensureSesTenant({ local: true }, settings('acme'));
    const old = await ensureSesTenant({ local: false, stack: outputs({}) }, settings('acme'));

    // Assess
    expect(formatSesTenantOutcome(local)).toContain('aws-ses-v2-local) has no tenants');
    expect(formatSesTenantOutcome(old)).toContain('no SES tenant outputs');
    expect(ses.calls()).toHaveLength(0);
  });
});

describe('Adapter: SES email sender with SES tenants', () => {
  const email: OutboundEmail = {
    tenantId: 'northwind',
    from: 'agent@mail.northwind.example',
    to: 'dana@lakeshore.example',
    subject: 's',
    text: 't',
    html: '<p>t</p>',
    headers: [],
    tags: [],
  };

  it('names the tenant’s SES tenant on SendEmail when the deployment uses SES tenants', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    const sender = new SesEmailSender(new SESv2Client({ region: 'eu-west-1' }), 'agent-set', {
      sesTenantName: (tenantId) => sesTenantName(SETUP.prefix, tenantId),
    });

    // Act
    await sender.send(email);

    // Assess
    expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input).toMatchObject({
      TenantName: 'engagement-agent-prod-northwind',
      ConfigurationSetName: 'agent-set',
    });
  });

  it('sends no TenantName otherwise', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });

    // Act
    await new SesEmailSender(new SESv2Client({ region: 'eu-west-1' }), 'agent-set').send(email);

    // Assess
    expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input).not.toHaveProperty('TenantName');
  });
});
