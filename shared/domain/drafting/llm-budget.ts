/**
 * The drafting budget per tenant per day (DESIGN.md section 9, "cost grows with work"): tokens
 * and cost are counted per tenant per UTC day; a metered call that would start over either
 * quota is not made (the chain falls back to the template) and a violation is recorded.
 */

/** Tokens one model call used. */
export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** List price of a model, USD per million tokens. */
export interface ModelPricing {
  readonly inputPerMillionUsd: number;
  readonly outputPerMillionUsd: number;
}

/** A tenant's daily limits. */
export interface DraftingQuota {
  readonly dailyTokens: number;
  readonly dailyCostUsd: number;
}

/** What a tenant used so far today. */
export interface DailyUsage {
  readonly tokens: number;
  readonly costUsd: number;
  readonly calls: number;
}

/** The cost of one call at a model's list price, in USD. */
export function costOf(usage: TokenUsage, pricing: ModelPricing): number {
  return (
    (usage.inputTokens * pricing.inputPerMillionUsd +
      usage.outputTokens * pricing.outputPerMillionUsd) /
    1_000_000
  );
}

/** Which quota a tenant's usage has reached, if any (`tokens` is checked first). */
export function exceededQuota(
  usage: DailyUsage,
  quota: DraftingQuota,
): 'tokens' | 'cost' | undefined {
  if (usage.tokens >= quota.dailyTokens) return 'tokens';
  if (usage.costUsd >= quota.dailyCostUsd) return 'cost';
  return undefined;
}

/** The UTC day (`yyyy-MM-dd`) usage at `now` is counted under. */
export function usageDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** Defaults of a tenant's quota (tenant settings `drafting`). */
export const DEFAULT_DRAFTING_QUOTA: DraftingQuota = { dailyTokens: 200_000, dailyCostUsd: 2 };

/** A tenant's quota from its settings; settings stored before the field existed get the defaults. */
export function draftingQuotaOf(settings: {
  readonly drafting?: { readonly dailyTokenQuota?: number; readonly dailyCostQuotaUsd?: number };
}): DraftingQuota {
  return {
    dailyTokens: settings.drafting?.dailyTokenQuota ?? DEFAULT_DRAFTING_QUOTA.dailyTokens,
    dailyCostUsd: settings.drafting?.dailyCostQuotaUsd ?? DEFAULT_DRAFTING_QUOTA.dailyCostUsd,
  };
}
