/**
 * Every custom metric the agent publishes, in one place: emitters import the name from here and
 * the alarms and dashboard (infra/constructs/alarms.ts, dashboard.ts) read the same constant, so a
 * renamed metric cannot silently orphan its alarm.
 *
 * **Namespace and dimensions (the contract alarms rely on).** Every metric is published in the
 * `EngagementAgent` namespace with exactly the dimensions `{ service: <APP_NAME>, stage: <STAGE> }`
 * (see {@link agentMetricDimensions}), plus the metric's own dimension where the table below names
 * one. A count published with its own dimension (e.g. `CyclesFailed{phase}`) is also published
 * without it, so alarms read the total without a SEARCH expression. Emit through
 * `powertoolsMetricSink(createObservability(...).metrics)` and this holds by construction.
 *
 * | metric | unit | own dimension | emitted by |
 * |---|---|---|---|
 * | CyclesCompleted | Count | – | reflect (after the phase, with the lock release) |
 * | CyclesFailed | Count | phase | record-failure |
 * | CyclesSkipped | Count | reason (kill_switch, tenant_disabled, tenant_not_found, locked) | begin-cycle |
 * | LockHeldSeconds | Seconds | – | begin-cycle, when another run holds the lock (age of that lock) |
 * | PhaseDuration | Milliseconds | phase | every phase |
 * | ActionsPlanned / Executed / Blocked / Deferred / Failed | Count | – | plan, act |
 * | PolicyBlocks | Count | violation | act |
 * | EngagementComplianceRate | Percent | – | reflect |
 * | OrdersProcessed / OrderExceptions | Count | – | act (validate_order) |
 * | OutcomesFolded | Count | – | react |
 * | EmailSends | Count | outcome ({@link EMAIL_SEND_OUTCOMES}) | sender (issue 5) |
 * | EmailBounces / EmailComplaints | Count | – | bounce handler (issue 5) |
 * | BounceRate / ComplaintRate | Percent | – | bounce handler (issue 5; dashboard only) |
 * | ProviderFailures | Count | – | sender (issue 5): SES throttling/5xx/unexpected errors |
 * | SendsInDoubt | Count | – | sender: SES's answer was lost (timeout, reset, 5xx); the claim awaits reconciliation |
 * | SendsUnknown | Count | – | sender: an in-doubt send not reconciled within the grace period (counted as a touch, never re-sent) |
 * | SendsReconciled | Count | outcome (sent, not_sent) | SES event handler: an in-doubt send settled from the event stream |
 * | StalePendingSends | Count | – | plan: contacts whose queued touch has waited longer than the pending-send bound |
 * | GmailMessagesProcessed / GmailMessagesDuplicate / GmailCardsCreated | Count | – | ingest (issue 6) |
 * | GmailQuotaErrors | Count | – | poller/ingest (issue 6): 429 / 403 rateLimitExceeded |
 * | GmailAuthErrors | Count | – | poller (issue 6): token expired or revoked |
 */
export const METRIC_NAMES = {
  // Hourly cycle (shared/cycle).
  cyclesCompleted: 'CyclesCompleted',
  cyclesFailed: 'CyclesFailed',
  cyclesSkipped: 'CyclesSkipped',
  /** Fan-out items whose StartExecution failed for good (emitted by the fan-out machine itself). */
  cycleStartsFailed: 'CycleStartsFailed',
  lockHeldSeconds: 'LockHeldSeconds',
  phaseDuration: 'PhaseDuration',
  actionsPlanned: 'ActionsPlanned',
  actionsExecuted: 'ActionsExecuted',
  actionsBlocked: 'ActionsBlocked',
  actionsDeferred: 'ActionsDeferred',
  actionsFailed: 'ActionsFailed',
  policyBlocks: 'PolicyBlocks',
  engagementComplianceRate: 'EngagementComplianceRate',
  ordersProcessed: 'OrdersProcessed',
  orderExceptions: 'OrderExceptions',
  outcomesFolded: 'OutcomesFolded',
  // Outbound email (issue 5).
  emailSends: 'EmailSends',
  emailBounces: 'EmailBounces',
  emailComplaints: 'EmailComplaints',
  bounceRate: 'BounceRate',
  complaintRate: 'ComplaintRate',
  providerFailures: 'ProviderFailures',
  sendsInDoubt: 'SendsInDoubt',
  sendsUnknown: 'SendsUnknown',
  sendsReconciled: 'SendsReconciled',
  stalePendingSends: 'StalePendingSends',
  // Gmail ingest (issue 6).
  gmailMessagesProcessed: 'GmailMessagesProcessed',
  gmailMessagesDuplicate: 'GmailMessagesDuplicate',
  gmailCardsCreated: 'GmailCardsCreated',
  gmailQuotaErrors: 'GmailQuotaErrors',
  gmailAuthErrors: 'GmailAuthErrors',
} as const;

/** One of {@link METRIC_NAMES}. */
export type MetricName = (typeof METRIC_NAMES)[keyof typeof METRIC_NAMES];

/** The metrics' own dimension names (beyond `service` and `stage`). */
export const METRIC_DIMENSIONS = {
  phase: 'phase',
  reason: 'reason',
  violation: 'violation',
  outcome: 'outcome',
} as const;

/** Values of `EmailSends{outcome}`: the send gate's outcomes (DESIGN.md section 7) plus provider failure. */
export const EMAIL_SEND_OUTCOMES = [
  'sent',
  'dry_run',
  'blocked',
  'deferred',
  'suppressed',
  'superseded',
  'in_doubt',
  'unknown',
  'failed',
] as const;

/** One of {@link EMAIL_SEND_OUTCOMES}. */
export type EmailSendOutcome = (typeof EMAIL_SEND_OUTCOMES)[number];

/** The `CyclesSkipped{reason}` value the gates use when the kill switch is on or unreadable. */
export const KILL_SWITCH_SKIP_REASON = 'kill_switch';

/** The `phase` values of `PhaseDuration{phase}` (the run record's phases). */
export const CYCLE_PHASES = ['plan', 'act', 'react', 'reflect'] as const;

/**
 * The dimensions every agent metric carries: `service` is the application name (not the
 * function's Powertools service name, which stays on log lines and traces) and `stage` the
 * deployment stage, so two stages in one account never mix and alarms can name the exact set.
 *
 * @example
 * new Metric({ namespace: METRIC_NAMESPACE, metricName: METRIC_NAMES.cyclesCompleted,
 *   dimensionsMap: agentMetricDimensions('engagement-agent', 'prod') });
 */
export function agentMetricDimensions(appName: string, stage: string): Record<string, string> {
  return { service: appName, stage };
}
