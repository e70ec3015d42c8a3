import { describe, expect, it } from 'vitest';
import { formatReport } from '../../../infra/cli/format-report.js';
import type { SimulationReport, TenantReport } from '../../../infra/local/report.js';

function tenant(overrides: Partial<TenantReport> & Record<string, unknown>): TenantReport {
  return {
    tenantId: 't',
    name: 'T',
    agentEnabled: true,
    cycles: [],
    emails: [],
    violations: [],
    tasks: [],
    orders: [],
    actions: {},
    deferrals: {},
    engagement: {
      contacts: 2,
      compliant: 1,
      overdue: 1,
      complianceRate: 0.5,
      notContactable: { count: 0, reasons: {} },
      stalePendingSends: 0,
    },
    sending: { touches: 0, inDoubtSettled: 0, unknown: 0, pending: 0 },
    ingest: { messages: 0, duplicates: 0, classified: {} },
    queued: { sendRequests: 0 },
    ...overrides,
  } as TenantReport;
}

function report(tenants: TenantReport[], sendMode = 'dry_run'): SimulationReport {
  return {
    simulation: {
      start: '2026-01-05T08:00:00.000Z',
      end: '2026-01-06T08:00:00.000Z',
      hours: 24,
      sendMode,
      killSwitch: 'off',
      executions: { succeeded: 24, failed: 0 },
    },
    tenants,
    metrics: {},
  } as SimulationReport;
}

describe('CLI: the text report explains what happened', () => {
  it('counts deferred actions by reason', () => {
    const text = formatReport(
      report([tenant({ tenantId: 'summit', deferrals: { no_research_provider: 24 } })]),
    );

    expect(text).toContain('deferred actions by reason: no_research_provider ×24');
  });

  it('names blocked and suppressed recipients with the reason, for any email status', () => {
    const text = formatReport(
      report([
        tenant({
          emails: [
            { to: 'a@x.example', status: 'blocked', reason: 'email_blocked_internal_only', at: '' },
            { to: 'b@y.example', status: 'suppressed', reason: 'bounce', at: '' },
            { to: 'b@y.example', status: 'suppressed', reason: 'bounce', at: '' },
            { to: 'c@z.example', status: 'superseded', reason: 'newer_touch', at: '' },
            { to: 'd@z.example', status: 'dry_run', reason: 'dry_run', at: '' },
          ],
        }),
      ]),
    );

    expect(text).toContain('blocked emails: a@x.example (email_blocked_internal_only)');
    expect(text).toContain('suppressed emails: b@y.example (bounce) ×2');
    expect(text).toContain('superseded emails: c@z.example (newer_touch)');
    expect(text).not.toContain('dry_run emails:');
    expect(text).toContain('blocked, suppressed ×2, superseded, dry_run');
  });

  it('lists violations with who they were about', () => {
    const text = formatReport(
      report([
        tenant({
          violations: [
            {
              type: 'do_not_contact',
              reason: 'industry "gambling" is excluded',
              actionType: 'follow_up',
              at: '',
              target: { contactId: 'c-9', email: 'lou@lucky.example' },
            },
          ],
        }),
      ]),
    );

    expect(text).toContain(
      'violation do_not_contact ×1: lou@lucky.example (industry "gambling" is excluded)',
    );
  });

  it('names the contact and quotes the request in a task line', () => {
    const text = formatReport(
      report([
        tenant({
          tasks: [
            {
              taskId: '1',
              title: 'Follow up on request in message 099dc027382b34d2',
              contactId: 'c-001',
              contact: { name: 'Dana Whitfield', email: 'dana@lakeshore.example' },
              evidence: 'client_request',
              request: 'Can you call me tomorrow morning\n to talk through turn times?',
            },
          ],
        }),
      ]),
    );

    expect(text).toContain(
      'task: follow up with Dana Whitfield <dana@lakeshore.example>: “Can you call me tomorrow morning to talk through turn times?”',
    );
  });

  it('labels a disabled tenant instead of showing its compliance as a score', () => {
    const text = formatReport(
      report([
        tenant({
          tenantId: 'harbor',
          agentEnabled: false,
          engagement: {
            contacts: 1,
            compliant: 0,
            overdue: 1,
            complianceRate: 0,
            notContactable: { count: 0, reasons: {} },
            stalePendingSends: 0,
          },
        }),
      ]),
    );

    expect(text).toMatch(/^harbor +DISABLED .*— \(disabled; 1 overdue\)/m);
    expect(text).not.toContain('0.0%');
    expect(text).toContain('DISABLED: the agent is off for this tenant');
  });

  it('says that dry_run touches do not count for compliance, and where the data dir is', () => {
    const text = formatReport(
      report([tenant({ emails: [{ to: 'a@x', status: 'dry_run', reason: 'dry_run', at: '' }] })]),
      { dataDir: '/tmp/demo' },
    );

    expect(text).toContain('a dry_run touch is not a contact');
    expect(text).toContain(
      'Data dir: /tmp/demo (inspect with agentctl <command> --local /tmp/demo)',
    );
  });

  it('renders engagement fields it does not know, such as notContactable', () => {
    const text = formatReport(
      report(
        [
          tenant({
            engagement: {
              contacts: 3,
              compliant: 1,
              overdue: 1,
              complianceRate: 0.5,
              notContactable: { count: 1, reasons: { do_not_contact: 1 } },
              stalePendingSends: 0,
            },
          }),
        ],
        'production',
      ),
    );

    expect(text).toContain('engagement notContactable: count 1, reasons do_not_contact');
    expect(text).not.toContain('dry_run touch');
  });
});
