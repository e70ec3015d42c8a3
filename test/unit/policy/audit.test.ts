import { describe, expect, it } from 'vitest';
import type { ProposedAction } from '../../../shared/domain/actions.js';
import { toViolationRecord } from '../../../shared/domain/policy/audit.js';
import type { DeniedDecision } from '../../../shared/domain/policy/policy-types.js';

const NOW = new Date('2026-03-02T10:15:00.000Z');

const DENIED: DeniedDecision = {
  allowed: false,
  violation: {
    type: 'human_task_not_requested',
    reason: 'message m-1 contains no explicit request (none.own_intention)',
    rule: 'create_task.explicitly_requested',
  },
};

describe('Domain: toViolationRecord', () => {
  it('turns a denied decision into a plain record with run, instant and target', () => {
    const action: ProposedAction = {
      type: 'create_task',
      target: { contactId: 'c-1', accountId: 'a-1' },
      reason: 'client asked',
      payload: { title: 'Call back' },
      evidence: { kind: 'client_request', messageId: 'm-1', text: 'We should call them' },
    };

    const record = toViolationRecord(DENIED, action, { runId: 'run-7', now: NOW });

    expect(record).toEqual({
      type: 'human_task_not_requested',
      actionType: 'create_task',
      reason: 'message m-1 contains no explicit request (none.own_intention)',
      rule: 'create_task.explicitly_requested',
      runId: 'run-7',
      at: '2026-03-02T10:15:00.000Z',
      target: { contactId: 'c-1', accountId: 'a-1' },
      evidenceMessageId: 'm-1',
    });
    expect(JSON.parse(JSON.stringify(record))).toEqual(record);
  });

  it('keeps the unknown type as proposed and copies only known string target fields', () => {
    const action = {
      type: 'delete_everything',
      target: { contactId: 'c-1', extra: 'dropped', orderId: 42 },
      reason: 'x',
      payload: { secret: 'never copied' },
    } as unknown as ProposedAction;
    const denied: DeniedDecision = {
      allowed: false,
      violation: {
        type: 'unknown_action_type',
        reason: 'not registered',
        rule: 'engine.registered_action_type',
      },
    };

    const record = toViolationRecord(denied, action, { runId: 'run-8', now: NOW });

    expect(record.actionType).toBe('delete_everything');
    expect(record.target).toEqual({ contactId: 'c-1' });
    expect(JSON.stringify(record)).not.toContain('never copied');
    expect(record).not.toHaveProperty('evidenceMessageId');
  });

  it('bounds long fields so the audit item stays small', () => {
    const action = {
      type: 'x'.repeat(5_000),
      target: { email: `${'a'.repeat(5_000)}@x.example` },
      reason: 'r',
      payload: {},
    };

    const record = toViolationRecord(DENIED, action, { runId: 'run-9', now: NOW });

    expect(record.actionType.length).toBeLessThanOrEqual(500);
    expect(record.target.email?.length).toBeLessThanOrEqual(500);
  });
});
