import type { ActionCard, CardDecision } from '../domain/actions.js';
import { analyseReply } from '../drafting/analyse-reply.js';
import type { Account, Contact } from '../domain/entities.js';
import type { TenantSettings } from '../domain/tenant.js';
import type { CarriedDraft } from '../domain/send-request.js';
import { draftingQuotaOf } from '../domain/drafting/llm-budget.js';
import { recipientTierOf, type MessagingPack } from '../domain/drafting/messaging-pack.js';
import { draftTouch, type DraftTouchResult, type DraftViolation } from '../drafting/draft-touch.js';
import type { CycleRuntime } from './runtime.js';
import type { PhaseContext } from './phase.js';

/** How a touch was written, as the card result and the report show it (no text). */
export interface DraftSummary {
  readonly provider: string;
  readonly fallbackFrom?: string;
  readonly checks: readonly string[];
}

/** The summary of a carried or blocked draft. */
export function draftSummaryOf(
  draft: Pick<CarriedDraft, 'provider' | 'fallbackFrom' | 'checks'>,
): DraftSummary {
  return {
    provider: draft.provider,
    ...(draft.fallbackFrom ? { fallbackFrom: draft.fallbackFrom } : {}),
    checks: [...draft.checks],
  };
}

/**
 * Act's drafting for one run: reads the tenant's messaging pack once, drafts each touch through
 * {@link draftTouch}, and audits a budget note once per run. The rollout's shadow and assisted
 * phases use {@link TouchDrafter.draft} too, so a held action shows the draft that would be sent.
 */
export class TouchDrafter {
  private pack: Promise<MessagingPack> | undefined;
  private budgetAudited = false;

  constructor(
    private readonly runtime: CycleRuntime,
    private readonly settings: TenantSettings,
    private readonly phase: PhaseContext,
  ) {}

  /** True when drafting is on (any `--llm`/`LLM_MODE` but `off`). */
  get enabled(): boolean {
    return this.runtime.drafting !== undefined;
  }

  /**
   * The model's reading of the inbound message a card answers (summary, suggested intent) beside
   * the explicit-request rule's verdict, for review on a proposal; undefined with drafting off,
   * without inbound text, or when no provider could analyse it.
   */
  async analyseInbound(card: ActionCard): Promise<Record<string, unknown> | undefined> {
    const ports = this.runtime.drafting;
    const thread = card.evidence?.text;
    if (!ports || !thread) return undefined;
    const review = await analyseReply(ports, this.phase.tenantId, thread);
    return review ? { ...review } : undefined;
  }

  /** Drafts the touch a card sends; undefined with drafting off. */
  async draft(
    card: ActionCard,
    template: string,
    contact: Contact | undefined,
    account: Account | undefined,
  ): Promise<DraftTouchResult | undefined> {
    const ports = this.runtime.drafting;
    if (!ports) return undefined;
    this.pack ??= this.runtime.repos.messagingPacks.effective(this.phase.tenantId);
    const result = await draftTouch(ports, {
      tenantId: this.phase.tenantId,
      pack: await this.pack,
      quota: draftingQuotaOf(this.settings),
      source: {
        tenantName: this.settings.name,
        touchType: template,
        tier: recipientTierOf(account?.status),
        ...(contact
          ? {
              contact: {
                name: contact.name,
                title: contact.title,
                lastTouchAt: contact.lastTouchAt,
                lastInboundAt: contact.lastInboundAt,
              },
            }
          : {}),
        ...(account ? { account: { name: account.name, industry: account.industry } } : {}),
        ...(card.evidence?.text ? { inboundSummary: card.evidence.text } : {}),
      },
    });
    if (result.kind !== 'unavailable') await this.auditNotes(card, result.notes);
    return result;
  }

  /**
   * Records a blocked draft: the named violation audited, a `blocked` send result reported (so
   * the report's `emails[]` shows it) and the touch resolved, so it is not drafted again until
   * the contact's clock moves. Returns the card decision to block the card with.
   */
  async block(
    card: ActionCard,
    email: string,
    touchKey: string,
    result: Extract<DraftTouchResult, { kind: 'blocked' }>,
  ): Promise<CardDecision> {
    const { repos } = this.runtime;
    const { tenantId, now, runId } = this.phase;
    const contactId = card.target.contactId;
    await repos.audits.append(tenantId, {
      auditId: `draft-${card.cardId}`.slice(0, 128),
      kind: 'policy_violation',
      type: result.violation.type,
      actionType: card.type,
      reason: result.violation.reason,
      rule: 'content_check',
      runId,
      at: now.toISOString(),
      target: { email, ...(contactId ? { contactId } : {}) },
      cardId: card.cardId,
    });
    await repos.outcomes.append(
      tenantId,
      `draft-blocked-${card.cardId}`.slice(0, 128).replace(/[^A-Za-z0-9._:@-]/g, '_'),
      {
        kind: 'send_result',
        email,
        status: 'blocked',
        reason: result.violation.type,
        touchKey,
        cardId: card.cardId,
        ...(contactId ? { contactId } : {}),
      },
      now,
    );
    if (contactId)
      await repos.contacts.resolvePendingSend(tenantId, contactId, {
        touchKey,
        status: 'blocked',
        at: now,
        resolved: true,
      });
    return {
      allowed: false,
      rule: 'content_check',
      violationType: result.violation.type,
      reason: result.violation.reason,
    };
  }

  private async auditNotes(card: ActionCard, notes: readonly DraftViolation[]): Promise<void> {
    const budget = notes.find((note) => note.type === 'llm_budget_exceeded');
    if (!budget || this.budgetAudited) return;
    this.budgetAudited = true;
    await this.runtime.repos.audits.append(this.phase.tenantId, {
      auditId: `llm-budget-${this.phase.hourKey}`,
      kind: 'policy_violation',
      type: 'llm_budget_exceeded',
      actionType: card.type,
      reason: budget.reason,
      rule: 'drafting_budget',
      runId: this.phase.runId,
      at: this.phase.now.toISOString(),
      target: card.target.contactId ? { contactId: card.target.contactId } : {},
      cardId: card.cardId,
    });
  }
}
