import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../infra/cli/main.js';
import type { SimulationReport } from '../../infra/local/report.js';

const DEMO = 'events/demo/demo.json';

/** The Debian chromium binary (.ci/run installs it); the test fails, never skips, without it. */
function chromiumPath(): string {
  return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

describe('Report page: agentctl simulate --html in headless Chromium', () => {
  let dir: string;
  let report: SimulationReport;
  let html: string;
  let browser: Browser;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'agent-html-'));
    const out: string[] = [];
    const sink = { write: (text: string) => out.push(text) } as never;
    const code = await main(
      ['simulate', '--fixture', DEMO, '--hours', '3', '--json', '--html', join(dir, 'r.html')],
      sink,
      { write: () => true } as never,
    );
    expect(code).toBe(0);
    report = JSON.parse(out.join('')) as SimulationReport;
    html = await readFile(join(dir, 'r.html'), 'utf8');
    browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is one self-contained file: no script, no external reference, no request but itself', async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    const url = pathToFileURL(join(dir, 'r.html')).href;

    await page.goto(url);

    expect(requests).toEqual([url]);
    expect(html).not.toMatch(/<script|<link|https?:\/\/|src=/i);
    await page.close();
  });

  it('draws for every tenant the numbers of the report: emails by status, caps, compliance, violations, cycles', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(pathToFileURL(join(dir, 'r.html')).href);

    expect(report.tenants.some((t) => t.emails.length > 0)).toBe(true);
    expect(report.tenants.some((t) => t.violations.length > 0)).toBe(true);
    for (const tenant of report.tenants) {
      const section = page.locator(`section[data-tenant="${tenant.tenantId}"]`);
      await expect(section.isVisible()).resolves.toBe(true);
      const read = (selector: string, attributes: string[]) =>
        section
          .locator(selector)
          .evaluateAll(
            (nodes, names) => nodes.map((node) => names.map((n) => node.getAttribute(n) ?? '')),
            attributes,
          );

      const emailBars = await read('svg.emails-per-hour rect.bar', ['data-status', 'data-count']);
      const drawnByStatus: Record<string, number> = {};
      for (const [status, count] of emailBars)
        drawnByStatus[status!] = (drawnByStatus[status!] ?? 0) + Number(count);
      expect(drawnByStatus).toEqual(countBy(tenant.emails.map((e) => e.status)));

      const capDays = await read('svg.cap-use rect.cap-day', ['data-used', 'data-cap']);
      expect(capDays.reduce((sum, [used]) => sum + Number(used), 0)).toBe(
        tenant.emails.filter((e) => e.status === 'sent').length,
      );
      expect(capDays.every(([, cap]) => Number(cap) === tenant.caps.perDay)).toBe(true);

      const compliance = await read('svg.compliance-over-time circle', ['data-hour', 'data-rate']);
      expect(
        compliance.map(([hourKey, rate]) => ({ hourKey, complianceRate: Number(rate) })),
      ).toEqual(tenant.complianceOverTime);

      const violations = await read('svg.violations-by-type rect.bar', ['data-key', 'data-count']);
      expect(Object.fromEntries(violations.map(([k, n]) => [k, Number(n)]))).toEqual(
        countBy(tenant.violations.map((v) => v.type)),
      );

      const outcomes = await read('svg.cycle-outcomes rect.bar', ['data-key', 'data-count']);
      expect(Object.fromEntries(outcomes.map(([k, n]) => [k, Number(n)]))).toEqual(
        countBy(tenant.cycles.map((c) => (c.reason ? `${c.status} (${c.reason})` : c.status))),
      );

      const durations = await read('svg.cycle-durations rect.duration', ['data-hour', 'data-ms']);
      // An hour skipped as idle started no execution, so it has no duration to draw.
      expect(durations.map(([hour]) => hour)).toEqual(
        tenant.cycles.filter((c) => c.executionStarted !== false).map((c) => c.hourKey),
      );
      expect(durations.every(([, ms]) => Number(ms) > 0)).toBe(true);

      if (!tenant.agentEnabled)
        await expect(section.locator('.badge').textContent()).resolves.toBe('agent disabled');
    }
    await page.close();
  });
});
