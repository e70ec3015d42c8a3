/** Metrics of drafting; the circuit metric has an alarm (`DraftCircuitOpen`, infra/constructs/alarms.ts). */
export const DRAFTING_METRICS = {
  /** A draft that passed the checker, by `provider`. */
  drafted: 'DraftsWritten',
  /** A provider skipped or failed and the next one was asked, by `from` and `reason`. */
  fallback: 'DraftFallbacks',
  /** A provider error or timeout, by `provider` and `kind`. */
  providerFailure: 'DraftProviderFailures',
  /** A provider's circuit opened, by `provider`. */
  circuitOpened: 'DraftCircuitOpened',
  /** A content check failed on a draft, by `check`. */
  checkFailed: 'DraftChecksFailed',
  /** No draft passed: the touch was blocked, by `violation`. */
  blocked: 'DraftsBlocked',
  /** Tokens and cost (micro-USD) of metered calls, by `tenant_id`. */
  tokens: 'DraftTokens',
  costMicroUsd: 'DraftCostMicroUsd',
  /** A metered call was not made because the tenant's daily quota was reached, by `quota`. */
  budgetExceeded: 'DraftBudgetExceeded',
} as const;
