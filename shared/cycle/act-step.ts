import { errorText } from '../observability/error-text.js';
import type { ActionCard, CardDecision } from '../domain/actions.js';
import { evaluatePolicy } from '../domain/policy/policy-engine.js';
import type { PolicyContext, RecipientProfile } from '../domain/policy/policy-types.js';
import { toViolationRecord } from '../domain/policy/audit.js';
import { addUsage } from '../domain/policy/controls.js';
import { actionControls } from './controls.js';
import type { SendRequest } from '../domain/send-request.js';
import { actionTouchKey, followUpTouchKey } from '../domain/touch.js';
import type { TenantSettings } from '../domain/tenant.js';
import type { Account, Contact, RunRecord } from '../domain/entities.js';
import { finishedCard } from '../domain/finished-card.js';
import { METRIC_NAMES } from '../observability/metric-names.js';
import type { CycleRuntime } from './runtime.js';
import { runPhase, type PhaseContext } from './phase.js';
import { contactClock, loadEngagement } from './engagement.js';
import { processStoredOrder } from './orders.js';
import type { CycleState } from './state.js';
import { actDisposition, rolloutPhaseOf } from '../domain/rollout/phase.js';
import { recordOrHold } from '../rollout/request.js';
import { claimApproved, finishApproved } from '../rollout/execute.js';
import { expireOverdueApprovals } from '../rollout/expire.js';
import { TouchDrafter, draftSummaryOf } from './act-drafting.js';
import { reflectedCardOf, type ReflectedCard } from '../domain/reflected-card.js';
import type { WorkingSet } from '../storage/tenant-working-set.js';
import { plannedCardsOf, targetsOf, type CardTargets, type PlannedCards } from './planned-cards.js';

/** Per-status card counts of one Act. */
export interface ActResult {
  readonly executed: number;
  readonly blocked: number;
  readonly deferred: number;
  readonly failed: number;
  readonly skipped: number;
  /** The run's cards as Act left them, for Reflect; absent when a card was claimed elsewhere. */
  readonly cards?: readonly ReflectedCard[];
}

type Outcome = {
  status: 'done' | 'deferred' | 'failed' | 'blocked' | 'recorded' | 'awaiting_approval';
  result: Record<string, unknown>;
  /** Replaces the policy's decision (a draft the content checker blocked). */
  decision?: CardDecision;
};

/**
 * Act: asks the policy engine about each planned card and either blocks it (with an audit
 * record) or, as the tenant's rollout phase decides (shared/domain/rollout/phase.ts), executes
 * it, records it as would-execute (shadow, parallel) or holds it for approval (assisted; approved
 * ones are executed here first, expired ones expire), then writes the finished cards in one batch.
 * Act holds the tenant lock and every effect is idempotent on its own key (the touch's send claim
 * and pending-send marker, the task id, the proposal id, the order's validation), so a crash
 * before the batch drives the still-planned cards again without duplicating an email, task or
 * order update.
 */
export async function act(runtime: CycleRuntime, state: CycleState): Promise<ActResult> {
  return runPhase(runtime, state, 'act', async (phase) => {
    const { repos } = runtime;
    // One batch reads the settings, the run record, the run's cards and their targets when Plan
    // handed their ids on; else the day's cards (this run's and the quota usage) come first.
    const { working, dayCards, targets, sendsElsewhereToday } = await readActWorkingSet(
      runtime,
      phase,
      plannedCardsOf(state),
    );
    const runCards = new Map(
      cardsOfRun(dayCards, phase.hourKey).map((card) => [card.cardId, card]),
    );
    // An `executing` card another run claimed (written before Act batched its cards) is left alone.
    const claimedElsewhere = [...runCards.values()].filter(
      (card) => card.status === 'executing' && card.claimedBy !== phase.runId,
    ).length;
    const cards = [...runCards.values()].filter(
      (card) =>
        card.status === 'planned' ||
        (card.status === 'executing' && card.claimedBy === phase.runId),
    );
    const { settings } = working;
    const disposition = actDisposition(rolloutPhaseOf(settings));
    const approved = disposition === 'hold' ? await claimApproved(runtime, phase) : [];
    const approvedCards = approved.map(({ card }) => card);
    const contacts = await loadTargetContacts(
      runtime,
      phase.tenantId,
      approvedCards,
      working.contacts,
    );
    const accounts = new Map<string, Account | undefined>(
      targets.accountIds.map((id) => [id, working.accounts.get(id)]),
    );
    let context = await buildPolicyContext(
      runtime,
      settings,
      [...cards, ...approvedCards],
      contacts,
      phase,
      {
        run: working.run,
        dayCards,
        sendsElsewhereToday,
        checkedEmails: targets.emails,
        suppressed: working.suppressed,
      },
    );
    // The run's start, not this attempt's: a retried Act appends a blocked card's audit record
    // under the same key, so it is stored once.
    const decidedAt = working.run?.startedAt ? new Date(working.run.startedAt) : phase.now;
    const finished: ActionCard[] = [];
    const finish = (
      card: ActionCard,
      outcome: Omit<Parameters<typeof finishedCard>[1], 'runId' | 'now'>,
    ) => {
      const done = finishedCard(card, { ...outcome, runId: phase.runId, now: phase.now });
      finished.push(done);
      runCards.set(done.cardId, done);
    };
    const counts = { executed: 0, blocked: 0, deferred: 0, failed: 0, skipped: claimedElsewhere };
    const drafting: TouchDrafting = {
      drafter: new TouchDrafter(runtime, settings, phase),
      accounts,
    };

    let approvalDeadline: string | undefined;
    if (disposition === 'hold') {
      approvalDeadline = (await expireOverdueApprovals(runtime, phase)).nextDeadline;
      for (const { proposal, card } of approved) {
        const recipient = await resolveRecipient(runtime, phase.tenantId, card, contacts, accounts);
        const decision = evaluatePolicy(card, { ...context, ...(recipient ? { recipient } : {}) });
        const outcome: { status: string; result: Record<string, unknown> } = decision.allowed
          ? await execute(runtime, settings, card, recipient, contacts, phase, drafting).catch(
              failure,
            )
          : { status: 'blocked', result: { violation: decision.violation.type } };
        if ((await finishApproved(runtime, phase, proposal, outcome)) === 'executed')
          counts.executed += 1;
      }
    }

    for (const card of cards) {
      const claimed: ActionCard =
        card.status === 'planned' ? { ...card, status: 'executing', claimedBy: phase.runId } : card;
      const recipient = await resolveRecipient(
        runtime,
        phase.tenantId,
        claimed,
        contacts,
        accounts,
      );
      const decision = evaluatePolicy(claimed, { ...context, ...(recipient ? { recipient } : {}) });
      if (!decision.allowed) {
        const record = toViolationRecord(decision, claimed, { runId: phase.runId, now: decidedAt });
        await repos.audits.append(phase.tenantId, {
          ...record,
          auditId: claimed.cardId,
          kind: 'policy_violation',
          cardId: claimed.cardId,
        });
        const cardDecision: CardDecision = {
          allowed: false,
          rule: decision.violation.rule,
          violationType: decision.violation.type,
          reason: decision.violation.reason,
        };
        finish(card, { status: 'blocked', decision: cardDecision });
        runtime.metric('PolicyBlocks', 1, { violation: decision.violation.type });
        counts.blocked += 1;
        continue;
      }

      context = {
        ...context,
        controls: { ...context.controls, usage: addUsage(context.controls.usage, claimed.type) },
      };
      const allowed: CardDecision = { allowed: true, rule: decision.rule };
      const outcome: Outcome =
        disposition === 'execute'
          ? await execute(runtime, settings, claimed, recipient, contacts, phase, drafting).catch(
              failure,
            )
          : await recordOrHold(
              runtime,
              settings,
              await withProposedDraft(claimed, recipient, contacts, drafting),
              recipient?.email,
              phase,
              disposition,
            );
      finish(card, {
        status: outcome.status,
        decision: outcome.decision ?? allowed,
        result: outcome.result,
      });
      if (outcome.status === 'done') counts.executed += 1;
      else if (outcome.status === 'blocked') counts.blocked += 1;
      else if (outcome.status === 'deferred') counts.deferred += 1;
      else if (outcome.status === 'failed') counts.failed += 1;
    }

    await repos.cards.finishAll(phase.tenantId, finished);
    phase.run.addCounts({
      actionsExecuted: counts.executed,
      actionsBlocked: counts.blocked,
      actionsDeferred: counts.deferred,
      actionsFailed: counts.failed,
    });
    runtime.metric('ActionsExecuted', counts.executed);
    runtime.metric('ActionsBlocked', counts.blocked);
    runtime.metric(METRIC_NAMES.actionsDeferred, counts.deferred);
    runtime.metric(METRIC_NAMES.actionsFailed, counts.failed);
    return {
      ...counts,
      ...(approvalDeadline ? { approvalDeadline } : {}),
      ...(claimedElsewhere === 0 ? { cards: [...runCards.values()].map(reflectedCardOf) } : {}),
    };
  });
}

function failure(error: unknown): Outcome {
  return {
    status: 'failed',
    result: { error: errorText(error) },
  };
}

async function execute(
  runtime: CycleRuntime,
  settings: TenantSettings,
  card: ActionCard,
  recipient: RecipientProfile | undefined,
  contacts: Map<string, Contact>,
  phase: PhaseContext,
  drafting: TouchDrafting,
): Promise<Outcome> {
  const { repos } = runtime;
  switch (card.type) {
    case 'send_email':
    case 'follow_up':
      return enqueueTouch(runtime, settings, card, recipient, contacts, phase, drafting);
    case 'create_task': {
      const taskId = card.cardId;
      const created = await repos.tasks.create(phase.tenantId, {
        taskId,
        title: typeof card.payload['title'] === 'string' ? card.payload['title'] : card.reason,
        ...(card.target.contactId ? { contactId: card.target.contactId } : {}),
        cardId: card.cardId,
        runId: phase.runId,
        evidence: {
          kind: card.evidence?.kind ?? 'client_request',
          ...(card.evidence?.messageId ? { messageId: card.evidence.messageId } : {}),
          ...(card.evidence?.text ? { text: card.evidence.text } : {}),
        },
        status: 'open',
        createdAt: phase.now.toISOString(),
      });
      return { status: 'done', result: { taskId, created } };
    }
    case 'validate_order': {
      if (!card.target.orderId)
        return { status: 'failed', result: { error: 'validate_order without target.orderId' } };
      const result = await processStoredOrder(runtime, settings, card.target.orderId);
      return { status: 'done', result };
    }
    case 'research':
    case 'contact_discovery':
      // Allowed by policy, but this deployment has no research provider yet: keep the card visible.
      return { status: 'deferred', result: { reason: 'no_research_provider' } };
    default:
      return { status: 'failed', result: { error: `no executor for action type ${card.type}` } };
  }
}

/**
 * The card as a shadow, parallel or assisted proposal shows it: an email card carries the draft
 * the drafter would send (`payload.draft`: subject, paragraphs, provider, checks failed), so a
 * reviewer or approver sees what would go out; a card answering an inbound message (a task)
 * carries the model's summary and suggested intent beside the explicit-request rule's verdict
 * (`payload.replyReview`, for review only). With drafting off cards pass unchanged.
 */
async function withProposedDraft(
  card: ActionCard,
  recipient: RecipientProfile | undefined,
  contacts: ReadonlyMap<string, Contact>,
  drafting: TouchDrafting,
): Promise<ActionCard> {
  if (card.type !== 'send_email' && card.type !== 'follow_up') {
    const replyReview = await drafting.drafter.analyseInbound(card);
    return replyReview ? { ...card, payload: { ...card.payload, replyReview } } : card;
  }
  const template =
    typeof card.payload['template'] === 'string' ? card.payload['template'] : 'check_in';
  const contact = card.target.contactId ? contacts.get(card.target.contactId) : undefined;
  const account = recipient?.accountId ? drafting.accounts.get(recipient.accountId) : undefined;
  const drafted = await drafting.drafter.draft(card, template, contact, account);
  if (!drafted || drafted.kind === 'unavailable') return card;
  const draft =
    drafted.kind === 'drafted'
      ? {
          subject: drafted.draft.subject,
          paragraphs: drafted.draft.paragraphs,
          ...draftSummaryOf(drafted.draft),
        }
      : { ...draftSummaryOf(drafted.draft), blockedBy: drafted.violation.type };
  return { ...card, payload: { ...card.payload, draft } };
}

/** What Act drafts touches with: the run's drafter and the accounts it already read. */
interface TouchDrafting {
  readonly drafter: TouchDrafter;
  readonly accounts: ReadonlyMap<string, Account | undefined>;
}

/**
 * Hands one touch to the send queue, keyed by its touch key, with the draft written and checked
 * for it (shared/drafting; none with drafting off). A draft the checker blocks is not queued: the
 * card is blocked with the named violation and the touch resolved. A follow-up is re-judged against the
 * contact as stored now: no longer overdue, due at another instant than planned (touched since
 * Plan), already queued or already resolved → nothing is queued. The send is enqueued before the
 * contact's pending-send marker is set, so a crash between the two re-plans the same touch (the
 * send claim dedupes it) instead of leaving a marker with no send behind it.
 */
async function enqueueTouch(
  runtime: CycleRuntime,
  settings: TenantSettings,
  card: ActionCard,
  recipient: RecipientProfile | undefined,
  contacts: Map<string, Contact>,
  phase: PhaseContext,
  drafting: TouchDrafting,
): Promise<Outcome> {
  if (!recipient?.email)
    return { status: 'failed', result: { error: 'recipient has no email address' } };
  const contactId = card.target.contactId;
  // Read once at the start of Act and kept current below, so a second card for the same contact
  // in this run sees the first one's pending send.
  const contact = contactId ? contacts.get(contactId) : undefined;
  let touchKey = actionTouchKey(phase.tenantId, card.type, card.cardId);
  let touchDueAt: string | undefined;
  if (card.type === 'follow_up') {
    if (!contact || !contactId)
      return { status: 'failed', result: { error: 'follow_up without a stored contact' } };
    const clock = contactClock(contact, settings, phase.now);
    const plannedDue =
      typeof card.payload['dueAt'] === 'string' ? card.payload['dueAt'] : undefined;
    if (clock.status !== 'overdue' || (plannedDue !== undefined && plannedDue !== clock.nextDueAt))
      return { status: 'done', result: { queued: false, superseded: 'touched_since_plan' } };
    touchDueAt = clock.nextDueAt;
    touchKey = followUpTouchKey(phase.tenantId, contactId, clock.nextDueAt);
  }
  if (contact?.pendingSend && contact.pendingSend.touchKey !== touchKey)
    return { status: 'done', result: { queued: false, skipped: 'another_touch_pending' } };
  // This touch is queued already: an Act that enqueued it crashed before writing its cards.
  if (contact?.pendingSend?.touchKey === touchKey)
    return {
      status: 'done',
      result: { queued: true, idempotencyKey: touchKey, touchKey, alreadyQueued: true },
    };
  if (contact?.resolvedTouch?.touchKey === touchKey)
    return { status: 'done', result: { queued: false, skipped: 'touch_already_resolved' } };

  const template =
    typeof card.payload['template'] === 'string' ? card.payload['template'] : 'check_in';
  const account = recipient.accountId ? drafting.accounts.get(recipient.accountId) : undefined;
  const drafted = await drafting.drafter.draft(card, template, contact, account);
  if (drafted?.kind === 'blocked') {
    const decision = await drafting.drafter.block(card, recipient.email, touchKey, drafted);
    return {
      status: 'blocked',
      decision,
      result: { queued: false, touchKey, draft: draftSummaryOf(drafted.draft) },
    };
  }
  // An approver's edited subject (assisted phase) replaces the drafted one.
  const editedSubject =
    typeof card.payload['subject'] === 'string' ? card.payload['subject'] : undefined;
  const written = drafted?.kind === 'drafted' ? drafted.draft : undefined;
  const draft = written && editedSubject ? { ...written, subject: editedSubject } : written;
  const request: SendRequest = {
    version: 1,
    tenantId: phase.tenantId,
    idempotencyKey: touchKey,
    to: recipient.email,
    ...(contactId ? { contactId } : {}),
    template,
    ...(editedSubject ? { subject: editedSubject } : {}),
    cardId: card.cardId,
    runId: phase.runId,
    dueAt: phase.now.toISOString(),
    enqueuedAt: contact?.pendingSend?.enqueuedAt ?? phase.now.toISOString(),
    ...(touchDueAt ? { touchDueAt } : {}),
    ...(draft ? { draft } : {}),
  };
  const messageId = await runtime.sendQueue.send(request);
  if (contactId) {
    const pendingSend = {
      touchKey,
      enqueuedAt: request.enqueuedAt,
      ...(touchDueAt ? { dueAt: touchDueAt } : {}),
    };
    await runtime.repos.contacts.markPendingSend(phase.tenantId, contactId, pendingSend);
    if (contact) contacts.set(contactId, { ...contact, pendingSend });
  }
  return {
    status: 'done',
    result: {
      queued: true,
      idempotencyKey: touchKey,
      touchKey,
      messageId,
      ...(draft
        ? {
            draft: {
              ...draftSummaryOf(draft),
              subject: draft.subject,
              paragraphs: draft.paragraphs,
            },
          }
        : {}),
    },
  };
}

/** What Act already read for its policy context: the run, the day's cards, checked suppressions. */
interface PolicyReads {
  readonly run: RunRecord | undefined;
  readonly dayCards: readonly ActionCard[];
  /** Allowed sends of the day not among `dayCards` (Plan counted them). */
  readonly sendsElsewhereToday: number;
  /** Addresses whose suppression was looked up with the working set (lower case). */
  readonly checkedEmails: readonly string[];
  readonly suppressed: ReadonlySet<string>;
}

async function buildPolicyContext(
  runtime: CycleRuntime,
  settings: TenantSettings,
  cards: readonly ActionCard[],
  contacts: ReadonlyMap<string, Contact>,
  phase: PhaseContext,
  reads: PolicyReads,
): Promise<PolicyContext> {
  const { repos } = runtime;
  const { run } = reads;
  const [overdueContacts, openDeals, openBids] = await Promise.all([
    run?.engagement?.overdue ??
      loadEngagement(runtime, phase.tenantId, settings, phase.now).then((e) => e.stats.overdue),
    run?.pipeline?.openDeals ?? repos.deals.countOpen(phase.tenantId),
    run?.pipeline?.openBids ?? repos.bids.countOpen(phase.tenantId),
  ]);
  const emails = cards
    .flatMap((card) => [card.target.email, contacts.get(card.target.contactId ?? '')?.email])
    .filter((email): email is string => typeof email === 'string');
  const checked = new Set(reads.checkedEmails);
  const unchecked = emails.filter((email) => !checked.has(email.trim().toLowerCase()));
  const suppressedEmails = new Set([
    ...reads.suppressed,
    ...(await repos.suppressions.suppressedAmong(phase.tenantId, unchecked)),
  ]);
  return {
    now: phase.now,
    engagement: { overdueContacts },
    goals: {
      behindPace: settings.goals.behindPace,
      pipelineThin: openDeals + openBids < settings.goals.pipelineTarget,
    },
    complianceDeadlines: [],
    doNotContact: {
      competitorDomains: settings.doNotContact.competitorDomains,
      customerEmails: settings.doNotContact.customerEmails,
      customerAccountIds: settings.doNotContact.customerAccountIds,
      customerDomains: settings.doNotContact.customerDomains,
      excludedIndustries: settings.doNotContact.excludedIndustries,
      excludedRegions: settings.doNotContact.excludedRegions,
    },
    suppressedEmails,
    controls: actionControls(settings, phase, reads.dayCards, reads.sendsElsewhereToday),
  };
}

/** Resolves an outreach card's recipient from its contact and account; undefined when unresolvable. */
async function resolveRecipient(
  runtime: CycleRuntime,
  tenantId: string,
  card: ActionCard,
  contacts: ReadonlyMap<string, Contact>,
  accounts: Map<string, Account | undefined>,
): Promise<RecipientProfile | undefined> {
  if (card.type !== 'send_email' && card.type !== 'follow_up') return undefined;
  const contact = card.target.contactId ? contacts.get(card.target.contactId) : undefined;
  const email = (contact?.email ?? card.target.email)?.toLowerCase();
  if (!email) return undefined;
  const accountId = contact?.accountId ?? card.target.accountId;
  if (accountId && !accounts.has(accountId))
    accounts.set(accountId, await runtime.repos.accounts.get(tenantId, accountId));
  const account = accountId ? accounts.get(accountId) : undefined;
  return {
    email,
    domain: email.slice(email.lastIndexOf('@') + 1),
    ...(accountId ? { accountId } : {}),
    ...(account?.industry ? { industry: account.industry } : {}),
    ...(account?.region ? { region: account.region } : {}),
  };
}

/** This run's cards among the day's, in plan order. */
function cardsOfRun(dayCards: readonly ActionCard[], hourKey: string): ActionCard[] {
  return dayCards
    .filter((card) => card.hourKey === hourKey)
    .sort((a, b) => a.sequence - b.sequence || a.cardId.localeCompare(b.cardId));
}

/**
 * Act's reads before it decides: with Plan's hand-over, one batch of the settings, run record,
 * the run's cards and their targets (the cards stand in for the day's, the rest of the day's
 * sends is Plan's count); without it, the day's cards and then a batch of the open cards'
 * targets.
 */
async function readActWorkingSet(
  runtime: CycleRuntime,
  phase: PhaseContext,
  planned: PlannedCards | undefined,
): Promise<{
  working: WorkingSet;
  dayCards: readonly ActionCard[];
  targets: CardTargets;
  sendsElsewhereToday: number;
}> {
  const { repos } = runtime;
  if (planned) {
    const working = await repos.workingSet.require(phase.tenantId, {
      hourKey: phase.hourKey,
      contactIds: planned.contactIds,
      accountIds: planned.accountIds,
      emails: planned.emails,
      cards: { hourKey: phase.hourKey, cardIds: planned.cardIds },
    });
    return {
      working,
      dayCards: working.cards,
      targets: planned,
      sendsElsewhereToday: planned.sendsElsewhereToday,
    };
  }
  const dayCards = await repos.cards.listForDay(phase.tenantId, phase.hourKey.slice(0, 8));
  const open = cardsOfRun(dayCards, phase.hourKey).filter(
    (card) =>
      card.status === 'planned' || (card.status === 'executing' && card.claimedBy === phase.runId),
  );
  const targets = targetsOf(open);
  const working = await repos.workingSet.require(phase.tenantId, {
    hourKey: phase.hourKey,
    ...targets,
  });
  return { working, dayCards, targets, sendsElsewhereToday: 0 };
}

/**
 * The contacts the cards target, each read once: `known` (already read) plus those of `cards`
 * not among them. Act uses them for policy and recipients.
 */
async function loadTargetContacts(
  runtime: CycleRuntime,
  tenantId: string,
  cards: readonly ActionCard[],
  known: ReadonlyMap<string, Contact>,
): Promise<Map<string, Contact>> {
  const contacts = new Map(known);
  for (const contactId of new Set(
    cards.flatMap((card) => (card.target.contactId ? [card.target.contactId] : [])),
  )) {
    if (contacts.has(contactId)) continue;
    const contact = await runtime.repos.contacts.get(tenantId, contactId);
    if (contact) contacts.set(contactId, contact);
  }
  return contacts;
}
