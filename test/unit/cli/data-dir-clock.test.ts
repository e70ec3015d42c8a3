import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DATA_DIR_CLOCK_FILE,
  DataDirClock,
  openDataDirClock,
  readDataDirTime,
  recordDataDirTime,
} from '../../../infra/local/data-dir-clock.js';

describe('Local: the data dir’s virtual clock', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'data-dir-clock-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('has no time until a simulation records one, so commands fall back to the wall clock', async () => {
    expect(await readDataDirTime(dir)).toBeUndefined();
    expect(await openDataDirClock(dir)).toBeUndefined();
  });

  it('keeps the latest instant a simulation reached and never runs backwards', async () => {
    await recordDataDirTime(dir, new Date('2026-01-09T12:00:00Z'));
    await recordDataDirTime(dir, new Date('2026-01-08T08:00:00Z'));
    expect((await readDataDirTime(dir))?.toISOString()).toBe('2026-01-09T12:00:00.000Z');

    await recordDataDirTime(dir, new Date('2026-01-10T00:00:00Z'));
    expect((await readDataDirTime(dir))?.toISOString()).toBe('2026-01-10T00:00:00.000Z');
  });

  it('moves on from the virtual instant with the wall clock, so one command’s decisions stay ordered', () => {
    let wall = 1_000;
    const clock = new DataDirClock(new Date('2026-01-09T12:00:00Z'), () => wall);
    expect(clock.now().toISOString()).toBe('2026-01-09T12:00:00.000Z');
    wall += 2_500;
    expect(clock.now().toISOString()).toBe('2026-01-09T12:00:02.500Z');
  });

  it('names the file and the field when the recorded time is unreadable', async () => {
    await writeFile(join(dir, DATA_DIR_CLOCK_FILE), 'not json');
    await expect(readDataDirTime(dir)).rejects.toThrow(`${DATA_DIR_CLOCK_FILE}: is not JSON`);

    await writeFile(join(dir, DATA_DIR_CLOCK_FILE), JSON.stringify({ virtualNow: 'soon' }));
    await expect(readDataDirTime(dir)).rejects.toThrow(
      `${DATA_DIR_CLOCK_FILE} virtualNow: expected an ISO-8601 instant`,
    );
  });
});
