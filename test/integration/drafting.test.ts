import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentctl } from '../helpers/agentctl.js';
import { parseFixture } from '../../infra/local/fixture.js';
import { runSimulation } from '../../infra/local/simulator.js';
import { createSendingService } from '../../infra/local/sending-service.js';
import type { SimulationReport } from '../../infra/local/report.js';
import type { StoredEmail } from '../../infra/local/ses-emulator.js';

const START = '2026-03-02T15:00:00Z';
const daysAgo = (days: number) =>
  new Date(new Date(START).getTime() - days * 86_400_000).toISOString();

const tenant = (id: string, name: string, email: string, messagingPack: unknown) => ({
  id,
  settings: {
    name,
    agentEnabled: true,
    sendMode: 'production',
    sending: { window: { enabled: false } },
  },
  doNotContact: {},
  accounts: [{ accountId: 'a-1', name: 'Lakeview Bank', status: 'active' }],
  contacts: [
    {
      contactId: 'c-1',
      name: 'Dana Whitfield',
      email,
      accountId: 'a-1',
      lastTouchAt: daysAgo(30),
      createdAt: daysAgo(300),
    },
  ],
  messagingPack,
});

const FOOTER = 'Clean Appraisals, 12 Harbor Road, Springfield';
const fixture = parseFixture({
  global: { start: START, hours: 1, sendMode: 'production' },
  tenants: [
    tenant('clean', 'Clean Appraisals', 'dana@lakeview.example', {
      tone: 'friendly and brief',
      requiredFooter: FOOTER,
    }),
    // The pack's own key message breaks its forbidden-claims list, so the mock's draft, its
    // redraft and the template all fail the checker: the touch must be blocked, never sent.
    tenant('conflicted', 'Conflicted Lending', 'dana@harbor.example', {
      keyMessages: ['We guarantee approval of every loan within a week.'],
      forbiddenClaims: ['guarantee'],
      templates: {
        check_in: {
          default: {
            subject: 'Checking in from {{tenantName}}',
            body: ['{{greeting}}', '{{keyMessage}}', 'Best regards,', '{{tenantName}}'],
          },
        },
        follow_up: {
          default: {
            subject: 'Following up – {{tenantName}}',
            body: ['{{greeting}}', '{{keyMessage}}', 'Best regards,', '{{tenantName}}'],
          },
        },
      },
    }),
  ],
});

describe('Simulator: drafting behind the content checker', () => {
  let report: SimulationReport;
  let delivered: StoredEmail[] = [];
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'agent-drafting-'));
    report = await runSimulation({
      fixture,
      llm: 'mock',
      dataDir,
      services: [
        createSendingService({
          onStop: (emails) => {
            delivered = emails;
            return Promise.resolve();
          },
        }),
      ],
    });
  }, 90_000);

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('never lets a draft with a forbidden claim reach the SES emulator, and reports it blocked with its violation', () => {
    // Assess
    const conflicted = report.tenants.find((t) => t.tenantId === 'conflicted');
    expect(delivered.some((email) => email.destination.to.includes('dana@harbor.example'))).toBe(
      false,
    );
    expect(
      delivered.some((email) => /guarantee/i.test(`${email.subject}\n${email.body.text ?? ''}`)),
    ).toBe(false);
    expect(conflicted?.emails).toEqual([
      expect.objectContaining({
        to: 'dana@harbor.example',
        status: 'blocked',
        reason: 'draft_forbidden_claim',
        draft: { provider: 'template', fallbackFrom: 'mock', checks: ['forbidden_claim'] },
      }),
    ]);
    expect(conflicted?.violations).toEqual([
      expect.objectContaining({
        type: 'draft_forbidden_claim',
        reason: 'forbidden_claim: contains "guarantee"',
      }),
    ]);
    expect(conflicted?.queued.sendRequests).toBe(0);
  });

  it('sends the checked mock draft inside the envelope: footer, unsubscribe link and headers', () => {
    // Assess
    const clean = report.tenants.find((t) => t.tenantId === 'clean');
    const sent = delivered.filter((email) =>
      email.destination.to.includes('dana@lakeview.example'),
    );
    expect(clean?.emails.filter((email) => email.status === 'sent')).toEqual([
      expect.objectContaining({ draft: { provider: 'mock', checks: [] } }),
    ]);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body.text).toMatch(/^Hi Dana,/);
    expect(sent[0]!.body.text).toContain(FOOTER);
    expect(sent[0]!.body.text).toMatch(/unsubscribe from these emails at any time: http/);
    expect(sent[0]!.subject).toMatch(/Clean Appraisals$/);
    expect(sent[0]!.headers).toEqual(
      expect.arrayContaining([
        { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
      ]),
    );
  });

  it('shows the stored pack with agentctl, refuses a bad one naming the field and stores a good one', async () => {
    // Prepare
    const bad = join(dataDir, 'bad-pack.json');
    const good = join(dataDir, 'good-pack.json');
    await writeFile(bad, JSON.stringify({ forbiddenClaims: ['x'] }));
    await writeFile(good, JSON.stringify({ tone: 'plain', forbiddenClaims: ['risk free'] }));

    // Act
    const shown = await agentctl(
      'messaging-pack',
      'show',
      'conflicted',
      '--local',
      dataDir,
      '--json',
    );
    const refused = await agentctl(
      'messaging-pack',
      'set',
      'clean',
      '--file',
      bad,
      '--local',
      dataDir,
    );
    const stored = await agentctl(
      'messaging-pack',
      'set',
      'clean',
      '--file',
      good,
      '--local',
      dataDir,
      '--json',
    );
    const after = await agentctl('messaging-pack', 'show', 'clean', '--local', dataDir, '--json');

    // Assess
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.out)).toMatchObject({
      tenantId: 'conflicted',
      stored: true,
      updatedBy: 'fixture',
      pack: { forbiddenClaims: ['guarantee'] },
    });
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('pack.forbiddenClaims.0');
    expect(stored.code).toBe(0);
    expect(JSON.parse(after.out)).toMatchObject({
      stored: true,
      pack: { tone: 'plain', forbiddenClaims: ['risk free'], requiredFooter: '' },
    });
  }, 60_000);
});
