import type { SimulationReport, TenantReport } from '../local/report.js';

/** What the text report says beyond the report itself. */
export interface FormatOptions {
  /** The data dir the simulation wrote (absolute), for `agentctl --local DIR` afterwards. */
  readonly dataDir?: string;
}

/** Longest quoted request in a task line. */
const QUOTE_LIMIT = 100;

/**
 * Renders the simulation report for a terminal: a table per tenant, then per tenant what needs
 * explaining (why it is disabled or skipped, deferrals by reason, who was blocked or suppressed
 * and why, violations with their targets, tasks with the contact and the request). Email
 * statuses and engagement fields are rendered generically, whatever the report holds.
 */
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
    ...dryRunNote(report),
    '',
  ];
  const header = [
    'tenant',
    'agent',
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
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  lines.push(render(header), render(widths.map((w) => '-'.repeat(w))), ...rows.map(render));

  for (const tenant of report.tenants) {
    const details = tenantDetails(tenant);
    if (details.length)
      lines.push('', `${tenant.tenantId} (${tenant.name}):`, ...details.map((d) => `  ${d}`));
  }
  return lines.join('\n');
}

function dryRunNote(report: SimulationReport): string[] {
  const dryRuns = report.tenants.reduce(
    (sum, tenant) => sum + tenant.emails.filter((email) => email.status === 'dry_run').length,
    0,
  );
  if (report.simulation.sendMode !== 'dry_run' && dryRuns === 0) return [];
  return [
    `Note: in dry_run nothing is sent. The ${dryRuns} dry_run email(s) are recorded, but a dry_run touch is not a contact: compliance counts only touches that reached the contact (sent emails, replies), so it does not rise in dry_run.`,
  ];
}

function tenantDetails(tenant: TenantReport): string[] {
  const details: string[] = [];
  if (!tenant.agentEnabled)
    details.push(
      'DISABLED: the agent is off for this tenant (agentctl tenant enable ID) — no cycles run and nothing is sent, so its overdue contacts stay overdue',
    );
  if (tenant.phase && tenant.phase !== 'autonomous') {
    const approvals = Object.entries(tenant.approvals ?? {}).filter(([, n]) => n > 0);
    details.push(
      `rollout phase ${tenant.phase}: ${tenant.phase === 'assisted' ? 'allowed actions wait for approval (agentctl approvals list)' : 'nothing is sent or created; actions are recorded as would-execute'}${approvals.length ? `; approvals ${approvals.map(([s, n]) => `${s} ${n}`).join(', ')}` : ''}`,
    );
  }
  const skipped = countBy(
    tenant.cycles.filter((c) => c.status === 'SKIPPED').map((c) => c.reason ?? 'unknown'),
  );
  if (Object.keys(skipped).length) details.push(`skipped cycles: ${describe(skipped)}`);
  for (const cycle of tenant.cycles.filter((c) => c.status === 'FAILED'))
    details.push(`failed cycle ${cycle.hourKey}: ${cycle.error ?? 'unknown'}`);

  const deferrals = tenant.deferrals ?? {};
  if (Object.keys(deferrals).length)
    details.push(`deferred actions by reason: ${describe(deferrals)}`);

  for (const [status, emails] of groupBy(tenant.emails, (email) => email.status)) {
    const withReason = emails.filter((email) => email.reason && email.reason !== status);
    if (withReason.length === 0) continue;
    const recipients = countBy(withReason.map((email) => `${email.to} (${email.reason})`));
    details.push(`${status} emails: ${describe(recipients)}`);
  }

  for (const [type, violations] of groupBy(tenant.violations, (v) => v.type)) {
    const targets = countBy(
      violations.map((v) => {
        const who = v.target['email'] ?? v.target['contactId'] ?? v.target['orderId'];
        return who ? `${who} (${v.reason})` : v.reason;
      }),
    );
    details.push(`violation ${type} ×${violations.length}: ${describe(targets)}`);
  }

  for (const order of tenant.orders.filter((o) => o.status === 'exception'))
    details.push(`order ${order.orderId}: ${order.codes.join(', ')}`);

  const extra = engagementExtras(tenant.engagement as unknown as Record<string, unknown>);
  if (extra) details.push(extra);

  if (tenant.ingest.messages > 0) {
    const classes = describe(tenant.ingest.classified);
    details.push(
      `ingest: ${tenant.ingest.messages} message(s), ${tenant.ingest.duplicates} duplicate(s)${classes ? ` — ${classes}` : ''}`,
    );
  }
  for (const task of tenant.tasks) details.push(`task: ${taskLine(task)}`);
  return details;
}

/** "Follow up with Dana Whitfield <dana@…>: “Can you send the W-9?”", else the stored title. */
function taskLine(task: TenantReport['tasks'][number]): string {
  const who = task.contact
    ? `${task.contact.name ? `${task.contact.name} <${task.contact.email}>` : task.contact.email}`
    : task.contactId;
  if (!who && !task.request) return task.title;
  const request = task.request ? `: “${quote(task.request)}”` : '';
  return `follow up with ${who ?? 'the sender'}${request} (${task.title})`;
}

function quote(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > QUOTE_LIMIT ? `${flat.slice(0, QUOTE_LIMIT - 1)}…` : flat;
}

/** Engagement fields beyond the table's (e.g. `notContactable: { count, reasons }`), one line. */
function engagementExtras(engagement: Record<string, unknown>): string | undefined {
  const known = new Set(['contacts', 'compliant', 'overdue', 'complianceRate']);
  const parts: string[] = [];
  for (const [key, value] of Object.entries(engagement)) {
    if (known.has(key) || value === undefined) continue;
    parts.push(`${key}: ${describeValue(value)}`);
  }
  return parts.length ? `engagement ${parts.join('; ')}` : undefined;
}

function describeValue(value: unknown): string {
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return value.map(describeValue).join(', ');
  const record = value as Record<string, unknown>;
  if (Object.values(record).every((v) => typeof v === 'number'))
    return describe(record as Record<string, number>);
  return Object.entries(record)
    .map(([key, v]) => `${key} ${describeValue(v)}`)
    .join(', ');
}

function row(tenant: TenantReport): string[] {
  const cycles = countBy(tenant.cycles.map((c) => c.status));
  const actions = { done: 0, blocked: 0, deferred: 0, failed: 0 } as Record<string, number>;
  for (const byStatus of Object.values(tenant.actions)) {
    for (const [status, n] of Object.entries(byStatus))
      actions[status] = (actions[status] ?? 0) + n;
  }
  const orders = countBy(tenant.orders.map((o) => o.status));
  const { engagement } = tenant;
  const compliance = `${(engagement.complianceRate * 100).toFixed(1)}% (${engagement.overdue} overdue of ${engagement.contacts})`;
  return [
    tenant.tenantId,
    tenant.agentEnabled ? 'enabled' : 'DISABLED',
    `${cycles['SUCCEEDED'] ?? 0}/${cycles['FAILED'] ?? 0}/${cycles['SKIPPED'] ?? 0}`,
    `${actions['done']}/${actions['blocked']}/${actions['deferred']}/${actions['failed']}`,
    String(tenant.violations.length),
    `${orders['ready'] ?? 0}/${orders['exception'] ?? 0}`,
    tenant.agentEnabled ? compliance : `— (disabled; ${engagement.overdue} overdue)`,
    describe(countBy(tenant.emails.map((email) => email.status))) ||
      `0 (${tenant.queued.sendRequests} queued)`,
  ];
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k) ?? [];
    group.push(item);
    groups.set(k, group);
  }
  return groups;
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

function describe(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([key, n]) => (n === 1 ? key : `${key} ×${n}`))
    .join(', ');
}
