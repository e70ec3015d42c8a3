import { describe, expect, it } from 'vitest';
import type { ProposedAction } from '../../../shared/domain/actions.js';
import { evaluatePolicy } from '../../../shared/domain/policy/policy-engine.js';
import { policyContext } from '../../helpers/policy-context.js';

const CONTEXT = policyContext();

function task(evidence: NonNullable<ProposedAction['evidence']>): ProposedAction {
  return {
    type: 'create_task',
    target: { contactId: 'c-1' },
    reason: 'client asked for follow-up by a person',
    payload: {},
    evidence: { kind: 'client_request', messageId: 'm-1', ...evidence },
  };
}

describe('Domain: policy — machine-sent mail never creates a task', () => {
  it.each(['bounce', 'auto_reply', 'complaint', 'feedback_report', 'delay'])(
    'denies a task whose source message is a %s, even with a request sentence',
    (sourceClass) => {
      const decision = evaluatePolicy(
        task({ sourceClass, text: 'Could you give me a call tomorrow morning?' }),
        CONTEXT,
      );

      expect(decision).toEqual({
        allowed: false,
        violation: {
          type: 'automated_message_not_a_request',
          rule: 'create_task.not_from_automated_message',
          reason: `message m-1 is a ${sourceClass}, not a request`,
        },
      });
    },
  );

  it('denies a task from a message whose headers mark it machine-sent, whatever the classifier said', () => {
    const decision = evaluatePolicy(
      task({
        sourceClass: 'explicit_request',
        automated: ['auto_submitted', 'null_sender'],
        text: 'Please call me back.',
      }),
      CONTEXT,
    );

    expect(decision).toMatchObject({
      allowed: false,
      violation: {
        type: 'automated_message_not_a_request',
        reason: 'message m-1 is machine-sent (auto_submitted, null_sender)',
      },
    });
  });

  it.each([
    'This message is still being retried; please send mail to postmaster if you need help.',
    'Delivery has been delayed to the following recipients. Please contact the postmaster.',
    'Automatic reply: I am away; please call my colleague on 555-0100.',
  ])('denies a delay notice or auto-reply by its wording alone: %j', (text) => {
    const decision = evaluatePolicy(task({ text }), CONTEXT);

    expect(decision).toMatchObject({
      allowed: false,
      violation: { type: 'automated_message_not_a_request' },
    });
  });

  it("still allows a task for a person's explicit request", () => {
    const decision = evaluatePolicy(
      task({ sourceClass: 'explicit_request', text: 'Could you give me a call tomorrow morning?' }),
      CONTEXT,
    );

    expect(decision).toMatchObject({ allowed: true, rule: 'create_task.explicitly_requested' });
  });
});
