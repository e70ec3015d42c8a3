import type { SimulationReport, TenantReport } from '../local/report.js';

/** What the text report says beyond the report itself. */
export interface FormatOptions {
  /** The data dir the simulation wrote (absolute), for `agentctl --local DIR` afterwards. */
  readonly dataDir?: string;
}

/** Renders the simulation report as a table per tenant for a terminal. */
export function formatReport(report: SimulationReport, options: FormatOptions = {}): string {
  const { simulation } = report;
  const lines = [
    `Simulated ${simulation.hours} hour(s) from ${simulation.start} to ${simulation.end} (send mode ${simulation.sendMode}, kill switch ${simulation.killSwitch})`,
    `Executions: ${simulation.executions.succeeded} succeeded, ${simulation.executions.failed} failed`,
    ...(options.dataDir
      ? [
          `Data dir: ${options.dataDir} (inspect with agentctl <command> --local ${options.dataDir})`,
        ]
      : []),
    '',
  ];
  const header = [
    'tenant',
    'enabled',
    'cycles ok/fail/skip',
    'actions done/blk/def/fail',
    'violations',
    'orders ready/exc',
    'compliance',
    'emails by status',
  ];
  const rows = report.tenants.map((tenant) => row(tenant));
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((r) => r[i]?.length ?? 0)),
  );
  const render = (cells: string[]) =>
    cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ');
  lines.push(render(header), render(widths.map((w) => '-'.repeat(w))), ...rows.map(render));

  for (const tenant of report.tenants) {
    const details: string[] = [];
    const skipped = countBy(
      tenant.cycles.filter((c) => c.status === 'SKIPPED').map((c) => c.reason ?? 'unknown'),
    );
    if (Object.keys(skipped).length) details.push(`skipped: ${describe(skipped)}`);
    for (const cycle of tenant.cycles.filter((c) => c.status === 'FAILED'))
      details.push(`failed ${cycle.hourKey}: ${cycle.error ?? 'unknown'}`);
    const violations = countBy(tenant.violations.map((v) => v.type));
    if (Object.keys(violations).length) details.push(`violations: ${describe(violations)}`);
    for (const order of tenant.orders.filter((o) => o.status === 'exception'))
      details.push(`order ${order.orderId}: ${order.codes.join(', ')}`);
    if (tenant.ingest.messages > 0) {
      const classes = describe(tenant.ingest.classified);
      details.push(
        `ingest: ${tenant.ingest.messages} message(s), ${tenant.ingest.duplicates} duplicate(s)${classes ? ` — ${classes}` : ''}`,
      );
    }
    if (tenant.tasks.length) details.push(`tasks: ${tenant.tasks.map((t) => t.title).join('; ')}`);
    if (details.length) lines.push('', `${tenant.tenantId}:`, ...details.map((d) => `  ${d}`));
  }
  return lines.join('\n');
}

function row(tenant: TenantReport): string[] {
  const cycles = countBy(tenant.cycles.map((c) => c.status));
  const actions = { done: 0, blocked: 0, deferred: 0, failed: 0 } as Record<string, number>;
  for (const byStatus of Object.values(tenant.actions)) {
    for (const [status, n] of Object.entries(byStatus))
      actions[status] = (actions[status] ?? 0) + n;
  }
  const orders = countBy(tenant.orders.map((o) => o.status));
  return [
    tenant.tenantId,
    tenant.agentEnabled ? 'yes' : 'no',
    `${cycles['SUCCEEDED'] ?? 0}/${cycles['FAILED'] ?? 0}/${cycles['SKIPPED'] ?? 0}`,
    `${actions['done']}/${actions['blocked']}/${actions['deferred']}/${actions['failed']}`,
    String(tenant.violations.length),
    `${orders['ready'] ?? 0}/${orders['exception'] ?? 0}`,
    `${(tenant.engagement.complianceRate * 100).toFixed(1)}% (${tenant.engagement.overdue} overdue of ${tenant.engagement.contacts})`,
    describe(countBy(tenant.emails.map((email) => email.status))) ||
      `0 (${tenant.queued.sendRequests} queued)`,
  ];
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

function describe(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([key, n]) => `${key} ×${n}`)
    .join(', ');
}
