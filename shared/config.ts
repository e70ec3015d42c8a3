import { lockLeaseProblem } from './domain/lock-lease.js';
import * as z from './zod.js';
import { parseSendMode, type SendMode } from './domain/send-mode.js';
import { ConfigError } from './errors.js';

export const STAGES = ['dev', 'staging', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

/** Runtime configuration shared by every function and local tool, read from the environment. */
export interface AgentConfig {
  readonly appName: string;
  readonly stage: Stage;
  readonly region: string;
  readonly tableName: string;
  readonly sendMode: SendMode;
  readonly emailSendDisabled: boolean;
  readonly killSwitchParameter: string;
  readonly lockTtlSeconds: number;
  readonly sendQueueUrl: string | undefined;
  readonly ingestQueueUrl: string | undefined;
  readonly dynamodbEndpoint: string | undefined;
  readonly sqsEndpoint: string | undefined;
}

const booleanFlag = z.pipe(
  z.string().check(
    z.trim(),
    z.toLowerCase(),
    z.refine((v) => ['true', 'false', '1', '0', 'yes', 'no', ''].includes(v), {
      message: 'expected true or false',
    }),
  ),
  z.transform((v) => v === 'true' || v === '1' || v === 'yes'),
);

const optionalUrl = z.optional(z.url({ message: 'expected a URL such as http://127.0.0.1:8000' }));

const environmentSchema = z.object({
  APP_NAME: z._default(
    z
      .string()
      .check(z.regex(/^[a-z][a-z0-9-]{1,40}$/, 'expected lower-case letters, digits and dashes')),
    'engagement-agent',
  ),
  STAGE: z._default(z.enum(STAGES, { message: `expected one of ${STAGES.join(', ')}` }), 'dev'),
  AWS_REGION: z._default(z.string().check(z.minLength(1)), 'us-east-1'),
  TABLE_NAME: z
    .string({ message: 'is required' })
    .check(z.minLength(3, 'must be at least 3 characters')),
  SEND_MODE: z.optional(z.string()),
  EMAIL_SEND_DISABLED: z._default(booleanFlag, false),
  KILL_SWITCH_PARAMETER: z.optional(
    z.string().check(z.startsWith('/', 'must be an SSM parameter name starting with /')),
  ),
  LOCK_TTL_SECONDS: z._default(
    z.coerce
      .number({ message: 'expected a whole number of seconds' })
      .check(
        z.int('expected a whole number of seconds'),
        z.minimum(30, 'must be at least 30'),
        z.maximum(3_600, 'must be at most 3600'),
      ),
    900,
  ),
  /** The longest cycle phase timeout of this deployment (set by the cycle construct). */
  MAX_PHASE_SECONDS: z.optional(
    z.coerce
      .number({ message: 'expected a whole number of seconds' })
      .check(z.int('expected a whole number of seconds'), z.minimum(1, 'must be at least 1')),
  ),
  SEND_QUEUE_URL: optionalUrl,
  INGEST_QUEUE_URL: optionalUrl,
  DYNAMODB_ENDPOINT: optionalUrl,
  SQS_ENDPOINT: optionalUrl,
});

/** Options for {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Receives non-fatal findings, e.g. an unknown send mode that fell back to dry_run. */
  readonly warn?: (message: string, detail: Record<string, unknown>) => void;
}

/**
 * Parses the environment into an {@link AgentConfig}. Throws a {@link ConfigError} naming the
 * first bad variable; an unknown `SEND_MODE` is not an error but falls back to `dry_run` and warns.
 *
 * @example
 * const config = loadConfig(process.env, { warn: (msg, detail) => logger.warn(msg, detail) });
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  options: LoadConfigOptions = {},
): AgentConfig {
  const values = parseEnvironment(environmentSchema, env);
  const leaseProblem =
    values.MAX_PHASE_SECONDS === undefined
      ? undefined
      : lockLeaseProblem(values.LOCK_TTL_SECONDS, values.MAX_PHASE_SECONDS);
  if (leaseProblem) throw new ConfigError('LOCK_TTL_SECONDS', leaseProblem);
  const sendMode = parseSendMode(values.SEND_MODE);
  if (sendMode.warning) {
    options.warn?.(sendMode.warning, { variable: 'SEND_MODE', value: values.SEND_MODE });
  }
  return {
    appName: values.APP_NAME,
    stage: values.STAGE,
    region: values.AWS_REGION,
    tableName: values.TABLE_NAME,
    sendMode: sendMode.mode,
    emailSendDisabled: values.EMAIL_SEND_DISABLED,
    killSwitchParameter:
      values.KILL_SWITCH_PARAMETER ?? killSwitchParameterName(values.APP_NAME, values.STAGE),
    lockTtlSeconds: values.LOCK_TTL_SECONDS,
    sendQueueUrl: values.SEND_QUEUE_URL,
    ingestQueueUrl: values.INGEST_QUEUE_URL,
    dynamodbEndpoint: values.DYNAMODB_ENDPOINT,
    sqsEndpoint: values.SQS_ENDPOINT,
  };
}

/** The SSM parameter that stops all agent activity: `/<app>/<stage>/kill-switch`. */
export function killSwitchParameterName(appName: string, stage: Stage): string {
  return `/${appName}/${stage}/kill-switch`;
}

/**
 * Parses environment variables with a zod object schema; blank values count as absent. Throws a
 * {@link ConfigError} naming the first bad variable and the value it had.
 *
 * @example
 * const values = parseEnvironment(z.object({ QUEUE_URL: z.url() }), process.env);
 */
export function parseEnvironment<T extends z.ZodMiniType>(
  schema: T,
  env: Record<string, string | undefined>,
): z.output<T> {
  const blankToUndefined = Object.fromEntries(
    Object.entries(env).map(([key, value]) => [key, value === '' ? undefined : value]),
  );
  const parsed = schema.safeParse(blankToUndefined);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    const received = env[variable];
    throw new ConfigError(
      variable,
      `${issue?.message ?? 'invalid'}${received === undefined ? '' : ` (got "${received}")`}`,
    );
  }
  return parsed.data;
}
