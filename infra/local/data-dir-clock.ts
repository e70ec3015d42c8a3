import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../shared/clock.js';
import { ConfigError } from '../../shared/errors.js';

/** The file in a data dir that holds the virtual instant its last simulation reached. */
export const DATA_DIR_CLOCK_FILE = 'virtual-clock.json';

interface DataDirClockFile {
  /** The latest virtual instant a simulation on this data dir reached (ISO-8601). */
  readonly virtualNow: string;
}

/**
 * Records that a simulation on `dataDir` reached `virtualNow`; an earlier instant than the one
 * already recorded leaves the file unchanged, so the data dir's time never runs backwards.
 */
export async function recordDataDirTime(dataDir: string, virtualNow: Date): Promise<void> {
  const recorded = await readDataDirTime(dataDir);
  if (recorded && recorded.getTime() >= virtualNow.getTime()) return;
  const content: DataDirClockFile = { virtualNow: virtualNow.toISOString() };
  await writeFile(join(dataDir, DATA_DIR_CLOCK_FILE), `${JSON.stringify(content)}\n`, 'utf8');
}

/**
 * The virtual instant the last simulation on `dataDir` reached, or undefined when none recorded
 * one (a data dir written before this file existed). A malformed file is a {@link ConfigError}
 * naming it.
 */
export async function readDataDirTime(dataDir: string): Promise<Date | undefined> {
  const path = join(dataDir, DATA_DIR_CLOCK_FILE);
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError(path, 'is not JSON; remove it or re-run agentctl simulate');
  }
  const value = (parsed as Partial<DataDirClockFile> | null)?.virtualNow;
  const instant = typeof value === 'string' ? new Date(value) : undefined;
  if (!instant || Number.isNaN(instant.getTime()))
    throw new ConfigError(`${path} virtualNow`, 'expected an ISO-8601 instant');
  return instant;
}

/**
 * The clock local operator commands decide by: the data dir's virtual time, moving forward with
 * the wall clock from the moment it was opened (so two decisions of one command stay ordered).
 */
export class DataDirClock implements Clock {
  private readonly openedAtMs: number;

  constructor(
    private readonly virtualNow: Date,
    private readonly wallMs: () => number = Date.now,
  ) {
    this.openedAtMs = wallMs();
  }

  now(): Date {
    return new Date(this.virtualNow.getTime() + (this.wallMs() - this.openedAtMs));
  }
}

/** The {@link DataDirClock} of `dataDir`, or undefined when no simulation recorded its time. */
export async function openDataDirClock(dataDir: string): Promise<Clock | undefined> {
  const virtualNow = await readDataDirTime(dataDir);
  return virtualNow ? new DataDirClock(virtualNow) : undefined;
}
