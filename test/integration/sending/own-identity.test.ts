import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPreflight } from '../../../infra/cli/preflight.js';
import { gatherEvidence } from '../../../infra/cli/rollout-evidence.js';
import { LOCAL_KILL_SWITCH_PARAMETER } from '../../../infra/local/local-runtime.js';
import {
  localIdentityPorts,
  publishedDomain,
  type LocalIdentityRegistry,
} from '../../../infra/local/local-identities.js';
import { createCycleRepositories } from '../../../shared/cycle/create-runtime.js';
import { KillSwitch } from '../../../shared/adapters/parameters/kill-switch.js';
import { domainHealthCheck } from '../../../shared/sending/domain-health-check.js';
import { createSendingHarness, type SendingHarness } from '../../helpers/sending-harness.js';

const DOMAIN = 'mail.northwind.example';

let h: SendingHarness;

beforeAll(async () => {
  h = await createSendingHarness({ sendingIdentities: ['sender.local.example', DOMAIN] });
  await h.seedTenant('northwind', {
    sendMode: 'production',
    rollout: { phase: 'autonomous' },
    sending: { fromAddress: `agent@${DOMAIN}` },
  });
});

afterAll(async () => {
  await h.dispose();
});

/** `agentctl preflight` over the harness's table and kill switch, DNS and SES from `registry`. */
function preflight(registry: LocalIdentityRegistry) {
  return checkPreflight({
    context: {
      target: 'embedded stack',
      local: true,
      repos: { tenants: h.table.repos.tenants },
      killSwitch: new KillSwitch(h.parameters, LOCAL_KILL_SWITCH_PARAMETER),
      clock: h.table.clock,
    } as never,
    // The Gmail connection is another go-live line (agentctl-operations.test.ts); this file is about sending.
    gmail: { connectionStatus: async () => 'connected' },
    domainHealth: domainHealthCheck(localIdentityPorts(registry)),
  });
}

describe('Function: sender (a tenant sending from its own identity)', () => {
  it('passes preflight with DKIM, SPF and DMARC in place and delivers through the embedded SES', async () => {
    // Act
    const report = await preflight(publishedDomain(DOMAIN));
    await h.enqueue(h.request('northwind', 'card-1', 'dana@lakeshore.example'));
    await h.sender.drain.drainVisible();

    // Assess
    expect(report.status).toBe('ready');
    expect(
      report.checks
        .filter((check) => check.id.endsWith(`:${DOMAIN}`))
        .map((check) => [check.id, check.status]),
    ).toEqual([
      [`dkim:${DOMAIN}`, 'PASS'],
      [`spf:${DOMAIN}`, 'PASS'],
      [`dmarc:${DOMAIN}`, 'PASS'],
    ]);
    const received = await h.received();
    expect(received.map((mail) => [mail.from, mail.destination.to])).toEqual([
      [`agent@${DOMAIN}`, ['dana@lakeshore.example']],
    ]);
  });

  it('fails preflight naming the DMARC check when the domain publishes no DMARC record', async () => {
    // Act
    const report = await preflight(publishedDomain(DOMAIN, { dmarc: false }));

    // Assess
    expect(report.status).toBe('not_ready');
    expect(report.checks.filter((check) => check.status === 'FAIL')).toEqual([
      {
        id: `dmarc:${DOMAIN}`,
        status: 'FAIL',
        summary: `DMARC for ${DOMAIN}: no v=DMARC1 TXT record at _dmarc.${DOMAIN}`,
        fix: expect.stringContaining(`TXT _dmarc.${DOMAIN}`),
      },
    ]);
  });

  it('gives the rollout graduation evidence the same DKIM and DMARC verdicts for the tenant’s From domain', async () => {
    // Prepare
    const context = { repos: createCycleRepositories(h.table), table: h.table, local: true };
    const settings = (await h.table.repos.tenants.get('northwind'))!;
    const evidence = (registry: LocalIdentityRegistry) =>
      gatherEvidence(context, settings, h.table.clock.now(), {
        domainHealth: domainHealthCheck(localIdentityPorts(registry)),
      });

    // Act
    const published = await evidence(publishedDomain(DOMAIN));
    const unsigned = await evidence(publishedDomain(DOMAIN, { dkim: false, dmarc: false }));

    // Assess
    expect([published.dkim, published.dmarc, published.identityNote]).toEqual([
      'pass',
      'pass',
      undefined,
    ]);
    expect([unsigned.dkim, unsigned.dmarc]).toEqual(['fail', 'fail']);
    expect(unsigned.identityNote).toContain(`no v=DMARC1 TXT record at _dmarc.${DOMAIN}`);
  });
});
