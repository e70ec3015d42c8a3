import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ValidationError } from '../../shared/errors.js';

/** What a `--data-dir` / `--local` path holds now. */
export type DataDirState = 'absent' | 'empty' | 'data-dir' | 'other';

/** The entry `startLocalStack({ dataDir })` writes first; its presence marks a data dir. */
const MARKER = 'dynamodb';

/** Classifies `dir` without changing anything: absent, an empty directory, a data dir, or other. */
export async function inspectDataDir(dir: string): Promise<DataDirState> {
  const info = await stat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (!info) return 'absent';
  if (!info.isDirectory()) return 'other';
  const entries = await readdir(dir);
  if (entries.length === 0) return 'empty';
  const marker = await stat(join(dir, MARKER)).catch(() => undefined);
  return marker?.isDirectory() ? 'data-dir' : 'other';
}

/**
 * Fails with a {@link ValidationError} on `field` unless `dir` is a data dir written by
 * `agentctl simulate --data-dir`; creates nothing.
 */
export async function requireDataDir(dir: string, field = '--local'): Promise<void> {
  const state = await inspectDataDir(dir);
  if (state === 'data-dir') return;
  const fix = `write one with "agentctl simulate --fixture FILE --data-dir ${dir}"`;
  if (state === 'absent') throw new ValidationError(field, `${dir} does not exist; ${fix}`);
  throw new ValidationError(
    field,
    `${dir} is not an agentctl data dir (no ${MARKER}/ inside); ${fix}`,
  );
}
