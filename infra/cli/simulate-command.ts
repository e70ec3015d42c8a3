import { stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ValidationError } from '../../shared/errors.js';
import { recordDataDirTime } from '../local/data-dir-clock.js';
import { loadFixture } from '../local/fixture.js';
import { runSimulation } from '../local/simulator.js';
import { inspectDataDir } from './data-dir.js';
import { formatReport } from './format-report.js';
import { renderHtmlReport } from './html-report.js';
import type { CommandIo, SimulateCliOptions } from './main.js';
import { SimulationProgress } from './progress.js';

/**
 * `agentctl simulate`: checks every path before starting anything (exit 2 naming the flag), runs
 * the simulation with progress on stderr, prints the report on stdout and writes `--html`.
 */
export async function runSimulateCommand(
  options: SimulateCliOptions,
  io: CommandIo,
): Promise<number> {
  await requireFile(options.fixture, '--fixture');
  if (options.html !== undefined) await requireWritableTarget(options.html, '--html');
  if (options.dataDir !== undefined) {
    const state = await inspectDataDir(options.dataDir);
    if (state === 'other')
      throw new ValidationError(
        '--data-dir',
        `${options.dataDir} exists and is not an agentctl data dir; pass a new or empty directory`,
      );
    if (state === 'data-dir')
      io.err.write(
        `note: --data-dir ${options.dataDir} already holds a simulation; its table is reused and this run adds to it (remove the directory for a fresh start)\n`,
      );
  }
  const fixture = await loadFixture(options.fixture);
  const progress = options.progress ? new SimulationProgress(io.err, io.tty) : undefined;
  const cycleDurationsMs = new Map<string, number>();
  let report;
  try {
    report = await runSimulation({
      fixture,
      ...(options.hours !== undefined ? { hours: options.hours } : {}),
      ...(options.start ? { start: options.start } : {}),
      ...(options.sendMode ? { sendMode: options.sendMode } : {}),
      ...(options.llm ? { llm: options.llm } : {}),
      ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
      onExecution: (execution) =>
        cycleDurationsMs.set(execution.executionName, execution.durationMs),
      ...(progress
        ? { onHour: (p) => progress.hour(p), onPhase: (phase) => progress.phase(phase) }
        : {}),
    });
  } finally {
    progress?.done();
  }
  if (options.dataDir !== undefined)
    await recordDataDirTime(options.dataDir, new Date(report.simulation.end));
  const dataDir = options.dataDir !== undefined ? resolve(options.dataDir) : undefined;
  if (options.html !== undefined) {
    await writeFile(options.html, renderHtmlReport(report, { cycleDurationsMs }), 'utf8');
    io.err.write(`wrote ${resolve(options.html)}\n`);
  }
  io.out.write(
    options.json
      ? `${JSON.stringify(report, null, 2)}\n`
      : `\n${formatReport(report, dataDir ? { dataDir } : {})}\n`,
  );
  return 0;
}

async function requireFile(path: string, field: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new ValidationError(field, `${path} does not exist`);
  if (!info.isFile()) throw new ValidationError(field, `${path} is not a file (a directory?)`);
}

async function requireWritableTarget(path: string, field: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (info?.isDirectory()) throw new ValidationError(field, `${path} is a directory; name a file`);
  const parent = await stat(dirname(resolve(path))).catch(() => undefined);
  if (!parent?.isDirectory())
    throw new ValidationError(field, `the directory of ${path} does not exist`);
}
