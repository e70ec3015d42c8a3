import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * A JSON object kept in one local file: the file-backed stand-in for SSM and Secrets Manager on a
 * local data dir. Writes go through a temporary file and a rename, so a reader never sees half a
 * file; `mode` (e.g. 0o600 for secrets) is applied before the rename.
 */
export class JsonObjectFile {
  constructor(
    readonly path: string,
    private readonly options: { mode?: number; describe?: string } = {},
  ) {}

  /** The file's object; empty when the file does not exist. Invalid content throws without echoing it. */
  async read(): Promise<Record<string, unknown>> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`${this.path} is not valid JSON`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error(`${this.path} is not a JSON object of ${this.options.describe ?? 'values'}`);
    }
    return parsed as Record<string, unknown>;
  }

  /** Sets one entry and writes the file atomically. */
  async set(name: string, value: unknown): Promise<void> {
    const all = await this.read();
    all[name] = value;
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(
      temporary,
      `${JSON.stringify(all, null, 2)}\n`,
      this.options.mode ? { mode: this.options.mode } : {},
    );
    if (this.options.mode) await chmod(temporary, this.options.mode);
    await rename(temporary, this.path);
  }
}
