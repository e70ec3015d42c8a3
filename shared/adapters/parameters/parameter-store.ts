import { readFile, rename, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  GetParameterCommand,
  ParameterNotFound,
  PutParameterCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';

/** A small string parameter store: SSM Parameter Store on AWS, a file locally. */
export interface ParameterStore {
  /** The parameter's value, or `undefined` when it does not exist. Other failures throw. */
  get(name: string): Promise<string | undefined>;
  put(name: string, value: string, description?: string): Promise<void>;
}

/** SSM Parameter Store. Reads are not cached: a flipped kill switch takes effect at the next read. */
export class SsmParameterStore implements ParameterStore {
  constructor(private readonly client: SSMClient) {}

  async get(name: string): Promise<string | undefined> {
    try {
      const result = await this.client.send(new GetParameterCommand({ Name: name }));
      return result.Parameter?.Value;
    } catch (error) {
      if (error instanceof ParameterNotFound) return undefined;
      throw error;
    }
  }

  async put(name: string, value: string, description?: string): Promise<void> {
    await this.client.send(
      new PutParameterCommand({
        Name: name,
        Value: value,
        Type: 'String',
        Overwrite: true,
        ...(description ? { Description: description } : {}),
      }),
    );
  }
}

/**
 * A JSON file of name → value, standing in for SSM on a local data dir. Writes go through a
 * temporary file and a rename so a reader never sees half a file.
 */
export class FileParameterStore implements ParameterStore {
  constructor(private readonly path: string) {}

  async get(name: string): Promise<string | undefined> {
    return (await this.readAll())[name];
  }

  async put(name: string, value: string): Promise<void> {
    const all = await this.readAll();
    all[name] = value;
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(all, null, 2)}\n`);
    await rename(temporary, this.path);
  }

  private async readAll(): Promise<Record<string, string>> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error(`${this.path} is not a JSON object of parameters`);
    }
    return parsed as Record<string, string>;
  }
}

/** An in-memory store for tests and one-off simulations. */
export class MemoryParameterStore implements ParameterStore {
  private readonly values = new Map<string, string>();

  constructor(initial: Record<string, string> = {}) {
    for (const [name, value] of Object.entries(initial)) this.values.set(name, value);
  }

  async get(name: string): Promise<string | undefined> {
    return this.values.get(name);
  }

  async put(name: string, value: string): Promise<void> {
    this.values.set(name, value);
  }
}
