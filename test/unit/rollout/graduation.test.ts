import { describe, expect, it } from 'vitest';
import {
  decidePhaseAdvance,
  decideSendModeAdvance,
  nextPhase,
  nextSendMode,
  type GraduationEvidence,
} from '../../../shared/domain/rollout/graduation.js';
import type { RolloutPhase } from '../../../shared/domain/rollout/phase.js';

const NOW = new Date('2026-03-02T10:00:00.000Z');
const DAYS_AGO = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();

/** Evidence on which every criterion passes. */
function ready(overrides: Partial<GraduationEvidence> = {}): GraduationEvidence {
  return {
    phase: 'shadow',
    sendMode: 'limited_live',
    phaseSince: DAYS_AGO(20),
    sendModeSince: DAYS_AGO(20),
    agreement: {
      follow_up: { reviewed: 40, agreed: 36 },
      create_task: { reviewed: 20, agreed: 16 },
    },
    unsubscribeRoundTripTestedAt: DAYS_AGO(1),
    killSwitchTestedAt: DAYS_AGO(1),
    dkim: 'pass',
    dmarc: 'pass',
    deliverability: { sends: 200, bounces: 4, complaints: 0 },
    ...overrides,
  };
}

/** One row of the refusal table. */
interface RefusalCase {
  readonly case: string;
  readonly to: RolloutPhase;
  readonly evidence: Partial<GraduationEvidence>;
  readonly failing: readonly string[];
  readonly detail: RegExp;
}

const REFUSALS: readonly RefusalCase[] = [
  {
    case: 'agreement is 75 % exactly (the bar is above 75 %)',
    to: 'assisted',
    evidence: { agreement: { follow_up: { reviewed: 40, agreed: 30 } } },
    failing: ['agreement'],
    detail: /follow_up 75\.0 % of 40 is not above 75\.0 %/,
  },
  {
    case: 'an action type has too few reviews',
    to: 'assisted',
    evidence: {
      agreement: {
        follow_up: { reviewed: 40, agreed: 40 },
        research: { reviewed: 3, agreed: 3 },
      },
    },
    failing: ['agreement'],
    detail: /research only 3 reviewed \(need 20\)/,
  },
  {
    case: 'nothing was reviewed',
    to: 'assisted',
    evidence: { agreement: {} },
    failing: ['agreement'],
    detail: /no reviewed proposals/,
  },
  {
    case: 'unsubscribe and kill switch were never tested',
    to: 'assisted',
    evidence: { unsubscribeRoundTripTestedAt: undefined, killSwitchTestedAt: undefined },
    failing: ['kill_switch_tested', 'unsubscribe_tested'],
    detail: /never tested \(run agentctl canary\)/,
  },
  {
    case: 'the last kill-switch test is stale',
    to: 'parallel',
    evidence: { killSwitchTestedAt: DAYS_AGO(31) },
    failing: ['kill_switch_tested'],
    detail: /older than 30 days/,
  },
  {
    case: 'DKIM fails and DMARC was not checked',
    to: 'assisted',
    evidence: { dkim: 'fail', dmarc: 'unknown', identityNote: 'local data dir' },
    failing: ['dkim', 'dmarc'],
    detail: /DMARC: not checked \(local data dir\)/,
  },
  {
    case: 'the send mode is still dry_run',
    to: 'assisted',
    evidence: { sendMode: 'dry_run' },
    failing: ['send_mode'],
    detail: /below internal_only/,
  },
  {
    case: 'the bounce rate is 5 %',
    to: 'autonomous',
    evidence: { deliverability: { sends: 100, bounces: 5, complaints: 0 } },
    failing: ['deliverability'],
    detail: /bounce rate not below 5\.0 %/,
  },
  {
    case: 'one complaint in 200 sends',
    to: 'autonomous',
    evidence: { deliverability: { sends: 200, bounces: 0, complaints: 1 } },
    failing: ['deliverability'],
    detail: /complaint rate not below 0\.1 %/,
  },
  {
    case: 'too few sends to measure',
    to: 'autonomous',
    evidence: { deliverability: { sends: 49, bounces: 0, complaints: 0 } },
    failing: ['deliverability'],
    detail: /only 49 sends, need 50/,
  },
  {
    case: 'sending is paused and the mode is internal_only',
    to: 'autonomous',
    evidence: { sendingPaused: 'bounce_rate', sendMode: 'internal_only' },
    failing: ['sending_not_paused', 'send_mode'],
    detail: /sending paused: bounce_rate/,
  },
];

describe('Domain: rollout phase graduation', () => {
  it.each([
    { from: 'shadow', to: 'parallel' },
    { from: 'parallel', to: 'assisted' },
    { from: 'assisted', to: 'autonomous' },
    { from: 'shadow', to: 'autonomous' },
  ] as const)('allows $from → $to when every criterion passes', ({ from, to }) => {
    const decision = decidePhaseAdvance(ready({ phase: from }), to, NOW);

    expect(decision).toMatchObject({ allowed: true, direction: 'advance', failing: [] });
    expect(decision.criteria.length).toBeGreaterThan(0);
  });

  it.each(REFUSALS)(
    'refuses when $case, naming each failing criterion',
    ({ to, evidence, failing, detail }) => {
      const decision = decidePhaseAdvance(ready({ phase: 'shadow', ...evidence }), to, NOW);

      expect(decision.allowed).toBe(false);
      expect(decision.failing).toEqual(failing);
      expect(
        decision.criteria
          .filter((c) => !c.pass)
          .map((c) => c.detail)
          .join('\n'),
      ).toMatch(detail);
    },
  );

  it('lists each criterion once for autonomous: its send-mode floor replaces assisted’s', () => {
    const decision = decidePhaseAdvance(
      ready({ phase: 'assisted', sendMode: 'internal_only' }),
      'autonomous',
      NOW,
    );

    const ids = decision.criteria.map((c) => c.id);
    expect(ids).toEqual([...new Set(ids)]);
    expect(decision.failing).toEqual(['send_mode']);
    expect(decision.criteria.find((c) => c.id === 'send_mode')?.detail).toMatch(/limited_live/);
  });

  it('does not ask for deliverability or agreement to enter parallel', () => {
    const decision = decidePhaseAdvance(
      ready({
        agreement: {},
        deliverability: { sends: 0, bounces: 0, complaints: 0 },
        sendMode: 'dry_run',
      }),
      'parallel',
      NOW,
    );

    expect(decision).toMatchObject({ allowed: true, failing: [] });
    expect(decision.criteria.map((c) => c.id)).toEqual(['kill_switch_tested']);
  });

  it.each([
    { from: 'autonomous', to: 'shadow', direction: 'demote' },
    { from: 'assisted', to: 'assisted', direction: 'hold' },
  ] as const)(
    'always allows $from → $to ($direction), even with no evidence',
    ({ from, to, direction }) => {
      const decision = decidePhaseAdvance(
        ready({ phase: from, agreement: {}, killSwitchTestedAt: undefined, dkim: 'fail' }),
        to,
        NOW,
      );

      expect(decision).toMatchObject({ allowed: true, direction, criteria: [] });
    },
  );

  it('names the next rung of each ladder and none above the top', () => {
    expect(nextPhase('shadow')).toBe('parallel');
    expect(nextPhase('autonomous')).toBeUndefined();
    expect(nextSendMode('limited_live')).toBe('production');
    expect(nextSendMode('production')).toBeUndefined();
  });
});

describe('Domain: send-mode graduation (go-live runbook)', () => {
  it.each([
    { from: 'dry_run', to: 'internal_only', since: DAYS_AGO(2) },
    { from: 'internal_only', to: 'limited_live', since: DAYS_AGO(8) },
    { from: 'limited_live', to: 'production', since: DAYS_AGO(15) },
  ] as const)(
    'allows $from → $to after the minimum time with clean evidence',
    ({ from, to, since }) => {
      const decision = decideSendModeAdvance(
        ready({ sendMode: from, sendModeSince: since }),
        to,
        NOW,
      );

      expect(decision).toMatchObject({ ladder: 'send-mode', allowed: true, failing: [] });
    },
  );

  it.each([
    {
      from: 'dry_run',
      to: 'internal_only',
      since: DAYS_AGO(0.5),
      detail: /only 12\.0 h in dry_run/,
    },
    { from: 'internal_only', to: 'limited_live', since: DAYS_AGO(3), detail: /need 7 days/ },
    { from: 'limited_live', to: 'production', since: DAYS_AGO(13), detail: /need 14 days/ },
  ] as const)(
    'refuses $from → $to before the minimum time in $from',
    ({ from, to, since, detail }) => {
      const decision = decideSendModeAdvance(
        ready({ sendMode: from, sendModeSince: since }),
        to,
        NOW,
      );

      expect(decision.failing).toEqual(['time_in_mode']);
      expect(decision.criteria.find((c) => c.id === 'time_in_mode')?.detail).toMatch(detail);
    },
  );

  it('refuses production with a bounce rate at 5 % and an untested unsubscribe, naming both', () => {
    const decision = decideSendModeAdvance(
      ready({
        sendMode: 'limited_live',
        unsubscribeRoundTripTestedAt: undefined,
        deliverability: { sends: 60, bounces: 3, complaints: 0 },
      }),
      'production',
      NOW,
    );

    expect(decision).toMatchObject({
      allowed: false,
      failing: ['unsubscribe_tested', 'deliverability'],
    });
  });

  it('does not ask for deliverability before production', () => {
    const decision = decideSendModeAdvance(
      ready({ sendMode: 'dry_run', deliverability: { sends: 0, bounces: 0, complaints: 0 } }),
      'internal_only',
      NOW,
    );

    expect(decision.criteria.map((c) => c.id)).toEqual([
      'time_in_mode',
      'kill_switch_tested',
      'dkim',
      'dmarc',
    ]);
  });

  it('always allows stepping down to dry_run', () => {
    expect(
      decideSendModeAdvance(ready({ sendMode: 'production', dkim: 'fail' }), 'dry_run', NOW),
    ).toMatchObject({ allowed: true, direction: 'demote' });
  });
});
