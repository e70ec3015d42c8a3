import { errorText } from '../observability/error-text.js';
import type { Clock } from '../clock.js';
import type { CarriedDraft } from '../domain/send-request.js';
import {
  checkContent,
  draftViolationType,
  type ContentCheck,
  type ContentFailure,
  type DraftViolationType,
} from '../domain/drafting/content-check.js';
import {
  costOf,
  exceededQuota,
  usageDay,
  type DailyUsage,
  type DraftingQuota,
  type ModelPricing,
  type TokenUsage,
} from '../domain/drafting/llm-budget.js';
import type { MessagingPack } from '../domain/drafting/messaging-pack.js';
import type { DraftText } from '../domain/drafting/model-answer.js';
import {
  assembleDraftPrompt,
  buildDraftContext,
  contextFacts,
  PROMPT_VERSION,
  type DraftContext,
  type DraftContextSource,
} from '../domain/drafting/prompt.js';
import { redactString } from '../observability/redaction.js';
import { renderDraftEmail } from '../sending/email-content.js';
import type { MetricSink } from '../cycle/runtime.js';
import { DRAFTING_METRICS } from './drafting-metrics.js';
import type { ProviderCircuits } from './provider-circuits.js';
import { UnknownTouchTypeError, type DraftProvider } from './providers.js';

/** A tenant's daily drafting usage (shared/storage/llm-usage-repository.ts). */
export interface UsageLedger {
  get(tenantId: string, day: string): Promise<DailyUsage>;
  add(tenantId: string, day: string, usage: TokenUsage, costUsd: number): Promise<void>;
}

/** Debug logging of prompts and answers; everything passed is already redacted. */
export interface DraftLogger {
  debug(message: string, attributes: Record<string, unknown>): void;
}

export { DRAFTING_METRICS } from './drafting-metrics.js';

/** What drafting works through. Lambdas build it from the environment, the simulator from `--llm`. */
export interface DraftingPorts {
  /** In order of preference; the template provider last (the fallback of last resort). */
  readonly providers: readonly DraftProvider[];
  readonly circuits: ProviderCircuits;
  readonly clock: Clock;
  /** Longest one provider call may take before the chain moves on. */
  readonly timeoutMs: number;
  readonly metric: MetricSink;
  readonly logger?: DraftLogger;
  /** Required when a provider is metered. */
  readonly usage?: UsageLedger;
  /** List prices of metered providers, by provider name. */
  readonly pricing?: Readonly<Record<string, ModelPricing>>;
}

/** One touch to draft. */
export interface DraftTouchInput {
  readonly tenantId: string;
  readonly pack: MessagingPack;
  readonly quota: DraftingQuota;
  /** What the prompt may be built from (only the allow-listed parts are kept). */
  readonly source: DraftContextSource;
}

/** A named violation of a draft that could not be sent. */
export interface DraftViolation {
  readonly type: DraftViolationType | 'llm_budget_exceeded';
  readonly reason: string;
}

/** How drafting went for one touch. */
export type DraftTouchResult =
  /** A checked draft to carry on the send request (and record on the card). */
  | {
      readonly kind: 'drafted';
      readonly draft: CarriedDraft;
      readonly notes: readonly DraftViolation[];
    }
  /** Every draft, the template's included, failed the checker: nothing may be sent. */
  | {
      readonly kind: 'blocked';
      readonly violation: DraftViolation;
      readonly draft: Omit<CarriedDraft, 'subject' | 'paragraphs'>;
      readonly notes: readonly DraftViolation[];
    }
  /** No provider could draft (an unknown touch type): send as before drafting existed. */
  | { readonly kind: 'unavailable'; readonly reason: string };

/** The link the checker renders drafts with; the real one is signed at delivery. */
const CHECK_UNSUBSCRIBE_URL = 'https://unsubscribe.invalid/check';

class DraftTimeoutError extends Error {
  constructor(provider: string, ms: number) {
    super(`${provider} did not answer within ${ms} ms`);
    this.name = 'DraftTimeoutError';
  }
}

/**
 * Runs one provider call with an abort signal that fires after `ms`; rejects with a timeout
 * error at `ms` (the abandoned call's own outcome is ignored).
 */
export async function withTimeout<T>(
  run: (signal: AbortSignal) => Promise<T>,
  ms: number,
  provider: string,
): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // Settle as a timeout before the abort makes the call itself reject.
      reject(new DraftTimeoutError(provider, ms));
      controller.abort();
    }, ms);
  });
  const running = run(controller.signal);
  // A call abandoned at the timeout may still settle later; its outcome no longer matters.
  running.catch(() => undefined);
  try {
    return await Promise.race([running, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Appends the pack's footer paragraph unless the text already ends with it. */
function withFooter(text: DraftText, pack: MessagingPack): DraftText {
  const footer = pack.requiredFooter.trim();
  if (footer === '' || text.paragraphs.at(-1)?.trim() === footer) return text;
  return { subject: text.subject, paragraphs: [...text.paragraphs, footer] };
}

function check(text: DraftText, context: DraftContext, pack: MessagingPack) {
  return checkContent({
    subject: text.subject,
    paragraphs: text.paragraphs,
    renderedText: renderDraftEmail(text, CHECK_UNSUBSCRIBE_URL).text,
    unsubscribeUrl: CHECK_UNSUBSCRIBE_URL,
    pack,
    recipientFirstName: context.recipient.firstName,
    facts: [
      ...contextFacts(context),
      pack.requiredFooter,
      ...pack.keyMessages,
      ...Object.values(pack.templates).flatMap((tiers) =>
        Object.values(tiers).flatMap((t) => (t ? [t.subject, ...t.body] : [])),
      ),
    ],
  });
}

/**
 * Drafts one touch (DESIGN.md section 9): builds the allow-listed context and prompt, asks each
 * provider in turn — skipping one whose circuit is open or, when metered, whose tenant is over its
 * daily quota; moving on after an error or timeout — and runs the content checker on its draft.
 * A failing draft is redrafted once with the failed checks named; a second failure falls back to
 * the template provider; a failing template blocks the touch with the first failure as a named
 * violation. Act calls this before it queues a send; the rollout's shadow and assisted phases
 * call it to show the same draft.
 *
 * @example
 * const result = await draftTouch(runtime.drafting, { tenantId, pack, quota, source });
 * if (result.kind === 'drafted') request = { ...request, draft: result.draft };
 */
export async function draftTouch(
  ports: DraftingPorts,
  input: DraftTouchInput,
): Promise<DraftTouchResult> {
  const { pack } = input;
  const context = buildDraftContext(input.source);
  const notes: DraftViolation[] = [];
  const failedChecks: ContentCheck[] = [];
  let fallbackFrom: string | undefined;
  let lastFailures: readonly ContentFailure[] = [];
  let lastProvider: string | undefined;
  let unavailable: string | undefined;

  const moveOn = (provider: string, reason: string) => {
    fallbackFrom ??= provider;
    ports.metric(DRAFTING_METRICS.fallback, 1, { from: provider, reason });
  };

  const providers = ports.providers;
  for (let index = 0; index < providers.length; index += 1) {
    const provider = providers[index] as DraftProvider;
    const now = ports.clock.now();
    if (ports.circuits.isOpen(provider.name, now)) {
      moveOn(provider.name, 'circuit_open');
      continue;
    }
    if (provider.metered && ports.usage) {
      const used = await ports.usage.get(input.tenantId, usageDay(now));
      const quota = exceededQuota(used, input.quota);
      if (quota) {
        ports.metric(DRAFTING_METRICS.budgetExceeded, 1, { quota });
        notes.push({
          type: 'llm_budget_exceeded',
          reason: `daily ${quota} quota reached (${quota === 'tokens' ? `${used.tokens} of ${input.quota.dailyTokens} tokens` : `$${used.costUsd.toFixed(4)} of $${input.quota.dailyCostUsd}`})`,
        });
        moveOn(provider.name, 'budget_exceeded');
        continue;
      }
    }

    const redraftable = provider.name !== 'template';
    let attemptFailed: readonly ContentCheck[] = [];
    for (let attempt = 0; attempt < (redraftable ? 2 : 1); attempt += 1) {
      const prompt = assembleDraftPrompt(context, pack, attemptFailed);
      ports.logger?.debug('draft prompt', {
        provider: provider.name,
        attempt,
        system: redactString(prompt.system),
        user: redactString(prompt.user),
      });
      let answer;
      try {
        answer = await withTimeout(
          (signal) => provider.draft({ prompt, context, pack, signal }),
          ports.timeoutMs,
          provider.name,
        );
      } catch (error) {
        if (error instanceof UnknownTouchTypeError) {
          unavailable = error.message;
          break;
        }
        const kind = error instanceof DraftTimeoutError ? 'timeout' : 'error';
        ports.metric(DRAFTING_METRICS.providerFailure, 1, { provider: provider.name, kind });
        if (ports.circuits.recordFailure(provider.name, ports.clock.now()))
          ports.metric(DRAFTING_METRICS.circuitOpened, 1, { provider: provider.name });
        ports.logger?.debug('draft provider failed', {
          provider: provider.name,
          kind,
          error: errorText(error),
        });
        moveOn(provider.name, kind);
        attemptFailed = [];
        break;
      }
      ports.circuits.recordSuccess(provider.name);
      if (answer.usage) await recordUsage(ports, input.tenantId, provider, answer.usage);
      const text = withFooter(answer.text, pack);
      ports.logger?.debug('draft answer', {
        provider: provider.name,
        subject: redactString(text.subject),
        paragraphs: text.paragraphs.map((p) => redactString(p)),
      });
      const verdict = check(text, context, pack);
      if (verdict.passed) {
        ports.metric(DRAFTING_METRICS.drafted, 1, { provider: provider.name });
        return {
          kind: 'drafted',
          draft: {
            subject: text.subject,
            paragraphs: [...text.paragraphs],
            provider: provider.name,
            ...(fallbackFrom ? { fallbackFrom } : {}),
            checks: [...new Set(failedChecks)],
            promptVersion: PROMPT_VERSION,
          },
          notes,
        };
      }
      for (const failure of verdict.failures) {
        failedChecks.push(failure.check);
        ports.metric(DRAFTING_METRICS.checkFailed, 1, { check: failure.check });
      }
      lastFailures = verdict.failures;
      lastProvider = provider.name;
      attemptFailed = verdict.failures.map((failure) => failure.check);
    }
    if (unavailable) break;
    if (attemptFailed.length > 0 && redraftable) {
      // Redrafted once and still failing: straight to the template, past any other model.
      moveOn(provider.name, 'checks_failed');
      const templateIndex = providers.findIndex((p) => p.name === 'template');
      if (templateIndex > index) index = templateIndex - 1;
    }
  }

  const first = lastFailures[0];
  if (first) {
    const violation: DraftViolation = {
      type: draftViolationType(first.check),
      reason: `${first.check}: ${first.detail}`,
    };
    ports.metric(DRAFTING_METRICS.blocked, 1, { violation: violation.type });
    return {
      kind: 'blocked',
      violation,
      draft: {
        provider: lastProvider ?? 'template',
        ...(fallbackFrom ? { fallbackFrom } : {}),
        checks: [...new Set(failedChecks)],
        promptVersion: PROMPT_VERSION,
      },
      notes,
    };
  }
  return { kind: 'unavailable', reason: unavailable ?? 'every drafting provider failed' };
}

/** Counts a metered provider's tokens and cost for the tenant (metrics and the daily ledger). */
export async function recordUsage(
  ports: DraftingPorts,
  tenantId: string,
  provider: DraftProvider,
  usage: TokenUsage,
): Promise<void> {
  if (!provider.metered) return;
  const pricing = ports.pricing?.[provider.name];
  const cost = pricing ? costOf(usage, pricing) : 0;
  const tokens = usage.inputTokens + usage.outputTokens;
  ports.metric(DRAFTING_METRICS.tokens, tokens, { tenant_id: tenantId });
  ports.metric(DRAFTING_METRICS.costMicroUsd, Math.round(cost * 1_000_000), {
    tenant_id: tenantId,
  });
  await ports.usage?.add(tenantId, usageDay(ports.clock.now()), usage, cost);
}
