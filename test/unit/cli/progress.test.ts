import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  emailsByOutcome,
  formatDuration,
  formatProgressLine,
  SimulationProgress,
} from '../../../infra/cli/progress.js';
import type { HourProgress } from '../../../infra/local/simulator.js';

function hour(n: number, hours: number, metrics: [string, number][] = []): HourProgress {
  return {
    hour: n,
    hours,
    at: new Date(Date.UTC(2026, 0, 5, 8 + n - 1)),
    started: 2,
    alreadyStarted: 0,
    failedExecutions: 1,
    metrics: new Map(metrics),
  };
}

function sink() {
  const writes: string[] = [];
  return { writes, stream: { write: (text: string) => writes.push(text) } as never };
}

describe('CLI: simulation progress', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-01-05T08:00:00Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('counts emails by outcome from the EmailSends metric and ignores other metrics', () => {
    expect(
      emailsByOutcome(
        new Map([
          ['EmailSends{outcome=sent}', 3],
          ['EmailSends{outcome=dry_run,tenant=a}', 2],
          ['CyclesStarted', 9],
        ]),
      ),
    ).toEqual({ sent: 3, dry_run: 2 });
  });

  it('says hour k/N, emails so far, failures and an ETA from the wall time per hour', () => {
    const line = formatProgressLine(hour(6, 24, [['EmailSends{outcome=sent}', 4]]), 30_000);

    expect(line).toBe('hour  6/24  2026-01-05T13h  emails 4 (sent 4)  failures 1  ETA 1m30s');
  });

  it('formats durations as seconds, minutes or hours', () => {
    expect([formatDuration(4_200), formatDuration(185_000), formatDuration(3_725_000)]).toEqual([
      '4s',
      '3m05s',
      '1h02m',
    ]);
  });

  it('prints one line per simulated day off a terminal, and a line after 10 s of silence', () => {
    const { writes, stream } = sink();
    const progress = new SimulationProgress(stream, false);

    for (let n = 1; n <= 30; n += 1) progress.hour(hour(n, 48));
    vi.advanceTimersByTime(10_500);
    progress.done();

    expect(writes).toHaveLength(2);
    expect(writes[0]).toMatch(/^day 1\/2: hour 24\/48 /);
    expect(writes[1]).toMatch(/^still running \(10s\): hour 30\/48 /);
  });

  it('redraws a single line on a terminal and ends it with a newline', () => {
    const { writes, stream } = sink();
    const progress = new SimulationProgress(stream, true);

    progress.phase('seeding');
    progress.hour(hour(1, 2));
    progress.done();

    expect(writes.slice(0, 2).every((text) => text.startsWith('\r\x1b[2K'))).toBe(true);
    expect(writes.join('').split('\n')).toHaveLength(2);
    expect(writes.at(-1)).toBe('\n');
  });
});
