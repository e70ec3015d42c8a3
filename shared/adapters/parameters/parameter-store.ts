import { JsonObjectFile } from '../json-object-file.js';
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

/** A JSON file of name → value, standing in for SSM on a local data dir. */
export class FileParameterStore implements ParameterStore {
  private readonly file: JsonObjectFile;

  constructor(path: string) {
    this.file = new JsonObjectFile(path, { describe: 'parameters' });
  }

  async get(name: string): Promise<string | undefined> {
    const value = (await this.file.read())[name];
    return typeof value === 'string' ? value : undefined;
  }

  async put(name: string, value: string): Promise<void> {
    await this.file.set(name, value);
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
