import { redactValue } from '../../shared/observability/redaction.js';

/** How one check came out. SKIP: not checkable on this target (said why in the summary). */
export type CheckStatus = 'PASS' | 'WARN' | 'FAIL' | 'SKIP';

/** One line of `agentctl health` or `agentctl preflight`. */
export interface CheckResult {
  /** Stable id for scripts (`kill-switch`, `dlq:send`, `tenant:acme:last-run` …). */
  readonly id: string;
  readonly status: CheckStatus;
  /** What was found, in one line. */
  readonly summary: string;
  /** What to do about a WARN or FAIL: a command or the runbook section. */
  readonly fix?: string;
}

/** The outcome of a whole health or preflight run. */
export interface CheckReport {
  readonly command: 'health' | 'preflight';
  /** What was checked: `local data dir …` or `AWS table …`. */
  readonly target: string;
  /** The instant the checks were evaluated at (ISO-8601). */
  readonly at: string;
  /**
   * `health`: `healthy` when every line is PASS or SKIP, else `degraded`.
   * `preflight`: `ready` without FAIL lines (warnings allowed), else `not_ready`.
   */
  readonly status: 'healthy' | 'degraded' | 'ready' | 'not_ready';
  readonly counts: Readonly<Record<CheckStatus, number>>;
  readonly checks: readonly CheckResult[];
}

/** Builds the report, its status and counts; every text is passed through the secret redactor. */
export function buildReport(
  command: CheckReport['command'],
  target: string,
  at: Date,
  checks: readonly CheckResult[],
): CheckReport {
  const counts = { PASS: 0, WARN: 0, FAIL: 0, SKIP: 0 };
  for (const check of checks) counts[check.status] += 1;
  const status =
    command === 'health'
      ? counts.WARN + counts.FAIL > 0
        ? 'degraded'
        : 'healthy'
      : counts.FAIL > 0
        ? 'not_ready'
        : 'ready';
  return redactValue({ command, target, at: at.toISOString(), status, counts, checks });
}

/**
 * The exit code of a report: 0 when healthy/ready, 1 when degraded/not ready (2 stays "bad usage",
 * as for every agentctl command).
 */
export function reportExitCode(report: CheckReport): number {
  return report.status === 'healthy' || report.status === 'ready' ? 0 : 1;
}

/**
 * The human-readable report: one `STATUS  summary` line per check, the fix indented under it,
 * then the totals.
 *
 * @example
 * FAIL  dlq send: 1 message in the dead-letter queue
 *       fix: agentctl dlq redrive send --dry-run, then agentctl dlq redrive send
 */
export function formatCheckReport(report: CheckReport): string {
  const lines = [`agentctl ${report.command} — ${report.target} — as of ${report.at}`, ''];
  for (const check of report.checks) {
    lines.push(`${check.status.padEnd(4)}  ${check.summary}`);
    if (check.fix && check.status !== 'PASS') lines.push(`      fix: ${check.fix}`);
  }
  const { PASS, WARN, FAIL, SKIP } = report.counts;
  lines.push(
    '',
    `${report.status.toUpperCase().replace('_', ' ')}: ${PASS} pass, ${WARN} warn, ${FAIL} fail, ${SKIP} skipped`,
  );
  return lines.join('\n');
}
