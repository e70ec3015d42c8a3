import { METRIC_NAMES } from '../../shared/observability/metric-names.js';
import type { HourProgress, SimulationPhase } from '../local/simulator.js';

/** Longest stretch without a line on a non-terminal stderr. */
const SILENCE_LIMIT_MS = 10_000;

/** Emails handled so far by outcome, from the simulation's metric tally (`EmailSends{outcome=…}`). */
export function emailsByOutcome(metrics: ReadonlyMap<string, number>): Record<string, number> {
  const counts: Record<string, number> = {};
  const prefix = `${METRIC_NAMES.emailSends}{`;
  for (const [key, value] of metrics) {
    if (key === METRIC_NAMES.emailSends) counts['all'] = (counts['all'] ?? 0) + value;
    if (!key.startsWith(prefix)) continue;
    const outcome = /outcome=([^,}]+)/.exec(key)?.[1] ?? 'other';
    counts[outcome] = (counts[outcome] ?? 0) + value;
  }
  return counts;
}

/** `1h02m`, `3m05s`, `42s`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/**
 * One progress line: hour k/N, the simulated instant, emails so far by outcome, failed cycle
 * executions, and the ETA from the average wall time per hour so far.
 */
export function formatProgressLine(progress: HourProgress, elapsedMs: number): string {
  const emails = emailsByOutcome(progress.metrics);
  const total = Object.values(emails).reduce((sum, n) => sum + n, 0);
  const detail = Object.entries(emails)
    .map(([outcome, n]) => `${outcome} ${n}`)
    .join(', ');
  const remaining = progress.hours - progress.hour;
  const eta = progress.hour > 0 ? (elapsedMs / progress.hour) * remaining : 0;
  const width = String(progress.hours).length;
  return [
    `hour ${String(progress.hour).padStart(width)}/${progress.hours}`,
    progress.at.toISOString().slice(0, 13) + 'h',
    `emails ${total}${detail ? ` (${detail})` : ''}`,
    `failures ${progress.failedExecutions}`,
    remaining > 0 ? `ETA ${formatDuration(eta)}` : `took ${formatDuration(elapsedMs)}`,
  ].join('  ');
}

/**
 * Simulation progress on stderr. On a terminal: one line, redrawn every hour and every second.
 * Otherwise: a line per set-up step, per simulated day and at the end, plus a "still running"
 * line whenever 10 s pass without one. stdout is never touched.
 */
export class SimulationProgress {
  private readonly started = Date.now();
  private lastLineAt = Date.now();
  private current = 'starting';
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly err: NodeJS.WritableStream,
    private readonly tty: boolean,
  ) {
    this.timer = setInterval(() => this.tick(), 1000);
    this.timer.unref();
  }

  /** A set-up or wrap-up step began. */
  phase(phase: SimulationPhase): void {
    this.current = `${phase}…`;
    if (this.tty) this.redraw();
    else this.line(`agentctl simulate: ${this.current}`);
  }

  /** A simulated hour finished. */
  hour(progress: HourProgress): void {
    this.current = formatProgressLine(progress, Date.now() - this.started);
    if (this.tty) this.redraw();
    else if (progress.hour % 24 === 0 || progress.hour === progress.hours)
      this.line(
        `day ${Math.ceil(progress.hour / 24)}/${Math.ceil(progress.hours / 24)}: ${this.current}`,
      );
  }

  /** Stops the timer and leaves the terminal on a fresh line. */
  done(): void {
    clearInterval(this.timer);
    if (this.tty) this.err.write('\n');
  }

  private tick(): void {
    if (this.tty) this.redraw();
    else if (Date.now() - this.lastLineAt >= SILENCE_LIMIT_MS)
      this.line(`still running (${formatDuration(Date.now() - this.started)}): ${this.current}`);
  }

  private redraw(): void {
    this.err.write(`\r\x1b[2K[${formatDuration(Date.now() - this.started)}] ${this.current}`);
  }

  private line(text: string): void {
    this.lastLineAt = Date.now();
    this.err.write(`${text}\n`);
  }
}
