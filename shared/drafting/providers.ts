import {
  fillTemplate,
  firstNameOf,
  templateFor,
  type MessagingPack,
} from '../domain/drafting/messaging-pack.js';
import { estimateTokens, mockModelAnswer } from '../domain/drafting/mock-draft.js';
import { parseModelDraft, type DraftText } from '../domain/drafting/model-answer.js';
import type { TokenUsage } from '../domain/drafting/llm-budget.js';
import type { DraftContext, DraftPrompt } from '../domain/drafting/prompt.js';
import { mockReplyAnswer } from '../domain/drafting/reply-analysis.js';

/** The drafting providers a chain may name (`--llm`, `LLM_PROVIDERS`). */
export const DRAFT_PROVIDER_NAMES = ['bedrock', 'mock', 'template'] as const;
export type DraftProviderName = (typeof DRAFT_PROVIDER_NAMES)[number];

/** One request to a provider. */
export interface DraftCall {
  readonly prompt: DraftPrompt;
  readonly context: DraftContext;
  readonly pack: MessagingPack;
  /** Aborted when the chain's timeout for this call passes. */
  readonly signal: AbortSignal;
}

/** A provider's draft and what it cost. */
export interface ProviderDraft {
  readonly text: DraftText;
  readonly usage?: TokenUsage;
  /** The model that wrote it (metered providers). */
  readonly modelId?: string;
}

/**
 * The drafting port: something that turns a prompt (and the context it was built from) into a
 * draft. `metered` providers count against the tenant's daily budget; the template provider is
 * never metered and is the chain's last fallback.
 */
export interface DraftProvider {
  readonly name: string;
  readonly metered: boolean;
  draft(call: DraftCall): Promise<ProviderDraft>;
  /** Answers a reply-analysis prompt (JSON summary and intent); absent: this provider cannot. */
  analyseReply?(call: ReplyCall): Promise<ProviderReply>;
}

/** One reply-analysis request: the assembled prompt and the scrubbed-on-assembly thread. */
export interface ReplyCall {
  readonly prompt: DraftPrompt;
  readonly thread: string;
  readonly signal: AbortSignal;
}

/** A provider's raw reply-analysis answer and what it cost. */
export interface ProviderReply {
  readonly answer: string;
  readonly usage?: TokenUsage;
}

/** The touch type has no template in the pack or the built-ins. */
export class UnknownTouchTypeError extends Error {
  constructor(touchType: string) {
    super(`no template for touch type "${touchType.slice(0, 40)}"`);
    this.name = 'UnknownTouchTypeError';
  }
}

/**
 * The template provider: the pack's approved template for the touch type and tier (the built-in
 * one when the pack has none), placeholders filled from the context. Deterministic, free, local.
 */
export const templateProvider: DraftProvider = {
  name: 'template',
  metered: false,
  draft({ context, pack }) {
    const template = templateFor(pack, context.touchType, context.tier);
    if (!template) return Promise.reject(new UnknownTouchTypeError(context.touchType));
    return Promise.resolve({
      text: fillTemplate(template, {
        tenantName: context.tenantName,
        firstName: firstNameOf(context.recipient.firstName),
        accountName: context.account?.name,
        keyMessage: pack.keyMessages[0],
      }),
    });
  },
};

/**
 * The mock provider: the deterministic mock model (shared/domain/drafting/mock-draft.ts) behind
 * the same JSON answer parsing a real model's answer goes through. Not metered; token counts are
 * estimated so metrics look like a model's.
 */
export const mockProvider: DraftProvider = {
  name: 'mock',
  metered: false,
  analyseReply({ thread }) {
    return Promise.resolve({ answer: mockReplyAnswer(thread) });
  },
  draft({ prompt, context, pack }) {
    const answer = mockModelAnswer(prompt, context, pack);
    return Promise.resolve({
      text: parseModelDraft(answer),
      usage: {
        inputTokens: estimateTokens(prompt.system + prompt.user),
        outputTokens: estimateTokens(answer),
      },
    });
  },
};
