import type { SimulationReport, TenantReport } from '../local/report.js';

/** Extra figures the page shows beside the report (they vary run to run, so the JSON has none). */
export interface HtmlExtras {
  /** Wall time per cycle execution, by execution name (`<tenantId>-<yyyyMMddHH>`). */
  readonly cycleDurationsMs?: ReadonlyMap<string, number>;
}

const WIDTH = 400;
const HEIGHT = 150;
const PAD = { left: 34, right: 8, top: 10, bottom: 22 };

/** Colours for known statuses; any other status gets one from the spare palette, stably. */
const STATUS_COLOURS: Record<string, string> = {
  sent: '#2e7d32',
  dry_run: '#90a4ae',
  blocked: '#c62828',
  suppressed: '#6a1b9a',
  deferred: '#f9a825',
  superseded: '#8d6e63',
  awaiting_approval: '#1565c0',
  failed: '#d84315',
  SUCCEEDED: '#2e7d32',
  FAILED: '#c62828',
  SKIPPED: '#90a4ae',
};
const SPARE_COLOURS = ['#00838f', '#ad1457', '#4527a0', '#558b2f', '#ef6c00', '#37474f'];

/**
 * Renders the report as one self-contained HTML page: inline CSS and SVG, no script, no network.
 * Per tenant: emails per hour stacked by status, cap use per day, compliance over time,
 * violations by type, cycle outcomes and cycle durations. Every bar and point carries its number
 * in `data-*` attributes (and a `<title>` tooltip), so the page can be checked against the report.
 */
export function renderHtmlReport(report: SimulationReport, extras: HtmlExtras = {}): string {
  const { simulation } = report;
  const hours = hourKeys(simulation.start, simulation.hours);
  const sections = report.tenants.map((tenant) => tenantSection(tenant, hours, extras)).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Engagement agent simulation ${esc(simulation.start)} (${simulation.hours} h)</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #212121; background: #fafafa; }
h1 { font-size: 20px; } h2 { font-size: 17px; margin-top: 32px; border-bottom: 1px solid #ccc; }
h3 { font-size: 14px; margin: 16px 0 4px; }
.tenant { background: #fff; padding: 8px 16px 16px; margin-bottom: 24px; box-shadow: 0 1px 3px #0002; }
.legend span { display: inline-block; margin-right: 12px; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 8px 24px; }
svg text { font-size: 10px; fill: #555; }
.badge { display: inline-block; padding: 0 6px; border-radius: 3px; background: #c62828; color: #fff; }
.empty { color: #777; font-style: italic; }
table { border-collapse: collapse; } td, th { padding: 2px 8px; text-align: left; }
</style>
</head>
<body>
<h1>Engagement agent simulation</h1>
<p>${simulation.hours} simulated hour(s) from ${esc(simulation.start)} to ${esc(simulation.end)};
send mode <b>${esc(simulation.sendMode)}</b>; kill switch <b>${esc(simulation.killSwitch)}</b>;
executions: ${simulation.executions.succeeded} succeeded, ${simulation.executions.failed} failed.</p>
${sections}
</body>
</html>
`;
}

function tenantSection(tenant: TenantReport, hours: readonly string[], extras: HtmlExtras): string {
  const rate = (tenant.engagement.complianceRate * 100).toFixed(1);
  return `<section class="tenant" data-tenant="${esc(tenant.tenantId)}">
<h2>${esc(tenant.name)} <small>(${esc(tenant.tenantId)})</small> ${tenant.agentEnabled ? '' : '<span class="badge">agent disabled</span>'}</h2>
<p>Compliance ${tenant.agentEnabled ? `${rate}%` : '— (disabled)'}: ${tenant.engagement.overdue} overdue of ${tenant.engagement.contacts} contacts;
${tenant.emails.length} email decision(s); ${tenant.violations.length} violation(s); ${tenant.tasks.length} task(s).</p>
${rolloutLine(tenant)}
<div class="grid">
<div><h3>Emails per hour by status</h3>${emailsPerHour(tenant, hours)}</div>
<div><h3>Cap use per day (sent / daily cap ${tenant.caps?.perDay ?? '?'}, hourly cap ${tenant.caps?.perHour ?? '?'})</h3>${capUse(tenant, hours)}</div>
<div><h3>Compliance over time</h3>${complianceChart(tenant)}</div>
<div><h3>Violations by type</h3>${violationsChart(tenant)}</div>
<div><h3>Cycle outcomes</h3>${cycleOutcomes(tenant)}</div>
<div><h3>Cycle durations (wall time)</h3>${cycleDurations(tenant, extras)}</div>
</div>
</section>`;
}

/** The tenant's rollout phase, its approvals by status and reviewers' agreement (when reported). */
function rolloutLine(tenant: TenantReport): string {
  if (!tenant.phase || !tenant.approvals) return '';
  const approvals = Object.entries(tenant.approvals)
    .map(([status, n]) => `<span data-approvals="${esc(status)}">${esc(status)} ${n}</span>`)
    .join(', ');
  const agreement = Object.entries(tenant.proposals?.agreement ?? {})
    .map(
      ([type, a]) =>
        `${esc(type)} ${a.rate === null ? '—' : `${(a.rate * 100).toFixed(0)}%`} of ${a.reviewed} reviewed`,
    )
    .join('; ');
  return `<p class="rollout" data-phase="${esc(tenant.phase)}">Rollout phase <b>${esc(tenant.phase)}</b>; approvals: ${approvals}${agreement ? `; agreement: ${agreement}` : ''}.</p>`;
}

function emailsPerHour(tenant: TenantReport, hours: readonly string[]): string {
  const statuses = unique(tenant.emails.map((email) => email.status));
  if (statuses.length === 0) return '<p class="empty">no emails</p>';
  const counts = new Map<string, Map<string, number>>();
  for (const email of tenant.emails) {
    const hour = hourKeyOf(email.at);
    const byStatus = counts.get(hour) ?? new Map<string, number>();
    byStatus.set(email.status, (byStatus.get(email.status) ?? 0) + 1);
    counts.set(hour, byStatus);
  }
  const max = Math.max(
    1,
    ...[...counts.values()].map((m) => [...m.values()].reduce((a, b) => a + b, 0)),
  );
  const slot = plotWidth() / Math.max(1, hours.length);
  const bars: string[] = [];
  hours.forEach((hour, i) => {
    let y = PAD.top + plotHeight();
    for (const status of statuses) {
      const n = counts.get(hour)?.get(status) ?? 0;
      if (n === 0) continue;
      const h = (n / max) * plotHeight();
      y -= h;
      bars.push(
        `<rect class="bar" data-hour="${hour}" data-status="${esc(status)}" data-count="${n}" x="${fmt(PAD.left + i * slot)}" y="${fmt(y)}" width="${fmt(Math.max(1, slot - 1))}" height="${fmt(h)}" fill="${colour(status)}"><title>${hour}: ${n} ${esc(status)}</title></rect>`,
      );
    }
  });
  return svg('emails-per-hour', axes(max, hours), bars.join('')) + legend(statuses);
}

function capUse(tenant: TenantReport, hours: readonly string[]): string {
  const days = unique(hours.map((hour) => hour.slice(0, 8)));
  const sent = tenant.emails.filter((email) => email.status === 'sent');
  const perDay = new Map<string, number>();
  const perHour = new Map<string, number>();
  for (const email of sent) {
    const hour = hourKeyOf(email.at);
    perDay.set(hour.slice(0, 8), (perDay.get(hour.slice(0, 8)) ?? 0) + 1);
    perHour.set(hour, (perHour.get(hour) ?? 0) + 1);
  }
  const cap = tenant.caps?.perDay ?? Math.max(1, ...perDay.values());
  const slot = plotWidth() / Math.max(1, days.length);
  const bars = days.map((day, i) => {
    const used = perDay.get(day) ?? 0;
    const h = Math.min(1, used / cap) * plotHeight();
    const peak = Math.max(
      0,
      ...hours.filter((h) => h.startsWith(day)).map((h) => perHour.get(h) ?? 0),
    );
    return `<rect class="cap-day" data-day="${day}" data-used="${used}" data-cap="${cap}" data-peak-hour="${peak}" x="${fmt(PAD.left + i * slot)}" y="${fmt(PAD.top + plotHeight() - h)}" width="${fmt(Math.max(1, slot - 4))}" height="${fmt(h)}" fill="${colour('sent')}"><title>${day}: ${used} of ${cap} sent (${((used / cap) * 100).toFixed(1)}%), busiest hour ${peak} of ${tenant.caps?.perHour ?? '?'}</title></rect>
<text x="${fmt(PAD.left + i * slot)}" y="${HEIGHT - 8}">${day.slice(4, 6)}-${day.slice(6, 8)} ${used}/${cap}</text>`;
  });
  return svg(
    'cap-use',
    `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${PAD.top}" y2="${PAD.top}" stroke="#c62828" stroke-dasharray="4 3"/><text x="2" y="${PAD.top + 4}">cap</text>`,
    bars.join(''),
  );
}

function complianceChart(tenant: TenantReport): string {
  const points = tenant.complianceOverTime ?? [];
  if (points.length === 0) return '<p class="empty">no cycles ran</p>';
  const step = plotWidth() / Math.max(1, points.length - 1);
  const xy = points.map((point, i) => ({
    ...point,
    x: PAD.left + (points.length === 1 ? plotWidth() / 2 : i * step),
    y: PAD.top + (1 - point.complianceRate) * plotHeight(),
  }));
  const line = `<polyline fill="none" stroke="#1565c0" stroke-width="2" points="${xy.map((p) => `${fmt(p.x)},${fmt(p.y)}`).join(' ')}"/>`;
  const dots = xy
    .map(
      (p) =>
        `<circle class="compliance" data-hour="${p.hourKey}" data-rate="${p.complianceRate}" cx="${fmt(p.x)}" cy="${fmt(p.y)}" r="2.5" fill="#1565c0"><title>${p.hourKey}: ${(p.complianceRate * 100).toFixed(1)}%</title></circle>`,
    )
    .join('');
  const grid = [0, 0.5, 1]
    .map(
      (r) =>
        `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${fmt(PAD.top + (1 - r) * plotHeight())}" y2="${fmt(PAD.top + (1 - r) * plotHeight())}" stroke="#eee"/><text x="2" y="${fmt(PAD.top + (1 - r) * plotHeight() + 3)}">${r * 100}%</text>`,
    )
    .join('');
  return svg('compliance-over-time', grid, line + dots);
}

function violationsChart(tenant: TenantReport): string {
  return horizontalBars(
    'violations-by-type',
    countBy(tenant.violations.map((v) => v.type)),
    () => '#c62828',
    'no violations',
  );
}

function cycleOutcomes(tenant: TenantReport): string {
  const counts = countBy(
    tenant.cycles.map((c) => (c.reason ? `${c.status} (${c.reason})` : c.status)),
  );
  return horizontalBars(
    'cycle-outcomes',
    counts,
    (key) => colour(key.split(' ')[0]!),
    'no cycles ran',
  );
}

function cycleDurations(tenant: TenantReport, extras: HtmlExtras): string {
  const samples = tenant.cycles.flatMap((cycle) => {
    const ms = extras.cycleDurationsMs?.get(`${tenant.tenantId}-${cycle.hourKey}`);
    return ms === undefined ? [] : [{ hourKey: cycle.hourKey, status: cycle.status, ms }];
  });
  if (samples.length === 0) return '<p class="empty">no timings</p>';
  const max = Math.max(1, ...samples.map((s) => s.ms));
  const slot = plotWidth() / samples.length;
  const bars = samples
    .map((s, i) => {
      const h = (s.ms / max) * plotHeight();
      return `<rect class="duration" data-hour="${s.hourKey}" data-ms="${s.ms}" x="${fmt(PAD.left + i * slot)}" y="${fmt(PAD.top + plotHeight() - h)}" width="${fmt(Math.max(1, slot - 1))}" height="${fmt(h)}" fill="${colour(s.status)}"><title>${s.hourKey}: ${s.ms} ms (${s.status})</title></rect>`;
    })
    .join('');
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return `${svg('cycle-durations', `<text x="2" y="${PAD.top + 4}">${Math.round(max)} ms</text>`, bars)}<p>median ${median} ms, max ${Math.round(max)} ms over ${samples.length} cycle(s)</p>`;
}

function horizontalBars(
  name: string,
  counts: Record<string, number>,
  fill: (key: string) => string,
  empty: string,
): string {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (entries.length === 0) return `<p class="empty">${empty}</p>`;
  const max = Math.max(...entries.map(([, n]) => n));
  const row = 20;
  const labelWidth = 150;
  const height = entries.length * row + 4;
  const bars = entries
    .map(([key, n], i) => {
      const w = (n / max) * (WIDTH - labelWidth - 30);
      return `<text x="0" y="${i * row + 14}">${esc(key)}</text><rect class="bar" data-key="${esc(key)}" data-count="${n}" x="${labelWidth}" y="${i * row + 3}" width="${fmt(Math.max(1, w))}" height="${row - 6}" fill="${fill(key)}"><title>${esc(key)}: ${n}</title></rect><text x="${fmt(labelWidth + w + 4)}" y="${i * row + 14}">${n}</text>`;
    })
    .join('');
  return `<svg class="chart ${name}" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-label="${name}">${bars}</svg>`;
}

function svg(name: string, background: string, content: string): string {
  return `<svg class="chart ${name}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" role="img" aria-label="${name}">${background}${content}</svg>`;
}

function axes(max: number, hours: readonly string[]): string {
  const first = hours[0] ?? '';
  const last = hours.at(-1) ?? '';
  return `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${PAD.top + plotHeight()}" y2="${PAD.top + plotHeight()}" stroke="#999"/>
<text x="2" y="${PAD.top + 4}">${max}</text><text x="2" y="${PAD.top + plotHeight()}">0</text>
<text x="${PAD.left}" y="${HEIGHT - 6}">${label(first)}</text><text x="${WIDTH - PAD.right - 50}" y="${HEIGHT - 6}">${label(last)}</text>`;
}

function legend(statuses: readonly string[]): string {
  return `<div class="legend">${statuses.map((s) => `<span><i style="background:${colour(s)}"></i>${esc(s)}</span>`).join('')}</div>`;
}

function colour(status: string): string {
  const known = STATUS_COLOURS[status];
  if (known) return known;
  let hash = 0;
  for (const char of status) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return SPARE_COLOURS[hash % SPARE_COLOURS.length]!;
}

/** The `yyyyMMddHH` keys of every simulated hour. */
function hourKeys(start: string, hours: number): string[] {
  const first = Date.parse(start);
  return Array.from({ length: hours }, (_, i) =>
    hourKeyOf(new Date(first + i * 3_600_000).toISOString()),
  );
}

function hourKeyOf(iso: string): string {
  return iso.replace(/[-T:]/g, '').slice(0, 10);
}

function label(hourKey: string): string {
  return hourKey ? `${hourKey.slice(4, 6)}-${hourKey.slice(6, 8)} ${hourKey.slice(8, 10)}h` : '';
}

function plotWidth(): number {
  return WIDTH - PAD.left - PAD.right;
}

function plotHeight(): number {
  return HEIGHT - PAD.top - PAD.bottom;
}

function fmt(n: number): string {
  return String(Math.round(n * 10) / 10);
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
