import type { ProposedAction } from '../actions.js';
import type { PolicyContext, PolicyRule, RecipientProfile, RuleVerdict } from './policy-types.js';
import { detectExplicitRequest } from './request-classifier.js';
import { findSensitiveOperation } from './sensitive-action.js';

const PASS: RuleVerdict = { pass: true };

/** Denies any action whose type, reason or payload names a sensitive operation. Applies to every type. */
export const noSensitiveOperationRule: PolicyRule = {
  id: 'action.no_sensitive_operation',
  violationType: 'sensitive_action',
  description:
    'No action may carry a sensitive operation (bulk delete, delete all, credential/API key change, payment or bank details change, wire transfer) in its type, reason or payload.',
  check: (action) => {
    const found = findSensitiveOperation(action);
    return found
      ? { pass: false, reason: `sensitive operation "${found.id}" ("${found.text}")` }
      : PASS;
  },
};

/** Ingest classes that are never a request from a person (a delay notice is a `bounce` there). */
const AUTOMATED_CLASSES = new Set([
  'bounce',
  'auto_reply',
  'complaint',
  'feedback_report',
  'delay',
]);

/**
 * Wording of delivery reports, delay notices, auto-replies and feedback reports; checked on the
 * evidence text itself, so a classifier that mistakes one for a request is still caught.
 */
const AUTOMATED_TEXT =
  /\b(delivery status notification|undeliver(?:able|ed) mail|mail delivery (?:failed|failure|subsystem|system)|returned mail|delivery (?:has )?(?:failed|been delayed|is delayed|delayed)|(?:message|mail) (?:could not|couldn't|was not|wasn't|has not been) (?:be )?delivered|still being retried|will (?:continue to )?(?:retry|be retried)|send (?:e-?)?mail to (?:the )?postmaster|mailer-daemon|automatic reply|auto-?reply|autoreply|automated (?:message|response|reply)|(?:email )?abuse report|feedback report)\b/i;

/**
 * Denies a task whose source message is machine-sent — a bounce, delay notice, auto-reply or
 * feedback report is never an explicit request (issue 11 item 5). Independent of the classifier's
 * verdict: any of the message's class, its header facts (`automated`) or the evidence wording
 * denies it.
 */
export const notFromAutomatedMessageRule: PolicyRule = {
  id: 'create_task.not_from_automated_message',
  violationType: 'automated_message_not_a_request',
  description:
    'create_task is never justified by a bounce, delay notice, auto-reply or feedback report: the source message class, its machine-sent header facts or the evidence wording deny it.',
  check: (action) => {
    const evidence = action.evidence;
    if (!evidence) return PASS;
    if (evidence.sourceClass && AUTOMATED_CLASSES.has(evidence.sourceClass))
      return {
        pass: false,
        reason: `message ${evidence.messageId ?? '(unknown)'} is a ${evidence.sourceClass}, not a request`,
      };
    if (evidence.automated && evidence.automated.length > 0)
      return {
        pass: false,
        reason: `message ${evidence.messageId ?? '(unknown)'} is machine-sent (${evidence.automated.join(', ')})`,
      };
    const wording = evidence.text ? AUTOMATED_TEXT.exec(evidence.text)?.[0] : undefined;
    if (wording)
      return {
        pass: false,
        reason: `message ${evidence.messageId ?? '(unknown)'} reads as an automated notice ("${wording}")`,
      };
    return PASS;
  },
};

/**
 * Allows a human task only on evidence: an inbound message (id and text) the classifier reads as
 * an explicit request, a due compliance deadline, or a safety escalation. The planner's
 * `evidence.kind` is a claim; for client requests the text is classified again here.
 */
export const humanTaskRequestedRule: PolicyRule = {
  id: 'create_task.explicitly_requested',
  violationType: 'human_task_not_requested',
  description:
    'create_task needs evidence: an inbound message (messageId and text) that the request classifier reads as an explicit request, a compliance deadline that is due, or a safety escalation.',
  check: (action, context) => {
    const evidence = action.evidence;
    if (evidence?.kind === 'safety_escalation') return { pass: true, basis: 'safety_escalation' };
    if (evidence?.kind === 'compliance_deadline') {
      const due = dueDeadline(action, context);
      if (due) return { pass: true, basis: `compliance_deadline:${due}` };
    }
    if (evidence?.text !== undefined && evidence.text.trim() !== '') {
      if (!evidence.messageId) {
        return {
          pass: false,
          reason: 'evidence text has no inbound messageId; the client request cannot be traced',
        };
      }
      const detection = detectExplicitRequest(evidence.text);
      if (detection.kind === 'explicit_request') {
        return { pass: true, basis: `client_request:${detection.rule}` };
      }
      return {
        pass: false,
        reason:
          detection.kind === 'unsupported_language'
            ? `message ${evidence.messageId} is in a language the classifier does not read (${detection.rule})`
            : `message ${evidence.messageId} contains no explicit request (${detection.rule})`,
      };
    }
    if (evidence?.kind === 'compliance_deadline') {
      return { pass: false, reason: 'no compliance deadline in context is due for this target' };
    }
    return { pass: false, reason: 'no evidence that the client asked for this task' };
  },
};

function dueDeadline(action: ProposedAction, context: PolicyContext): string | undefined {
  const nowMs = context.now.getTime();
  const accountId = action.target.accountId;
  const due = context.complianceDeadlines.find((deadline) => {
    const dueMs = Date.parse(deadline.dueAt);
    if (Number.isNaN(dueMs))
      throw new RangeError(`compliance deadline ${deadline.deadlineId} has an invalid dueAt`);
    const sameAccount = deadline.accountId === undefined || deadline.accountId === accountId;
    return dueMs <= nowMs && sameAccount;
  });
  return due?.deadlineId;
}

/** Allows research only once nobody is overdue and goals are behind pace or the pipeline is thin. */
export const researchAfterFollowUpsRule: PolicyRule = {
  id: 'research.after_followups_exhausted',
  violationType: 'research_before_followups_exhausted',
  description:
    'research runs only when no contact is overdue (engagement.overdueContacts === 0) and goals are behind pace or the pipeline is thin.',
  check: (_action, context) => {
    const overdue = context.engagement.overdueContacts;
    if (!Number.isInteger(overdue) || overdue < 0) {
      throw new RangeError(
        `engagement.overdueContacts must be a non-negative integer, got ${String(overdue)}`,
      );
    }
    if (overdue > 0)
      return { pass: false, reason: `${overdue} contact(s) are overdue for a follow-up` };
    if (context.goals.behindPace) return { pass: true, basis: 'goals_behind_pace' };
    if (context.goals.pipelineThin) return { pass: true, basis: 'pipeline_thin' };
    return {
      pass: false,
      reason: 'follow-ups are done but goals are on pace and the pipeline is healthy',
    };
  },
};

/** Always passes: finding new contacts is allowed whatever the follow-up list holds. */
export const contactDiscoveryRule: PolicyRule = {
  id: 'contact_discovery.always_allowed',
  description:
    'contact_discovery is always allowed (seeds: exception to research-after-exhaustion).',
  check: () => PASS,
};

/** Always passes: validating an order changes nothing outside the order's own record. */
export const validateOrderRule: PolicyRule = {
  id: 'validate_order.always_allowed',
  description: 'validate_order is always allowed.',
  check: () => PASS,
};

/** The recipient's address, lower-cased and trimmed, from the resolved profile or the target. */
export function recipientEmail(action: ProposedAction, context: PolicyContext): string | undefined {
  const email = (context.recipient?.email ?? action.target.email)?.trim().toLowerCase();
  return email ? email : undefined;
}

function recipientDomain(email: string, recipient: RecipientProfile | undefined): string {
  const fromEmail = email.slice(email.lastIndexOf('@') + 1);
  return normalizeDomain(recipient?.domain ?? fromEmail);
}

function normalizeDomain(domain: string): string {
  return domain.trim().toLowerCase().replace(/^@/, '').replace(/\.$/, '');
}

function sameText(a: string | undefined, b: string): boolean {
  return a !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();
}

function inDomain(domain: string, listed: string): boolean {
  const root = normalizeDomain(listed);
  return root !== '' && (domain === root || domain.endsWith(`.${root}`));
}

/** Outreach must name a deliverable recipient; an address we cannot check cannot be allowed. */
export const recipientResolvedRule: PolicyRule = {
  id: 'outreach.recipient_resolved',
  violationType: 'recipient_unresolved',
  description:
    'send_email and follow_up need a recipient address (resolved profile or target.email) with a domain.',
  check: (action, context) => {
    const email = recipientEmail(action, context);
    if (!email) return { pass: false, reason: 'no recipient address to check' };
    const at = email.lastIndexOf('@');
    if (at <= 0 || at === email.length - 1)
      return { pass: false, reason: `recipient "${email}" is not an address` };
    return PASS;
  },
};

/** Never contact competitors, listed existing customers, or excluded industries and regions. */
export const doNotContactRule: PolicyRule = {
  id: 'outreach.do_not_contact',
  violationType: 'do_not_contact',
  description:
    'send_email and follow_up never go to a competitor domain (or subdomain), a listed existing customer (email, account or domain), or an account in an excluded industry or region.',
  check: (action, context) => {
    const email = recipientEmail(action, context);
    if (!email) throw new RangeError('recipient address missing after outreach.recipient_resolved');
    const lists = context.doNotContact;
    const domain = recipientDomain(email, context.recipient);
    const accountId = context.recipient?.accountId ?? action.target.accountId;

    const competitor = lists.competitorDomains.find((listed) => inDomain(domain, listed));
    if (competitor)
      return { pass: false, reason: `recipient domain ${domain} is a competitor (${competitor})` };
    if (lists.customerEmails.some((listed) => sameText(listed, email))) {
      return {
        pass: false,
        reason: `recipient ${email} is an existing customer on the do-not-contact list`,
      };
    }
    if (accountId !== undefined && lists.customerAccountIds.includes(accountId)) {
      return {
        pass: false,
        reason: `account ${accountId} is an existing customer on the do-not-contact list`,
      };
    }
    const customerDomain = lists.customerDomains.find((listed) => inDomain(domain, listed));
    if (customerDomain)
      return { pass: false, reason: `recipient domain ${domain} belongs to an existing customer` };
    const industry = context.recipient?.industry;
    if (lists.excludedIndustries.some((listed) => sameText(industry, listed))) {
      return { pass: false, reason: `industry "${industry ?? ''}" is excluded` };
    }
    const region = context.recipient?.region;
    if (lists.excludedRegions.some((listed) => sameText(region, listed))) {
      return { pass: false, reason: `region "${region ?? ''}" is excluded` };
    }
    return PASS;
  },
};

/** Never write to a suppressed address (bounce, complaint, unsubscribe). */
export const notSuppressedRule: PolicyRule = {
  id: 'outreach.not_suppressed',
  violationType: 'recipient_suppressed',
  description:
    'send_email and follow_up never go to an address in the suppression set (compared case-insensitively).',
  check: (action, context) => {
    const email = recipientEmail(action, context);
    if (!email) throw new RangeError('recipient address missing after outreach.recipient_resolved');
    for (const suppressed of context.suppressedEmails) {
      if (sameText(suppressed, email))
        return { pass: false, reason: `recipient ${email} is suppressed` };
    }
    return PASS;
  },
};
