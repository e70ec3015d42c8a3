import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PLANNING_LIMITS,
  planActions,
  type DueContact,
} from '../../../shared/domain/planner.js';
import {
  avoidContactHint,
  avoidTypeHint,
  dueContact,
  hoursFromNow,
  situation,
} from './builders.js';

describe('Domain: planActions', () => {
  it('proposes nothing for a quiet tenant', () => {
    expect(planActions(situation())).toEqual([]);
  });

  it('orders proposals as validations, requested tasks, follow-ups, then research', () => {
    // Prepare
    const input = situation({
      newOrderIds: ['order-1', 'order-2'],
      pendingRequests: [{ contactId: 'c-9', messageId: 'm-1', text: 'please call me' }],
      dueContacts: [dueContact('c-1', 5)],
      overdueContacts: 0,
      goals: { behindPace: true, pipelineThin: false },
    });

    // Act
    const proposals = planActions(input);

    // Assess
    expect(proposals.map((p) => p.type)).toEqual([
      'validate_order',
      'validate_order',
      'create_task',
      'follow_up',
      'research',
    ]);
    expect(proposals.slice(0, 2).map((p) => p.target)).toEqual([
      { orderId: 'order-1' },
      { orderId: 'order-2' },
    ]);
  });

  it('turns a pending request into a task carrying the message as evidence', () => {
    const proposals = planActions(
      situation({
        pendingRequests: [
          { contactId: 'c-1', messageId: 'msg-42', text: 'Can someone call me back?' },
          { messageId: 'msg-43', text: 'Send a quote please' },
        ],
      }),
    );

    expect(proposals).toEqual([
      {
        type: 'create_task',
        target: { contactId: 'c-1' },
        reason: 'client asked for follow-up by a person',
        payload: { title: 'Follow up on request in message msg-42' },
        evidence: {
          messageId: 'msg-42',
          text: 'Can someone call me back?',
          kind: 'client_request',
        },
      },
      {
        type: 'create_task',
        target: {},
        reason: 'client asked for follow-up by a person',
        payload: { title: 'Follow up on request in message msg-43' },
        evidence: { messageId: 'msg-43', text: 'Send a quote please', kind: 'client_request' },
      },
    ]);
  });

  it('ranks follow-ups by priority, highest first, breaking ties by contact id', () => {
    const proposals = planActions(
      situation({
        dueContacts: [
          dueContact('c-b', 1),
          dueContact('c-z', 9),
          dueContact('c-c', 5),
          dueContact('c-a', 5),
          dueContact('c-d', 1),
        ],
        overdueContacts: 5,
      }),
    );

    expect(proposals.map((p) => p.target.contactId)).toEqual(['c-z', 'c-a', 'c-c', 'c-b', 'c-d']);
  });

  it('addresses a follow-up to the contact with its account and overdue days', () => {
    const [proposal] = planActions(
      situation({
        dueContacts: [
          dueContact('c-1', 3, {
            accountId: 'acct-1',
            daysOverdue: 4,
            email: 'Ann@Client.example',
          }),
        ],
      }),
    );

    expect(proposal).toEqual({
      type: 'follow_up',
      target: { contactId: 'c-1', email: 'Ann@Client.example', accountId: 'acct-1' },
      reason: 'engagement window passed 4 day(s) ago',
      payload: { template: 'check_in', dueAt: '2026-01-01T09:00:00.000Z' },
    });
  });

  it('leaves accountId out of a follow-up target when the contact has none', () => {
    const [proposal] = planActions(situation({ dueContacts: [dueContact('c-1', 3)] }));

    expect(proposal?.target).toEqual({ contactId: 'c-1', email: 'c-1@client.example' });
    expect(proposal?.target).not.toHaveProperty('accountId');
  });

  it('does not reorder the caller’s due contacts', () => {
    const due = [dueContact('c-1', 1), dueContact('c-2', 9)];

    planActions(situation({ dueContacts: due }));

    expect(due.map((c) => c.contactId)).toEqual(['c-1', 'c-2']);
  });

  it('proposes at most followUpsPerCycle follow-ups, keeping the highest priorities', () => {
    const due = Array.from({ length: 8 }, (_, i) => dueContact(`c-${i}`, i));

    const proposals = planActions(situation({ dueContacts: due, overdueContacts: 8 }), {
      followUpsPerCycle: 3,
      maxActions: 50,
    });

    expect(proposals.map((p) => p.target.contactId)).toEqual(['c-7', 'c-6', 'c-5']);
  });

  it('uses ten follow-ups and fifty actions by default', () => {
    expect(DEFAULT_PLANNING_LIMITS).toEqual({ followUpsPerCycle: 10, maxActions: 50 });
    const due = Array.from({ length: 15 }, (_, i) =>
      dueContact(`c-${String(i).padStart(2, '0')}`, 1),
    );

    expect(planActions(situation({ dueContacts: due, overdueContacts: 15 }))).toHaveLength(10);
  });

  it('caps the plan at maxActions, dropping the latest proposals first', () => {
    const proposals = planActions(
      situation({
        newOrderIds: ['o-1', 'o-2'],
        pendingRequests: [{ messageId: 'm-1', text: 'call me' }],
        dueContacts: [dueContact('c-1', 1)],
      }),
      { followUpsPerCycle: 10, maxActions: 3 },
    );

    expect(proposals.map((p) => p.type)).toEqual([
      'validate_order',
      'validate_order',
      'create_task',
    ]);
  });

  it.each([
    {
      case: 'behind pace with nobody overdue',
      overdueContacts: 0,
      goals: { behindPace: true, pipelineThin: false },
      reason: 'goals are behind pace',
    },
    {
      case: 'a thin pipeline with nobody overdue',
      overdueContacts: 0,
      goals: { behindPace: false, pipelineThin: true },
      reason: 'pipeline is thin',
    },
    {
      case: 'both behind pace and a thin pipeline',
      overdueContacts: 0,
      goals: { behindPace: true, pipelineThin: true },
      reason: 'goals are behind pace',
    },
    {
      case: 'goals met with nobody overdue',
      overdueContacts: 0,
      goals: { behindPace: false, pipelineThin: false },
      reason: undefined,
    },
    {
      case: 'behind pace while contacts are overdue',
      overdueContacts: 1,
      goals: { behindPace: true, pipelineThin: true },
      reason: undefined,
    },
  ])('proposes research only for $case', ({ overdueContacts, goals, reason }) => {
    const proposals = planActions(situation({ overdueContacts, goals }));

    const research = proposals.filter((p) => p.type === 'research');
    if (reason === undefined) {
      expect(research).toEqual([]);
    } else {
      expect(research).toEqual([
        {
          type: 'research',
          target: {},
          reason,
          payload: { topic: 'new prospects in served segments' },
        },
      ]);
    }
  });

  it('drops every proposal of a type an active hint says to avoid', () => {
    const proposals = planActions(
      situation({
        newOrderIds: ['o-1'],
        dueContacts: [dueContact('c-1', 1), dueContact('c-2', 2)],
        hints: [avoidTypeHint('follow_up', hoursFromNow(1))],
      }),
    );

    expect(proposals.map((p) => p.type)).toEqual(['validate_order']);
  });

  it('avoids research while the hint runs, even when goals call for it', () => {
    const proposals = planActions(
      situation({
        goals: { behindPace: true, pipelineThin: true },
        hints: [avoidTypeHint('research', hoursFromNow(6))],
      }),
    );

    expect(proposals).toEqual([]);
  });

  it.each([
    { case: 'expired an hour ago', until: hoursFromNow(-1) },
    { case: 'expiring exactly now', until: hoursFromNow(0) },
  ])('ignores an avoid hint $case', ({ until }) => {
    const proposals = planActions(
      situation({
        dueContacts: [dueContact('c-1', 1)],
        hints: [avoidTypeHint('follow_up', until), avoidContactHint('c-1', until)],
      }),
    );

    expect(proposals.map((p) => p.target.contactId)).toEqual(['c-1']);
  });

  it('skips a contact an active hint says to avoid and fills its slot with the next one', () => {
    const proposals = planActions(
      situation({
        dueContacts: [dueContact('c-1', 9), dueContact('c-2', 5), dueContact('c-3', 1)],
        overdueContacts: 3,
        hints: [avoidContactHint('c-1', hoursFromNow(24))],
      }),
      { followUpsPerCycle: 2, maxActions: 50 },
    );

    expect(proposals.map((p) => p.target.contactId)).toEqual(['c-2', 'c-3']);
  });

  it('keeps a requested task for an avoided contact (only outreach is skipped)', () => {
    const proposals = planActions(
      situation({
        pendingRequests: [{ contactId: 'c-1', messageId: 'm-1', text: 'call me' }],
        dueContacts: [dueContact('c-1', 1)],
        hints: [avoidContactHint('c-1', hoursFromNow(24))],
      }),
    );

    expect(proposals.map((p) => [p.type, p.target.contactId])).toEqual([['create_task', 'c-1']]);
  });

  it('is not steered by hints without an expiry that name nothing to avoid', () => {
    const proposals = planActions(
      situation({
        dueContacts: [dueContact('c-1', 1)],
        overdueContacts: 1,
        hints: [
          { code: 'prioritise_overdue', detail: '1 overdue', overdueContacts: 1 },
          { code: 'retry_failed', detail: '2 failed', failed: 2 },
        ],
      }),
    );

    expect(proposals.map((p) => p.type)).toEqual(['follow_up']);
  });

  it('never exceeds maxActions or followUpsPerCycle, and keeps follow-ups in priority order', () => {
    const contactArb: fc.Arbitrary<DueContact> = fc.record({
      contactId: fc.stringMatching(/^c-[a-z0-9]{1,6}$/),
      email: fc.constant('x@client.example'),
      dueAt: fc.constant('2026-01-01T09:00:00.000Z'),
      daysOverdue: fc.nat(30),
      priority: fc.integer({ min: 0, max: 5 }),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(contactArb, { selector: (c) => c.contactId, maxLength: 30 }),
        fc.array(fc.stringMatching(/^o-[0-9]{1,4}$/), { maxLength: 10 }),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 0, max: 40 }),
        (due, orders, followUpsPerCycle, maxActions) => {
          const proposals = planActions(
            situation({ dueContacts: due, newOrderIds: orders, overdueContacts: due.length }),
            { followUpsPerCycle, maxActions },
          );

          const followUps = proposals.filter((p) => p.type === 'follow_up');
          expect(proposals.length).toBeLessThanOrEqual(maxActions);
          expect(followUps.length).toBeLessThanOrEqual(followUpsPerCycle);
          const priorities = followUps.map(
            (p) => due.find((c) => c.contactId === p.target.contactId)?.priority ?? -1,
          );
          expect(priorities).toEqual([...priorities].sort((a, b) => b - a));
          expect(proposals.length).toBe(
            Math.min(maxActions, orders.length + Math.min(followUpsPerCycle, due.length)),
          );
        },
      ),
    );
  });
});
