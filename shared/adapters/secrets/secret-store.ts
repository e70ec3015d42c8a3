import { JsonObjectFile } from '../json-object-file.js';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { ParameterNotFoundError } from '@aws-lambda-powertools/parameters/errors';
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';

/**
 * A store of JSON secrets by name: Secrets Manager on AWS, a 0600 file locally. Values are never
 * logged by the stores; callers must not log them either.
 */
export interface SecretStore {
  /** The secret's JSON value, or `undefined` when the secret does not exist. Other failures throw. */
  getJson(name: string): Promise<unknown>;
  /** Creates the secret or stores a new version of it. */
  putJson(name: string, value: unknown, description?: string): Promise<void>;
}

/** Options of {@link SecretsManagerSecretStore}. */
export interface SecretsManagerSecretStoreOptions {
  /**
   * How long a read secret is reused by this instance (Powertools Parameters cache); a missing
   * secret or a failed read is never cached. `0` reads every time. @default 0
   */
  readonly maxAgeSeconds?: number;
}

/** Secrets Manager through Powertools Parameters (`SecretsProvider`, with its cache TTL). */
export class SecretsManagerSecretStore implements SecretStore {
  private readonly provider: SecretsProvider;
  private readonly maxAgeSeconds: number;

  constructor(
    private readonly client: SecretsManagerClient,
    options: SecretsManagerSecretStoreOptions = {},
  ) {
    this.provider = new SecretsProvider({ awsSdkV3Client: client });
    this.maxAgeSeconds = options.maxAgeSeconds ?? 0;
  }

  async getJson(name: string): Promise<unknown> {
    let text: string | Uint8Array;
    try {
      text = await this.provider.get(name, {
        maxAge: this.maxAgeSeconds,
        forceFetch: this.maxAgeSeconds === 0,
        throwOnMissing: true,
      });
    } catch (error) {
      if (error instanceof ParameterNotFoundError) return undefined;
      throw error;
    }
    return typeof text === 'string' ? parseJson(name, text) : undefined;
  }

  async putJson(name: string, value: unknown, description?: string): Promise<void> {
    const secretString = JSON.stringify(value);
    try {
      await this.client.send(
        new PutSecretValueCommand({ SecretId: name, SecretString: secretString }),
      );
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
      await this.client.send(
        new CreateSecretCommand({
          Name: name,
          SecretString: secretString,
          ...(description ? { Description: description } : {}),
        }),
      );
    }
    this.provider.clearCache();
  }
}

/** A JSON file of name → value with mode 0600, standing in for Secrets Manager on a local data dir. */
export class FileSecretStore implements SecretStore {
  private readonly file: JsonObjectFile;

  constructor(path: string) {
    this.file = new JsonObjectFile(path, { mode: 0o600, describe: 'secrets' });
  }

  async getJson(name: string): Promise<unknown> {
    return (await this.file.read())[name];
  }

  async putJson(name: string, value: unknown): Promise<void> {
    await this.file.set(name, value);
  }
}

/** An in-memory store for tests and simulations. */
export class MemorySecretStore implements SecretStore {
  private readonly values = new Map<string, string>();

  constructor(initial: Record<string, unknown> = {}) {
    for (const [name, value] of Object.entries(initial))
      this.values.set(name, JSON.stringify(value));
  }

  async getJson(name: string): Promise<unknown> {
    const text = this.values.get(name);
    return text === undefined ? undefined : (JSON.parse(text) as unknown);
  }

  async putJson(name: string, value: unknown): Promise<void> {
    this.values.set(name, JSON.stringify(value));
  }
}

function parseJson(source: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // The message names the secret, never its content.
    throw new Error(`secret ${source} is not valid JSON`);
  }
}
