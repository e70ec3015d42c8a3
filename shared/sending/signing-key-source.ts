import { readFile } from 'node:fs/promises';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from '../errors.js';
import { registerSecret } from '../observability/redaction.js';
import { SigningKey } from './unsubscribe-token.js';

/** Environment variables the unsubscribe signing key is read from, in order of preference. */
export const SIGNING_KEY_VARIABLES = {
  /** AWS: the Secrets Manager secret (ARN or name) holding the key. */
  secretArn: 'UNSUBSCRIBE_SIGNING_SECRET_ARN',
  /** Local: a file holding the key (e.g. in the simulator's data dir). */
  file: 'UNSUBSCRIBE_SIGNING_SECRET_FILE',
  /** Local/tests: the key itself. Its name matches the log redactor's secret pattern. */
  value: 'UNSUBSCRIBE_SIGNING_SECRET',
} as const;

/**
 * Loads the unsubscribe signing key: from Secrets Manager when `UNSUBSCRIBE_SIGNING_SECRET_ARN`
 * is set (a plain string, or JSON with a `key` field), else from the file named by
 * `UNSUBSCRIBE_SIGNING_SECRET_FILE`, else from `UNSUBSCRIBE_SIGNING_SECRET`. The key text is
 * registered with the log redactor before anything else can see it. Call once per cold start.
 *
 * @example
 * const key = await loadSigningKey(process.env, { secrets: new SecretsManagerClient({}) });
 */
export async function loadSigningKey(
  env: Record<string, string | undefined>,
  deps: { readonly secrets?: Pick<SecretsManagerClient, 'send'> } = {},
): Promise<SigningKey> {
  const secretId = env[SIGNING_KEY_VARIABLES.secretArn];
  const file = env[SIGNING_KEY_VARIABLES.file];
  const value = env[SIGNING_KEY_VARIABLES.value];
  let text: string;
  let source: string;
  if (secretId) {
    if (!deps.secrets)
      throw new ConfigError(SIGNING_KEY_VARIABLES.secretArn, 'no Secrets Manager client');
    const result = await deps.secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (!result.SecretString)
      throw new ConfigError(SIGNING_KEY_VARIABLES.secretArn, 'the secret has no string value');
    text = keyFromSecretString(result.SecretString);
    source = SIGNING_KEY_VARIABLES.secretArn;
  } else if (file) {
    text = (await readFile(file, 'utf8')).trim();
    source = SIGNING_KEY_VARIABLES.file;
  } else if (value) {
    text = value;
    source = SIGNING_KEY_VARIABLES.value;
  } else {
    throw new ConfigError(
      SIGNING_KEY_VARIABLES.secretArn,
      `is required (or ${SIGNING_KEY_VARIABLES.file} / ${SIGNING_KEY_VARIABLES.value} locally)`,
    );
  }
  registerSecret(text);
  try {
    return SigningKey.fromText(text);
  } catch {
    throw new ConfigError(source, 'the signing key must be at least 32 bytes');
  }
}

function keyFromSecretString(secret: string): string {
  const trimmed = secret.trim();
  if (!trimmed.startsWith('{')) return trimmed;
  try {
    const parsed = JSON.parse(trimmed) as Record<string, unknown>;
    const key = parsed['key'] ?? parsed['signingKey'];
    if (typeof key === 'string') return key;
  } catch {
    // not JSON after all: use the text as the key
  }
  return trimmed;
}
