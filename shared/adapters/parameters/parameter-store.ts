import { JsonObjectFile } from '../json-object-file.js';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { ParameterNotFoundError } from '@aws-lambda-powertools/parameters/errors';

/** A small string parameter store: SSM Parameter Store on AWS, a file locally. */
export interface ParameterStore {
  /** The parameter's value, or `undefined` when it does not exist. Other failures throw. */
  get(name: string): Promise<string | undefined>;
  put(name: string, value: string, description?: string): Promise<void>;
}

/** Options of {@link SsmParameterStore}. */
export interface SsmParameterStoreOptions {
  /**
   * How long a read value is reused by this instance (Powertools Parameters cache). A flip takes
   * effect within this time; a missing parameter or a failed read is never cached. `0` reads
   * SSM every time (the operator CLI). @default 0
   */
  readonly maxAgeSeconds?: number;
}

/** SSM Parameter Store through Powertools Parameters (`SSMProvider`, with its cache TTL). */
export class SsmParameterStore implements ParameterStore {
  private readonly provider: SSMProvider;
  private readonly maxAgeSeconds: number;

  constructor(client: SSMClient, options: SsmParameterStoreOptions = {}) {
    this.provider = new SSMProvider({ awsSdkV3Client: client });
    this.maxAgeSeconds = options.maxAgeSeconds ?? 0;
  }

  async get(name: string): Promise<string | undefined> {
    try {
      return await this.provider.get(name, {
        maxAge: this.maxAgeSeconds,
        forceFetch: this.maxAgeSeconds === 0,
        throwOnMissing: true,
      });
    } catch (error) {
      if (error instanceof ParameterNotFoundError) return undefined;
      throw error;
    }
  }

  async put(name: string, value: string, description?: string): Promise<void> {
    await this.provider.set(name, {
      value,
      overwrite: true,
      ...(description ? { description } : {}),
    });
    this.provider.clearCache();
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
