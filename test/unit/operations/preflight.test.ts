import { describe, expect, it } from 'vitest';
import type { PreflightDeps } from '../../../infra/cli/preflight.js';
import { checkPreflight } from '../../../infra/cli/preflight.js';
import type { GmailConnectionStatus } from '../../../infra/cli/gmail-connection.js';
import type { EmailSetupInspector } from '../../../infra/cli/cloud-inspectors.js';
import { localIdentityPorts, publishedDomain } from '../../../infra/local/local-identities.js';
import { domainHealthCheck } from '../../../shared/sending/domain-health-check.js';

const NOW = new Date('2026-01-05T08:00:00.000Z');

/** An AWS-like preflight context over in-memory tenants and fake inspectors. */
function deps(overrides: Partial<PreflightDeps> = {}, killSwitchOn = false): PreflightDeps {
  const tenants: Record<string, { sendMode?: string }> = {
    acme: { sendMode: 'limited_live' },
    globex: {},
  };
  const gmail: Record<string, GmailConnectionStatus> = { acme: 'connected', globex: 'revoked' };
  const email: EmailSetupInspector = {
    identities: async () => [
      { name: 'acme.example', type: 'DOMAIN', verified: true, dkim: 'SUCCESS' },
      { name: 'pending.example', type: 'DOMAIN', verified: false, dkim: 'PENDING' },
    ],
    configurationSets: async () => [
      {
        name: 'agent',
        destinations: [
          { name: 'feedback', enabled: true, events: ['BOUNCE', 'COMPLAINT', 'SEND'] },
        ],
      },
    ],
  };
  return {
    context: {
      target: 'AWS table test',
      local: false,
      killSwitch: { read: async () => ({ on: killSwitchOn }) },
      repos: {
        tenants: {
          allEnabled: async function* () {
            yield* Object.keys(tenants);
          },
          get: async (id: string) => tenants[id],
        },
      },
    } as never,
    gmail: { connectionStatus: async (tenantId) => gmail[tenantId] ?? 'not_configured' },
    email,
    alarmTopic: {
      subscriptions: async () => ({ topicArn: 'arn:topic', confirmed: 1, pending: 0 }),
    },
    domainHealth: domainHealthCheck(
      localIdentityPorts({
        identities: {
          ...publishedDomain('acme.example').identities,
          ...publishedDomain('pending.example', { dkim: false }).identities,
        },
        dns: {
          ...publishedDomain('acme.example').dns,
          ...publishedDomain('pending.example', { dmarc: false }).dns,
        },
      }),
    ),
    ...overrides,
  };
}

describe('agentctl: checkPreflight', () => {
  it('passes the SES, DKIM/SPF/DMARC, configuration-set, kill-switch and alarm-topic lines of a ready stage', async () => {
    // Act
    const report = await checkPreflight(deps(), { now: () => NOW });

    // Assess
    const byId = Object.fromEntries(report.checks.map((check) => [check.id, check.status]));
    expect(byId).toMatchObject({
      'ses-identity': 'PASS',
      'dkim:acme.example': 'PASS',
      'spf:acme.example': 'PASS',
      'dmarc:acme.example': 'PASS',
      'ses-configuration-set': 'PASS',
      'kill-switch': 'PASS',
      'gmail:acme': 'PASS',
      'send-mode:acme': 'PASS',
      'alarm-topic': 'PASS',
    });
  });

  it('fails a revoked Gmail connection with the re-authorize fix and warns on an unset send mode', async () => {
    // Act
    const report = await checkPreflight(deps(), { now: () => NOW });

    // Assess
    expect(report.status).toBe('not_ready');
    expect(report.checks.find((check) => check.id === 'gmail:globex')).toMatchObject({
      status: 'FAIL',
      summary: 'Gmail globex: revoked',
      fix: expect.stringContaining('re-authorize'),
    });
    expect(report.checks.find((check) => check.id === 'send-mode:globex')?.status).toBe('WARN');
  });

  it.each([
    {
      case: 'an identity whose DKIM is pending',
      options: { identity: 'pending.example' },
      overrides: {},
      id: 'ses-identity',
      fix: 'DKIM CNAME',
    },
    {
      case: 'a domain without a DMARC record',
      options: { identity: 'pending.example' },
      overrides: {},
      id: 'dmarc:pending.example',
      fix: 'v=DMARC1',
    },
    {
      case: 'a domain whose DKIM records are not published',
      options: { identity: 'pending.example' },
      overrides: {},
      id: 'dkim:pending.example',
      fix: 'DKIM CNAME',
    },
    {
      case: 'a configuration set without a complaint destination',
      options: {},
      overrides: {
        email: {
          identities: async () => [],
          configurationSets: async () => [
            { name: 'agent', destinations: [{ name: 'x', enabled: true, events: ['BOUNCE'] }] },
          ],
        },
      },
      id: 'ses-configuration-set',
      fix: 'BOUNCE and COMPLAINT',
    },
    {
      case: 'an alarm topic without a subscription',
      options: {},
      overrides: {
        alarmTopic: {
          subscriptions: async () => ({ topicArn: 'arn:topic', confirmed: 0, pending: 0 }),
        },
      },
      id: 'alarm-topic',
      fix: 'alarmEmail',
    },
  ])('fails $case with a fix', async ({ options, overrides, id, fix }) => {
    // Act
    const report = await checkPreflight(deps(overrides as Partial<PreflightDeps>), {
      ...options,
      now: () => NOW,
    });

    // Assess
    const check = report.checks.find((entry) => entry.id === id);
    expect(check?.status, JSON.stringify(check)).toBe('FAIL');
    expect(check?.fix).toContain(fix);
  });

  it('warns but stays ready when only the kill switch is on', async () => {
    // Prepare: everything else passes.
    const ready = deps({
      gmail: { connectionStatus: async () => 'connected' },
      context: {
        ...(deps().context as object),
        repos: {
          tenants: {
            allEnabled: async function* () {
              yield 'acme';
            },
            get: async () => ({ sendMode: 'production' }),
          },
        },
        killSwitch: { read: async () => ({ on: true, reason: 'maintenance' }) },
      } as never,
    });

    // Act
    const report = await checkPreflight(ready, { now: () => NOW });

    // Assess
    expect(report.checks.find((check) => check.id === 'kill-switch')?.status).toBe('WARN');
    expect(report.status).toBe('ready');
  });
});

describe('agentctl: checkPreflight sending domains', () => {
  it('checks every enabled tenant’s own From domain beside the verified SES domains', async () => {
    // Prepare: globex sends from its own domain, published without a custom MAIL FROM.
    const base = deps();
    const tenants = base.context.repos.tenants;
    const context = {
      ...base.context,
      repos: {
        tenants: {
          allEnabled: tenants.allEnabled,
          get: async (id: string) =>
            id === 'globex'
              ? { sending: { fromAddress: 'agent@Mail.Globex.example' } }
              : tenants.get(id),
        },
      },
    } as never;
    const registry = publishedDomain('mail.globex.example');
    const health = domainHealthCheck(
      localIdentityPorts({
        identities: { 'mail.globex.example': { verified: true, dkim: 'SUCCESS' } },
        dns: registry.dns,
      }),
    );

    // Act
    const report = await checkPreflight(
      { ...base, context, domainHealth: health },
      { now: () => NOW },
    );

    // Assess
    const lines = report.checks
      .filter((check) => check.id.endsWith('mail.globex.example'))
      .map((check) => [check.id, check.status]);
    expect(lines).toEqual([
      ['dkim:mail.globex.example', 'PASS'],
      ['spf:mail.globex.example', 'FAIL'],
      ['dmarc:mail.globex.example', 'PASS'],
    ]);
    expect(report.checks.find((check) => check.id === 'spf:mail.globex.example')?.fix).toContain(
      'custom MAIL FROM',
    );
  });
});
