import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTION_TYPES, type ProposedAction } from '../../../shared/domain/actions.js';
import { evaluatePolicy } from '../../../shared/domain/policy/policy-engine.js';
import {
  VIOLATION_TYPES,
  type PolicyContext,
  type PolicyRule,
  type ViolationType,
} from '../../../shared/domain/policy/policy-types.js';
import {
  DEFAULT_POLICY_REGISTRY,
  GLOBAL_POLICY_RULES,
  POLICY_RULES,
  createPolicyRegistry,
} from '../../../shared/domain/policy/registry.js';
import { policyContext } from '../../helpers/policy-context.js';

const NOW = new Date('2026-03-02T10:00:00.000Z');

function context(overrides: Partial<PolicyContext> = {}): PolicyContext {
  return policyContext({
    now: NOW,
    doNotContact: {
      competitorDomains: ['rival.example'],
      customerEmails: ['Buyer@Customer.example'],
      customerAccountIds: ['acct-customer'],
      customerDomains: ['bigclient.example'],
      excludedIndustries: ['Gambling'],
      excludedRegions: ['EU'],
    },
    suppressedEmails: new Set(['bounced@prospect.example']),
    recipient: {
      email: 'ann@prospect.example',
      accountId: 'acct-prospect',
      industry: 'Lending',
      region: 'US',
    },
    ...overrides,
  });
}

function action(overrides: Partial<ProposedAction> = {}): ProposedAction {
  return {
    type: 'send_email',
    target: {},
    reason: 'engagement window passed',
    payload: {},
    ...overrides,
  };
}

function task(
  evidence: ProposedAction['evidence'],
  target: ProposedAction['target'] = {},
): ProposedAction {
  return action({
    type: 'create_task',
    target,
    reason: 'client asked for a person to follow up',
    evidence,
  });
}

interface AllowedCase {
  readonly case: string;
  readonly action: ProposedAction;
  readonly context?: Partial<PolicyContext>;
  readonly rule: string;
  readonly basis?: string;
}

interface BlockedCase {
  readonly case: string;
  readonly action: ProposedAction;
  readonly context?: Partial<PolicyContext>;
  readonly violation: ViolationType;
  readonly rule: string;
}

describe('Domain: policyEngine', () => {
  describe('allowed side of every rule', () => {
    it.each<AllowedCase>([
      {
        case: 'a task the client asked for in an inbound message',
        action: task({
          kind: 'client_request',
          messageId: 'm-1',
          text: 'Can you call me Thursday?',
        }),
        rule: 'create_task.explicitly_requested',
        basis: 'client_request:request.modal_question',
      },
      {
        case: 'a task whose evidence kind is missing but whose text is a request',
        action: task({ messageId: 'm-2', text: 'Please send the revised quote by Friday.' }),
        rule: 'create_task.explicitly_requested',
        basis: 'client_request:request.please',
      },
      {
        case: 'a task for a compliance deadline that is due',
        action: task({ kind: 'compliance_deadline' }, { accountId: 'acct-1' }),
        context: {
          complianceDeadlines: [
            { deadlineId: 'q1-vendor', dueAt: '2026-03-01T00:00:00Z', accountId: 'acct-1' },
          ],
        },
        rule: 'create_task.explicitly_requested',
        basis: 'compliance_deadline:q1-vendor',
      },
      {
        case: 'a task for a tenant-wide deadline due exactly now',
        action: task({ kind: 'compliance_deadline' }),
        context: { complianceDeadlines: [{ deadlineId: 'w9', dueAt: NOW.toISOString() }] },
        rule: 'create_task.explicitly_requested',
        basis: 'compliance_deadline:w9',
      },
      {
        case: 'a task for a safety escalation',
        action: task({ kind: 'safety_escalation', messageId: 'm-3' }),
        rule: 'create_task.explicitly_requested',
        basis: 'safety_escalation',
      },
      {
        case: 'research when nobody is overdue and goals are behind pace',
        action: action({ type: 'research', reason: 'goals are behind pace' }),
        context: { goals: { behindPace: true, pipelineThin: false } },
        rule: 'research.after_followups_exhausted',
        basis: 'goals_behind_pace',
      },
      {
        case: 'research when nobody is overdue and the pipeline is thin',
        action: action({ type: 'research', reason: 'pipeline is thin' }),
        context: { goals: { behindPace: false, pipelineThin: true } },
        rule: 'research.after_followups_exhausted',
        basis: 'pipeline_thin',
      },
      {
        case: 'contact discovery even while contacts are overdue',
        action: action({ type: 'contact_discovery', reason: 'find a buyer at the account' }),
        context: { engagement: { overdueContacts: 12 } },
        rule: 'contact_discovery.always_allowed',
      },
      {
        case: 'order validation',
        action: action({
          type: 'validate_order',
          target: { orderId: 'o-1' },
          reason: 'new order',
          payload: { paymentMethod: 'bill' },
        }),
        rule: 'validate_order.always_allowed',
      },
      {
        case: 'an email to a clean recipient',
        action: action(),
        rule: 'outreach.not_suppressed',
      },
      {
        case: 'a follow-up addressed by target email only',
        action: action({ type: 'follow_up', target: { email: 'Lee@Prospect.example' } }),
        context: { recipient: undefined },
        rule: 'outreach.not_suppressed',
      },
      {
        case: 'an email whose reason names a bank as the client',
        action: action({
          reason: 'Introduce our new service to First National Bank account managers',
        }),
        rule: 'outreach.not_suppressed',
      },
      {
        case: 'an email that mentions a password-protected report',
        action: action({ reason: 'Send the password-protected report' }),
        rule: 'outreach.not_suppressed',
      },
      {
        case: 'an email to a domain that only ends like a competitor',
        action: action(),
        context: { recipient: { email: 'kim@notrival.example' } },
        rule: 'outreach.not_suppressed',
      },
    ])('allows $case', ({ action: proposed, context: overrides, rule, basis }) => {
      const decision = evaluatePolicy(proposed, context(overrides));

      expect(decision).toEqual({ allowed: true, rule, ...(basis ? { basis } : {}) });
    });
  });

  describe('blocked side of every rule', () => {
    it.each<BlockedCase>([
      {
        case: 'create_task when the client did not ask',
        action: task({ kind: 'client_request', messageId: 'm-1', text: 'We should call them' }),
        violation: 'human_task_not_requested',
        rule: 'create_task.explicitly_requested',
      },
      {
        case: 'create_task without evidence',
        action: task(undefined),
        violation: 'human_task_not_requested',
        rule: 'create_task.explicitly_requested',
      },
      {
        case: 'create_task when the client said not to call',
        action: task({ kind: 'client_request', messageId: 'm-1', text: "Please don't call me." }),
        violation: 'human_task_not_requested',
        rule: 'create_task.explicitly_requested',
      },
      {
        case: 'create_task when the request is only in quoted earlier mail',
        action: task({
          kind: 'client_request',
          messageId: 'm-1',
          text: 'Thanks!\n\nOn Mon, Jan 5, 2026 at 9:00 AM Sam <sam@us.example> wrote:\n> Can you call me Thursday?',
        }),
        violation: 'human_task_not_requested',
        rule: 'create_task.explicitly_requested',
      },
      {
        case: 'create_task whose request text has no inbound message id',
        action: task({ kind: 'client_request', text: 'Can you call me Thursday?' }),
        violation: 'human_task_not_requested',
        rule: 'create_task.explicitly_requested',
      },
      {
        case: 'create_task on a message in another language',
        action: task({
          kind: 'client_request',
          messageId: 'm-1',
          text: '¿Puede llamarme el jueves, por favor?',
        }),
        violation: 'human_task_not_requested',
        rule: 'create_task.explicitly_requested',
      },
      {
        case: 'create_task for a compliance deadline not yet due',
        action: task({ kind: 'compliance_deadline' }),
        context: { complianceDeadlines: [{ deadlineId: 'q2', dueAt: '2026-04-01T00:00:00Z' }] },
        violation: 'human_task_not_requested',
        rule: 'create_task.explicitly_requested',
      },
      {
        case: "create_task for another account's due deadline",
        action: task({ kind: 'compliance_deadline' }, { accountId: 'acct-1' }),
        context: {
          complianceDeadlines: [
            { deadlineId: 'q1', dueAt: '2026-03-01T00:00:00Z', accountId: 'acct-2' },
          ],
        },
        violation: 'human_task_not_requested',
        rule: 'create_task.explicitly_requested',
      },
      {
        case: 'research while contacts are overdue',
        action: action({ type: 'research', reason: 'goals are behind pace' }),
        context: {
          engagement: { overdueContacts: 3 },
          goals: { behindPace: true, pipelineThin: true },
        },
        violation: 'research_before_followups_exhausted',
        rule: 'research.after_followups_exhausted',
      },
      {
        case: 'research when goals are on pace and the pipeline is healthy',
        action: action({ type: 'research', reason: 'explore' }),
        violation: 'research_before_followups_exhausted',
        rule: 'research.after_followups_exhausted',
      },
      {
        case: 'outreach with no recipient address',
        action: action(),
        context: { recipient: undefined },
        violation: 'recipient_unresolved',
        rule: 'outreach.recipient_resolved',
      },
      {
        case: 'outreach to something that is not an address',
        action: action({ type: 'follow_up', target: { email: 'ann' } }),
        context: { recipient: undefined },
        violation: 'recipient_unresolved',
        rule: 'outreach.recipient_resolved',
      },
      {
        case: 'an email to a competitor domain',
        action: action(),
        context: { recipient: { email: 'spy@rival.example' } },
        violation: 'do_not_contact',
        rule: 'outreach.do_not_contact',
      },
      {
        case: "a follow-up to a competitor's subdomain",
        action: action({ type: 'follow_up', target: { email: 'ops@mail.RIVAL.example' } }),
        context: { recipient: undefined },
        violation: 'do_not_contact',
        rule: 'outreach.do_not_contact',
      },
      {
        case: 'an email to a listed existing customer, whatever the case',
        action: action(),
        context: { recipient: { email: 'buyer@customer.EXAMPLE' } },
        violation: 'do_not_contact',
        rule: 'outreach.do_not_contact',
      },
      {
        case: 'an email to a contact of a listed customer account',
        action: action({ target: { accountId: 'acct-customer' } }),
        context: { recipient: { email: 'new.person@elsewhere.example' } },
        violation: 'do_not_contact',
        rule: 'outreach.do_not_contact',
      },
      {
        case: "an email to a customer's domain",
        action: action(),
        context: { recipient: { email: 'cfo@bigclient.example' } },
        violation: 'do_not_contact',
        rule: 'outreach.do_not_contact',
      },
      {
        case: 'an email to an excluded industry',
        action: action(),
        context: { recipient: { email: 'a@casino.example', industry: 'gambling' } },
        violation: 'do_not_contact',
        rule: 'outreach.do_not_contact',
      },
      {
        case: 'an email to an excluded region',
        action: action(),
        context: { recipient: { email: 'a@firm.example', region: 'eu' } },
        violation: 'do_not_contact',
        rule: 'outreach.do_not_contact',
      },
      {
        case: 'an email to a suppressed address',
        action: action(),
        context: { recipient: { email: 'Bounced@Prospect.example' } },
        violation: 'recipient_suppressed',
        rule: 'outreach.not_suppressed',
      },
      {
        case: 'a follow-up to an address suppressed in a plain list',
        action: action({ type: 'follow_up' }),
        context: { suppressedEmails: ['ANN@prospect.example'] },
        violation: 'recipient_suppressed',
        rule: 'outreach.not_suppressed',
      },
      {
        case: 'a bulk delete in the payload',
        action: action({ type: 'validate_order', payload: { operation: 'bulk_delete' } }),
        violation: 'sensitive_action',
        rule: 'action.no_sensitive_operation',
      },
      {
        case: 'a delete-all in the reason',
        action: action({
          type: 'contact_discovery',
          reason: 'Delete all contacts at the account first',
        }),
        violation: 'sensitive_action',
        rule: 'action.no_sensitive_operation',
      },
      {
        case: 'a credential change in a payload key',
        action: action({ payload: { newPassword: 'hunter2' } }),
        violation: 'sensitive_action',
        rule: 'action.no_sensitive_operation',
      },
      {
        case: 'an API key change',
        action: action({ type: 'research', reason: 'Rotate the API key for the CRM' }),
        context: { goals: { behindPace: true, pipelineThin: false } },
        violation: 'sensitive_action',
        rule: 'action.no_sensitive_operation',
      },
      {
        case: 'a bank details change the client asked for',
        action: action({
          type: 'create_task',
          reason: 'Update the bank details for acct-1 as asked',
          evidence: {
            kind: 'client_request',
            messageId: 'm-9',
            text: 'Can you update our bank details?',
          },
        }),
        violation: 'sensitive_action',
        rule: 'action.no_sensitive_operation',
      },
      {
        case: 'a bank details change in a nested payload',
        action: action({ payload: { steps: [{ do: 'Update payment details for the vendor' }] } }),
        violation: 'sensitive_action',
        rule: 'action.no_sensitive_operation',
      },
      {
        case: 'a wire transfer',
        action: action({ reason: 'Wire transfer $5,000 to the new supplier' }),
        violation: 'sensitive_action',
        rule: 'action.no_sensitive_operation',
      },
    ])('blocks $case', ({ action: proposed, context: overrides, violation, rule }) => {
      const decision = evaluatePolicy(proposed, context(overrides));

      expect(decision.allowed).toBe(false);
      if (decision.allowed) return;
      expect(decision.violation.type).toBe(violation);
      expect(decision.violation.rule).toBe(rule);
      expect(decision.violation.reason.length).toBeGreaterThan(0);
    });

    it('judges what we would do, not the words the client used', () => {
      // A person reviewing the request is the safe path; the agent changing the details is not.
      const proposed = task({
        kind: 'client_request',
        messageId: 'm-9',
        text: 'Can you update our bank details?',
      });

      const decision = evaluatePolicy(proposed, context());

      expect(decision).toMatchObject({ allowed: true, rule: 'create_task.explicitly_requested' });
    });
  });

  describe('fails closed', () => {
    it.each([
      { case: 'an unregistered type', type: 'delete_everything' },
      { case: 'a type named like an object property', type: 'constructor' },
      { case: 'a prototype key', type: '__proto__' },
      { case: 'a sensitive-looking unregistered type', type: 'bulk_delete' },
      { case: 'a registered type in other casing', type: 'SEND_EMAIL' },
    ])('denies $case as unknown_action_type', ({ type }) => {
      const decision = evaluatePolicy(action({ type }), context());

      expect(decision).toMatchObject({
        allowed: false,
        violation: { type: 'unknown_action_type', rule: 'engine.registered_action_type' },
      });
    });

    it('denies any type that is not registered', () => {
      fc.assert(
        fc.property(
          fc.string().filter((type) => !(ACTION_TYPES as readonly string[]).includes(type)),
          (type) => {
            const decision = evaluatePolicy(action({ type }), context());

            return !decision.allowed && decision.violation.type === 'unknown_action_type';
          },
        ),
      );
    });

    it('denies with policy_error when a rule throws, naming the rule', () => {
      const throwing: PolicyRule = {
        id: 'test.throws',
        violationType: 'do_not_contact',
        description: 'always throws',
        check: () => {
          throw new Error('lookup table missing');
        },
      };
      const registry = createPolicyRegistry({ send_email: [throwing] });

      const decision = evaluatePolicy(action(), context(), registry);

      expect(decision).toEqual({
        allowed: false,
        violation: {
          type: 'policy_error',
          rule: 'test.throws',
          reason: 'rule test.throws failed: lookup table missing',
        },
      });
    });

    it('denies with policy_error when a rule returns no verdict', () => {
      const broken = {
        id: 'test.silent',
        description: 'returns nothing',
        check: () => undefined,
      } as unknown as PolicyRule;

      const decision = evaluatePolicy(
        action(),
        context(),
        createPolicyRegistry({ send_email: [broken] }),
      );

      expect(decision).toMatchObject({
        allowed: false,
        violation: { type: 'policy_error', rule: 'test.silent' },
      });
    });

    it('denies with policy_error when a registered type has no rules', () => {
      const decision = evaluatePolicy(
        action(),
        context(),
        createPolicyRegistry({ send_email: [] }),
      );

      expect(decision).toMatchObject({ allowed: false, violation: { type: 'policy_error' } });
    });

    it.each([
      { case: 'engagement figures are missing', overrides: { engagement: undefined } },
      {
        case: 'the overdue count is not a number',
        overrides: { engagement: { overdueContacts: Number.NaN } },
      },
      { case: 'the overdue count is negative', overrides: { engagement: { overdueContacts: -1 } } },
    ])('denies research with policy_error when $case', ({ overrides }) => {
      const broken = {
        ...context({ goals: { behindPace: true, pipelineThin: true } }),
        ...overrides,
      } as PolicyContext;

      const decision = evaluatePolicy(action({ type: 'research', reason: 'behind pace' }), broken);

      expect(decision).toMatchObject({
        allowed: false,
        violation: { type: 'policy_error', rule: 'research.after_followups_exhausted' },
      });
    });

    it('denies outreach with policy_error when the do-not-contact lists are missing', () => {
      const broken = { ...context(), doNotContact: undefined } as unknown as PolicyContext;

      const decision = evaluatePolicy(action(), broken);

      expect(decision).toMatchObject({
        allowed: false,
        violation: { type: 'policy_error', rule: 'outreach.do_not_contact' },
      });
    });

    it('denies with policy_error when the payload is too deep to scan', () => {
      let payload: Record<string, unknown> = { note: 'leaf' };
      for (let level = 0; level < 12; level += 1) payload = { nested: payload };

      const decision = evaluatePolicy(action({ payload }), context());

      expect(decision).toMatchObject({
        allowed: false,
        violation: { type: 'policy_error', rule: 'action.no_sensitive_operation' },
      });
    });

    it('denies a malformed action instead of throwing', () => {
      const malformed = { type: 'send_email' } as unknown as ProposedAction;

      const decision = evaluatePolicy(malformed, context());

      expect(decision.allowed).toBe(false);
    });

    it('bounds the reason so a hostile input cannot bloat the audit record', () => {
      const registry = createPolicyRegistry({
        send_email: [
          {
            id: 'test.long',
            violationType: 'do_not_contact',
            description: 'long reason',
            check: () => ({ pass: false, reason: 'x'.repeat(10_000) }),
          },
        ],
      });

      const decision = evaluatePolicy(action(), context(), registry);

      expect(decision.allowed).toBe(false);
      if (!decision.allowed) expect(decision.violation.reason.length).toBeLessThanOrEqual(500);
    });
  });

  describe('registry and rule table', () => {
    it('registers every action type the planner may propose', () => {
      const registered = ACTION_TYPES.filter(
        (type) => (DEFAULT_POLICY_REGISTRY.get(type)?.length ?? 0) > 0,
      );

      expect(registered).toEqual([...ACTION_TYPES]);
    });

    it('describes every registered and global rule with a known violation type', () => {
      const ruleIds = [...GLOBAL_POLICY_RULES, ...[...DEFAULT_POLICY_REGISTRY.values()].flat()].map(
        (rule) => rule.id,
      );

      for (const id of ruleIds) expect(POLICY_RULES).toHaveProperty([id]);
      for (const row of Object.values(POLICY_RULES)) {
        if (row.violationType) expect(VIOLATION_TYPES).toContain(row.violationType);
        expect(row.description.length).toBeGreaterThan(10);
      }
    });

    it('gives every violation type at least one rule that raises it', () => {
      const raised = new Set(Object.values(POLICY_RULES).map((row) => row.violationType));

      for (const type of VIOLATION_TYPES) expect(raised.has(type)).toBe(true);
    });

    it('decides the same way every time for the same input', () => {
      const proposed = task({
        kind: 'client_request',
        messageId: 'm-1',
        text: 'Give me a call tomorrow',
      });

      expect(evaluatePolicy(proposed, context())).toEqual(evaluatePolicy(proposed, context()));
    });
  });
});
