import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulationReport } from '../../../infra/local/report.js';
import { agentctl } from '../../helpers/agentctl.js';

const START = '2026-03-02T09:00:00Z';
const DAY_MS = 86_400_000;

/** Two tenants: one assisted with two overdue contacts, one parallel with one. */
function fixture(): unknown {
  const contact = (index: number) => {
    const lastTouchAt = new Date(Date.parse(START) - (30 + index) * DAY_MS).toISOString();
    return {
      contactId: `c-${index}`,
      email: `person${index}@client.example`,
      lastTouchAt,
      createdAt: lastTouchAt,
    };
  };
  const tenant = (id: string, phase: string, contacts: number) => ({
    id,
    settings: {
      name: id,
      agentEnabled: true,
      tier: 'enterprise',
      sendMode: 'production',
      rollout: { phase },
      sending: {
        window: { enabled: false },
        caps: { minDelaySeconds: 0 },
        warmUp: { enabled: false },
      },
    },
    doNotContact: {},
    contacts: Array.from({ length: contacts }, (_, index) => contact(index)),
  });
  return {
    global: { sendMode: 'production', start: START },
    tenants: [tenant('assisted-co', 'assisted', 2), tenant('parallel-co', 'parallel', 1)],
  };
}

describe('agentctl: approvals and review against a local data dir', () => {
  let work: string;
  let dataDir: string;
  let fixtureFile: string;
  let first: SimulationReport;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'agentctl-rollout-'));
    dataDir = join(work, 'data');
    fixtureFile = join(work, 'fixture.json');
    await writeFile(fixtureFile, JSON.stringify(fixture()));
    const run = await agentctl(
      'simulate',
      '--fixture',
      fixtureFile,
      '--hours',
      '2',
      '--json',
      '--no-progress',
      '--data-dir',
      dataDir,
    );
    expect(run.code, run.err).toBe(0);
    first = JSON.parse(run.out) as SimulationReport;
  }, 120_000);

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('reports each tenant’s phase, its approvals and the touches awaiting approval, having sent nothing', () => {
    const assisted = first.tenants.find((t) => t.tenantId === 'assisted-co')!;
    const parallel = first.tenants.find((t) => t.tenantId === 'parallel-co')!;

    expect(assisted.phase).toBe('assisted');
    expect(assisted.approvals).toEqual({
      awaiting: 2,
      approved: 0,
      executed: 0,
      rejected: 0,
      expired: 0,
      superseded: 0,
    });
    expect(assisted.emails.map((e) => [e.to, e.status]).sort()).toEqual([
      ['person0@client.example', 'awaiting_approval'],
      ['person1@client.example', 'awaiting_approval'],
    ]);
    expect(parallel.phase).toBe('parallel');
    expect(parallel.emails).toEqual([]);
    expect(parallel.proposals.recorded).toEqual({ follow_up: 1 });
  });

  it('approves once through the CLI, refuses the second approval, and the next cycles send that one email only', async () => {
    const list = await agentctl('approvals', 'list', 'assisted-co', '--json', '--local', dataDir);
    const open = JSON.parse(list.out) as { id: string; to: string; status: string }[];
    const target = open.find((row) => row.to === 'person0@client.example')!;

    const approved = await agentctl(
      'approvals',
      'approve',
      target.id,
      '--by',
      'ana',
      '--note',
      'fine',
      '--at',
      '2026-03-02T10:30:00Z',
      '--local',
      dataDir,
    );
    const twice = await agentctl(
      'approvals',
      'approve',
      target.id,
      '--by',
      'ben',
      '--at',
      '2026-03-02T10:31:00Z',
      '--local',
      dataDir,
    );
    const shown = await agentctl('approvals', 'show', target.id, '--json', '--local', dataDir);
    const html = join(work, 'report.html');
    const next = await agentctl(
      'simulate',
      '--fixture',
      fixtureFile,
      '--start',
      '2026-03-02T11:00:00Z',
      '--hours',
      '2',
      '--json',
      '--no-progress',
      '--data-dir',
      dataDir,
      '--html',
      html,
    );

    expect(list.code).toBe(0);
    expect(open).toHaveLength(2);
    expect(approved.code, approved.err).toBe(0);
    expect(twice.code).toBe(1);
    expect(twice.err).toContain('is approved, not awaiting approval');
    const proposal = JSON.parse(shown.out) as {
      status: string;
      decidedBy: string;
      history: { action: string; by: string; note?: string }[];
      draft?: { provider: string; subject: string; paragraphs: string[]; checks: string[] };
    };
    expect(proposal).toMatchObject({ status: 'approved', decidedBy: 'ana' });
    // The approver saw the email the simulator's mock drafter wrote, checked, for this touch.
    expect(proposal.draft).toMatchObject({ provider: 'mock', checks: [] });
    expect(proposal.draft?.subject).toMatch(/\S/);
    expect(proposal.draft?.paragraphs.join(' ')).toMatch(/\S/);
    expect(proposal.history.filter((e) => e.action === 'approved')).toEqual([
      expect.objectContaining({ by: 'ana', note: 'fine' }),
    ]);
    expect(next.code, next.err).toBe(0);
    const report = JSON.parse(next.out) as SimulationReport;
    const assisted = report.tenants.find((t) => t.tenantId === 'assisted-co')!;
    expect(assisted.emails.filter((e) => e.status === 'sent').map((e) => e.to)).toEqual([
      'person0@client.example',
    ]);
    expect(assisted.approvals).toMatchObject({ awaiting: 1, executed: 1 });
    const page = await readFile(html, 'utf8');
    expect(page).toContain('data-phase="assisted"');
    expect(page).toMatch(/data-approvals="executed">executed 1</);
  }, 120_000);

  it('records a reviewer’s decision in parallel phase and names a malformed id', async () => {
    const list = await agentctl(
      'approvals',
      'list',
      'parallel-co',
      '--status',
      'recorded',
      '--json',
      '--local',
      dataDir,
    );
    const [recorded] = JSON.parse(list.out) as { id: string }[];

    const review = await agentctl(
      'review',
      recorded!.id,
      'disagree',
      '--note',
      'customer on holiday',
      '--local',
      dataDir,
    );
    const approveRecorded = await agentctl(
      'approvals',
      'approve',
      recorded!.id,
      '--local',
      dataDir,
    );
    const malformed = await agentctl('approvals', 'approve', 'parallel-co/42', '--local', dataDir);
    const tenant = await agentctl('tenant', 'show', 'parallel-co', '--json', '--local', dataDir);
    const reviewed = await agentctl(
      'approvals',
      'show',
      recorded!.id,
      '--json',
      '--local',
      dataDir,
    );

    expect(review.code, review.err).toBe(0);
    // Without --at, the decision is dated by the data dir's virtual clock (the second simulation
    // ended at 13:00 virtual time), not by today's wall clock.
    const at = Date.parse((JSON.parse(reviewed.out) as { review: { at: string } }).review.at);
    expect(at).toBeGreaterThanOrEqual(Date.parse('2026-03-02T13:00:00Z'));
    expect(at).toBeLessThan(Date.parse('2026-03-02T13:10:00Z'));
    expect(approveRecorded.code).toBe(1);
    expect(approveRecorded.err).toContain('agentctl review');
    expect(malformed.code).toBe(2);
    expect(malformed.err).toContain('ID: expected TENANT/p-');
    expect(JSON.parse(tenant.out)).toMatchObject({ phase: 'parallel' });
  }, 120_000);
});
