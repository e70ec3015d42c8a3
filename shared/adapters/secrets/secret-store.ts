import { JsonObjectFile } from '../json-object-file.js';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
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

/** Secrets Manager; each `getJson` is one GetSecretValue call (callers cache). */
export class SecretsManagerSecretStore implements SecretStore {
  constructor(private readonly client: SecretsManagerClient) {}

  async getJson(name: string): Promise<unknown> {
    try {
      const result = await this.client.send(new GetSecretValueCommand({ SecretId: name }));
      return result.SecretString === undefined ? undefined : parseJson(name, result.SecretString);
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
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
