/**
 * Secret redaction for everything the agent prints: log lines (through the Powertools logger's
 * JSON replacer, see {@link createRedactingReplacer}) and operator output (`agentctl`).
 *
 * Three layers, so one miss does not leak:
 * 1. **Keys**: a value under a secret-looking key (`password`, `clientSecret`, `refresh_token`,
 *    `Authorization`, `apiKey` …) is replaced whole, however deep it sits.
 * 2. **Known values**: secret values this process holds — environment variables with secret-looking
 *    names (e.g. `GMAIL_CLIENT_SECRET`, `AWS_SESSION_TOKEN`) and anything passed to
 *    {@link registerSecret} (tokens fetched from Secrets Manager) — are cut out of every string,
 *    including error messages and stacks.
 * 3. **Shapes**: bearer tokens, Google OAuth access/refresh tokens, AWS access key ids, `sk-` API
 *    keys, PEM private keys, `user:password@` in URLs and `token=`/`password=` pairs.
 */

/** What a redacted value is replaced with. */
export const REDACTED = '[REDACTED]';

/** Values shorter than this are never treated as known secrets (too likely to be ordinary words). */
const MIN_SECRET_LENGTH = 8;

const SECRET_KEY_PATTERN =
  /(password|passwd|passphrase|secret|secretkey|secretaccesskey|token|apikey|privatekey|authorization|cookie|credentials?|signature|sessionkey)$/;
const SECRET_ENV_PATTERN = /(SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL)/i;

const SHAPES: readonly [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, REDACTED],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, `$1 ${REDACTED}`],
  [/\bya29\.[A-Za-z0-9._-]{10,}/g, REDACTED],
  [/\b1\/\/0[A-Za-z0-9._-]{20,}/g, REDACTED],
  [/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, REDACTED],
  [/\bsk-[A-Za-z0-9_-]{20,}/g, REDACTED],
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/:@]+:[^\s/@]+@/gi, `$1${REDACTED}@`],
  [
    /\b(password|passwd|secret|client_secret|token|access_token|refresh_token|id_token|api[_-]?key|apikey)=([^&\s"',;]+)/gi,
    `$1=${REDACTED}`,
  ],
];

const registered = new Set<string>();

/**
 * Adds a secret value (an OAuth token, a client secret read from Secrets Manager) to the values
 * cut out of every log line and operator output from now on in this process. Short or empty values
 * are ignored.
 *
 * @example
 * const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId }));
 * registerSecret(JSON.parse(SecretString).refreshToken);
 */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value === 'string' && value.length >= MIN_SECRET_LENGTH) registered.add(value);
}

/** Forgets every value passed to {@link registerSecret} (tests). */
export function clearRegisteredSecrets(): void {
  registered.clear();
}

/** Whether a key (of a log attribute, an object, a header) names a secret; `-`/`_` and case are ignored. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY_PATTERN.test(key.toLowerCase().replace(/[-_\s]/g, ''));
}

/** The values of environment variables whose names look secret (`*_SECRET`, `*_TOKEN`, `*API_KEY` …). */
export function secretValuesFromEnvironment(env: Record<string, string | undefined>): string[] {
  return Object.entries(env)
    .filter(
      ([name, value]) =>
        SECRET_ENV_PATTERN.test(name) &&
        typeof value === 'string' &&
        value.length >= MIN_SECRET_LENGTH,
    )
    .map(([, value]) => value as string);
}

/** Cuts known secret values and secret-shaped substrings out of one string. */
export function redactString(text: string, known: Iterable<string> = []): string {
  let result = text;
  const values = [...new Set([...known, ...registered])].sort((a, b) => b.length - a.length);
  for (const value of values) {
    if (result.includes(value)) result = result.split(value).join(REDACTED);
  }
  for (const [pattern, replacement] of SHAPES) result = result.replace(pattern, replacement);
  return result;
}

/** Options of {@link createRedactingReplacer} and {@link redactValue}. */
export interface RedactionOptions {
  /** Environment whose secret-looking variables are redacted by value. @default process.env */
  readonly env?: Record<string, string | undefined>;
  /** More values to redact. */
  readonly secrets?: readonly string[];
}

/**
 * A `JSON.stringify` replacer (the Powertools Logger's `jsonReplacerFn`) that redacts by key, by
 * known value and by shape. Powertools calls it before formatting errors and again for every
 * property of the formatted error, so messages and stacks are covered too.
 *
 * @example
 * new Logger({ serviceName: 'plan', jsonReplacerFn: createRedactingReplacer() });
 */
export function createRedactingReplacer(
  options: RedactionOptions = {},
): (key: string, value: unknown) => unknown {
  const known = [
    ...secretValuesFromEnvironment(options.env ?? process.env),
    ...(options.secrets ?? []),
  ];
  return (key, value) => {
    if (key !== '' && isSecretKey(key) && value !== undefined && value !== null && value !== '')
      return REDACTED;
    if (typeof value === 'string') return redactString(value, known);
    return value;
  };
}

/**
 * A redacted deep copy of a JSON value (for operator output such as `agentctl health --json` and
 * error messages read back from run records). Errors become `{ name, message }`.
 */
export function redactValue<T>(value: T, options: RedactionOptions = {}): T {
  const replacer = createRedactingReplacer(options);
  const text = JSON.stringify(value, (key: string, raw: unknown) =>
    replacer(key, raw instanceof Error ? { name: raw.name, message: raw.message } : raw),
  );
  return (text === undefined ? value : JSON.parse(text)) as T;
}
