import { readFile } from 'node:fs/promises';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { ConfigError } from '../errors.js';
import { registerSecret } from '../observability/redaction.js';
import { DEFAULT_KEY_ID, SigningKey, SigningKeyRing } from './unsubscribe-token.js';

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
 * Loads the unsubscribe signing keys: from Secrets Manager when `UNSUBSCRIBE_SIGNING_SECRET_ARN`
 * is set, else from the file named by `UNSUBSCRIBE_SIGNING_SECRET_FILE`, else from
 * `UNSUBSCRIBE_SIGNING_SECRET`. The secret is either one key (a plain string, or JSON with a `key`
 * field; its id is `k0`) or, to rotate, JSON naming the current key and every key still accepted:
 * `{"current":"k1","keys":{"k0":"<old>","k1":"<new>"}}` (drop `k0` once its links have expired,
 * 90 days after `k1` became current). Every key text is registered with the log redactor before
 * anything else can see it. Call once per cold start.
 *
 * @example
 * const keys = await loadSigningKeys(process.env, { secrets: new SecretsManagerClient({}) });
 */
export async function loadSigningKeys(
  env: Record<string, string | undefined>,
  deps: { readonly secrets?: SecretsManagerClient } = {},
): Promise<SigningKeyRing> {
  const secretId = env[SIGNING_KEY_VARIABLES.secretArn];
  const file = env[SIGNING_KEY_VARIABLES.file];
  const value = env[SIGNING_KEY_VARIABLES.value];
  let text: string;
  let source: string;
  if (secretId) {
    if (!deps.secrets)
      throw new ConfigError(SIGNING_KEY_VARIABLES.secretArn, 'no Secrets Manager client');
    const secret = await new SecretsProvider({ awsSdkV3Client: deps.secrets }).get(secretId);
    if (typeof secret !== 'string' || secret.length === 0)
      throw new ConfigError(SIGNING_KEY_VARIABLES.secretArn, 'the secret has no string value');
    text = secret;
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
  const layout = keysFromSecretString(text, source);
  for (const key of Object.values(layout.keys)) registerSecret(key);
  const build = (id: string, keyText: string) => {
    try {
      return SigningKey.fromText(keyText, id);
    } catch {
      throw new ConfigError(
        source,
        `signing key ${id} is not usable (id: 1-32 letters, digits, _ or -; key: at least 32 bytes)`,
      );
    }
  };
  const currentText = layout.keys[layout.current];
  if (currentText === undefined)
    throw new ConfigError(source, `the current key id ${layout.current} is not among the keys`);
  return new SigningKeyRing(
    build(layout.current, currentText),
    Object.entries(layout.keys)
      .filter(([id]) => id !== layout.current)
      .map(([id, keyText]) => build(id, keyText)),
  );
}

/**
 * The key new unsubscribe tokens are signed with (the current key of {@link loadSigningKeys});
 * what the sender needs.
 */
export async function loadSigningKey(
  env: Record<string, string | undefined>,
  deps: { readonly secrets?: SecretsManagerClient } = {},
): Promise<SigningKey> {
  return (await loadSigningKeys(env, deps)).current;
}

function keysFromSecretString(
  secret: string,
  source: string,
): { current: string; keys: Record<string, string> } {
  const trimmed = secret.trim();
  if (!trimmed.startsWith('{'))
    return { current: DEFAULT_KEY_ID, keys: { [DEFAULT_KEY_ID]: trimmed } };
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(trimmed) as Record<string, unknown>;
  } catch {
    // not JSON after all: use the text as the key
    return { current: DEFAULT_KEY_ID, keys: { [DEFAULT_KEY_ID]: trimmed } };
  }
  const single = parsed['key'] ?? parsed['signingKey'];
  if (typeof single === 'string')
    return { current: DEFAULT_KEY_ID, keys: { [DEFAULT_KEY_ID]: single } };
  const { current, keys } = parsed;
  if (typeof current !== 'string' || keys === null || typeof keys !== 'object')
    throw new ConfigError(source, 'expected a key, or JSON with "current" and "keys"');
  const texts: Record<string, string> = {};
  for (const [id, keyText] of Object.entries(keys as Record<string, unknown>)) {
    if (typeof keyText !== 'string') throw new ConfigError(source, `key ${id} must be a string`);
    texts[id] = keyText;
  }
  return { current, keys: texts };
}
