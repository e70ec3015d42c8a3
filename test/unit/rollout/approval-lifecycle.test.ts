import { describe, expect, it } from 'vitest';
import {
  PROPOSAL_STATUSES,
  canProposalTransition,
} from '../../../shared/domain/rollout/approval-lifecycle.js';
import {
  decideApproval,
  describeRefusal,
} from '../../../shared/domain/rollout/approval-decision.js';
import {
  approvalDeadlines,
  isApprovalExpired,
  proposalIdOf,
  requestDecision,
  splitAtDeadline,
} from '../../../shared/domain/rollout/proposal.js';
import {
  ROLLOUT_PHASES,
  actDisposition,
  rolloutPhaseOf,
} from '../../../shared/domain/rollout/phase.js';
import { agreementByActionType } from '../../../shared/domain/rollout/agreement.js';

const NOW = new Date('2026-03-02T10:00:00.000Z');
const card = {
  cardId: 'follow_up:c-1:2026-02-20T09:00:00.000Z',
  hourKey: '2026030209',
  type: 'follow_up',
  target: { contactId: 'c-1' },
  reason: 'overdue',
  payload: { template: 'check_in', subject: 'Hello' },
};
const awaiting = {
  status: 'awaiting' as const,
  phase: 'assisted' as const,
  expiresAt: '2026-03-03T09:00:00.000Z',
  card,
};

describe('Domain: rollout phase', () => {
  it.each([
    { phase: 'shadow', disposition: 'record' },
    { phase: 'parallel', disposition: 'record' },
    { phase: 'assisted', disposition: 'hold' },
    { phase: 'autonomous', disposition: 'execute' },
  ] as const)(
    'decides that an allowed action in $phase is to $disposition',
    ({ phase, disposition }) => {
      expect(actDisposition(phase)).toBe(disposition);
    },
  );

  it('reads a tenant stored without a rollout phase, or with an unknown one, as autonomous', () => {
    expect(rolloutPhaseOf({})).toBe('autonomous');
    expect(rolloutPhaseOf({ rollout: { phase: 'sideways' } })).toBe('autonomous');
    for (const phase of ROLLOUT_PHASES) expect(rolloutPhaseOf({ rollout: { phase } })).toBe(phase);
  });
});

describe('Domain: proposal lifecycle', () => {
  const allowed = new Set([
    'awaiting→approved',
    'awaiting→rejected',
    'awaiting→expired',
    'approved→executing',
    'executing→executed',
    'executing→superseded',
    'expired→awaiting',
    'superseded→awaiting',
  ]);
  const pairs = PROPOSAL_STATUSES.flatMap((from) =>
    PROPOSAL_STATUSES.map((to) => ({ from, to, ok: allowed.has(`${from}→${to}`) })),
  );

  it.each(pairs)('answers $ok for $from → $to', ({ from, to, ok }) => {
    expect(canProposalTransition(from, to)).toBe(ok);
  });

  it('never leads a rejected or executed proposal anywhere, so neither can execute again', () => {
    for (const to of PROPOSAL_STATUSES) {
      expect(canProposalTransition('rejected', to)).toBe(false);
      expect(canProposalTransition('executed', to)).toBe(false);
    }
  });

  it('gives the same short id to every re-proposal of a touch, and a different one once held', () => {
    expect(proposalIdOf(card.cardId, 'hold')).toBe(proposalIdOf(card.cardId, 'hold'));
    expect(proposalIdOf(card.cardId, 'hold')).toMatch(/^p-[0-9a-f]{12}$/);
    expect(proposalIdOf(card.cardId, 'record')).not.toBe(proposalIdOf(card.cardId, 'hold'));
  });

  it.each([
    { case: 'no proposal yet', existing: undefined, decision: 'create' },
    { case: 'an open one', existing: awaiting, decision: 'keep' },
    {
      case: 'an open one past its deadline',
      existing: { ...awaiting, expiresAt: '2026-03-02T09:59:59.000Z' },
      decision: 'expire_then_re_request',
    },
    {
      case: 'an expired one',
      existing: { ...awaiting, status: 'expired' as const },
      decision: 're_request',
    },
    {
      case: 'a superseded one',
      existing: { ...awaiting, status: 'superseded' as const },
      decision: 're_request',
    },
    {
      case: 'a rejected one',
      existing: { ...awaiting, status: 'rejected' as const },
      decision: 'keep',
    },
    {
      case: 'an executed one',
      existing: { ...awaiting, status: 'executed' as const },
      decision: 'keep',
    },
  ])('on $case, the request stage decides $decision', ({ existing, decision }) => {
    expect(requestDecision(existing, NOW)).toBe(decision);
  });

  it('sets the deadline from the tenant TTL and the SLA from the action type, defaults otherwise', () => {
    expect(approvalDeadlines(undefined, 'follow_up', NOW)).toEqual({
      expiresAt: '2026-03-03T10:00:00.000Z',
      slaDueAt: '2026-03-02T14:00:00.000Z',
      slaMinutes: 240,
    });
    expect(
      approvalDeadlines(
        { approvalTtlHours: 2, approvalSlaMinutes: { follow_up: 15 } },
        'follow_up',
        NOW,
      ),
    ).toMatchObject({
      expiresAt: '2026-03-02T12:00:00.000Z',
      slaDueAt: '2026-03-02T10:15:00.000Z',
    });
    expect(isApprovalExpired({ expiresAt: NOW.toISOString() }, NOW)).toBe(true);
    expect(isApprovalExpired({}, NOW)).toBe(false);
  });
});

describe('Domain: decideApproval', () => {
  it.each([
    { case: 'approve', verdict: 'approve', expected: { to: 'approved' } },
    { case: 'reject', verdict: 'reject', expected: { to: 'rejected' } },
  ] as const)('lets an approver $case an awaiting approval in time', ({ verdict, expected }) => {
    expect(decideApproval(awaiting, verdict, { now: NOW, tenantPhase: 'assisted' })).toEqual(
      expected,
    );
  });

  it('lists only the fields an edit changes, with their old values', () => {
    expect(
      decideApproval(awaiting, 'edit', {
        now: NOW,
        tenantPhase: 'assisted',
        edits: { subject: 'Quick check-in', template: 'check_in' },
      }),
    ).toEqual({
      to: 'awaiting',
      edits: [{ field: 'subject', from: 'Hello', to: 'Quick check-in' }],
    });
  });

  it.each([
    {
      case: 'already approved',
      proposal: { ...awaiting, status: 'approved' as const },
      phase: 'assisted',
      refused: 'not_awaiting',
    },
    {
      case: 'past its deadline',
      proposal: { ...awaiting, expiresAt: '2026-03-02T09:00:00.000Z' },
      phase: 'assisted',
      refused: 'expired',
    },
    {
      case: 'of a tenant that left assisted',
      proposal: awaiting,
      phase: 'autonomous',
      refused: 'not_assisted',
    },
    {
      case: 'recorded in shadow',
      proposal: { ...awaiting, phase: 'shadow' as const, status: 'recorded' as const },
      phase: 'shadow',
      refused: 'not_an_approval',
    },
  ] as const)(
    'refuses a decision on an approval $case, saying why',
    ({ proposal, phase, refused }) => {
      const decision = decideApproval(proposal, 'approve', { now: NOW, tenantPhase: phase });
      expect(decision).toMatchObject({ refused });
      if ('refused' in decision) expect(describeRefusal('p-1', decision)).toMatch(/^p-1/);
    },
  );
});

describe('Domain: agreementByActionType', () => {
  it('counts each proposal once with its review and leaves assisted approvals out', () => {
    const review = (decision: 'agree' | 'disagree') => ({
      decision,
      by: 'rev',
      at: NOW.toISOString(),
    });
    expect(
      agreementByActionType([
        { actionType: 'follow_up', phase: 'parallel', review: review('agree') },
        { actionType: 'follow_up', phase: 'parallel', review: review('agree') },
        { actionType: 'follow_up', phase: 'shadow', review: review('disagree') },
        { actionType: 'follow_up', phase: 'parallel' },
        { actionType: 'create_task', phase: 'parallel' },
        { actionType: 'follow_up', phase: 'assisted', review: review('agree') },
      ]),
    ).toEqual({
      create_task: { proposals: 1, reviewed: 0, agreed: 0, rate: null },
      follow_up: { proposals: 4, reviewed: 3, agreed: 2, rate: 0.6667 },
    });
  });
});

describe('Domain: open approval deadlines', () => {
  it('expires the approvals whose deadline has passed and names the earliest one still ahead', () => {
    const awaiting = [
      { id: 'late', expiresAt: '2026-03-02T09:59:59.000Z' },
      { id: 'at-now', expiresAt: NOW.toISOString() },
      { id: 'soon', expiresAt: '2026-03-02T13:30:00.000Z' },
      { id: 'later', expiresAt: '2026-03-03T10:00:00.000Z' },
    ];

    const split = splitAtDeadline(awaiting, NOW);

    expect(split.overdue.map((a) => a.id)).toEqual(['late', 'at-now']);
    expect(split.nextDeadline).toBe('2026-03-02T13:30:00.000Z');
  });

  it('names no deadline when nothing awaits, or nothing awaits with a deadline', () => {
    expect(splitAtDeadline([], NOW)).toEqual({ overdue: [] });
    expect(splitAtDeadline([{ expiresAt: undefined }], NOW)).toEqual({ overdue: [] });
  });
});
