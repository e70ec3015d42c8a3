import * as z from '../zod.js';
import {
  loadConfig,
  parseEnvironment,
  type AgentConfig,
  type LoadConfigOptions,
} from '../config.js';
import { SES_TENANT_PREFIX_PATTERN } from '../domain/ses-tenant.js';
import { QUEUE_DEFINITIONS } from '../messaging/queue-definitions.js';

/** The sender's configuration: the shared config plus what only the sender reads. */
export interface SenderConfig extends AgentConfig {
  /** Default From address (`EMAIL_FROM_ADDRESS`); a tenant's `sending.fromAddress` overrides it. */
  readonly fromAddress: string;
  /** `SES_SENDING_IDENTITIES`: the SES identities (domains or addresses) the sender's IAM policy allows. */
  readonly sendingIdentities: readonly string[];
  /** SES configuration set that routes bounce/complaint events (`SES_CONFIGURATION_SET`). */
  readonly configurationSetName: string | undefined;
  /** The unsubscribe Function URL (`UNSUBSCRIBE_BASE_URL`). */
  readonly unsubscribeBaseUrl: string;
  /** `EMAIL_INTERNAL_DOMAINS`: domains `internal_only` may send to, for every tenant. */
  readonly internalDomains: readonly string[];
  /** `EMAIL_INTERNAL_ADDRESSES`: addresses `internal_only` may send to, for every tenant. */
  readonly internalAddresses: readonly string[];
  /** `SEND_CLAIM_TTL_SECONDS`: how long a claim protects a send in flight. */
  readonly claimTtlSeconds: number;
  /** `SEND_MAX_RECEIVE_COUNT`: the send queue's maxReceiveCount. */
  readonly maxReceiveCount: number;
  /** `SEND_DLQ_URL`: where poison is forwarded with its reason on its last delivery. */
  readonly deadLetterQueueUrl: string | undefined;
  /** `SES_ENDPOINT`: a local SES emulator; the regional endpoint when absent. */
  readonly sesEndpoint: string | undefined;
  /** `SES_TENANT_PREFIX`: every SendEmail names the tenant's SES tenant (`sesTenantName`); none when absent. */
  readonly sesTenantPrefix: string | undefined;
}

const list = z.pipe(
  z.optional(z.string()),
  z.transform((value) =>
    (value ?? '')
      .split(',')
      .map((entry) => entry.trim().toLowerCase())
      .filter((entry) => entry !== ''),
  ),
);

const senderSchema = z.object({
  EMAIL_FROM_ADDRESS: z.email({ message: 'expected an email address' }),
  SES_CONFIGURATION_SET: z.optional(z.string().check(z.minLength(1))),
  SES_SENDING_IDENTITIES: list,
  UNSUBSCRIBE_BASE_URL: z.url({ message: 'expected the unsubscribe Function URL' }),
  EMAIL_INTERNAL_DOMAINS: list,
  EMAIL_INTERNAL_ADDRESSES: list,
  SEND_CLAIM_TTL_SECONDS: z._default(
    z.coerce.number().check(z.int(), z.minimum(30), z.maximum(3_600)),
    300,
  ),
  SEND_MAX_RECEIVE_COUNT: z._default(
    z.coerce.number().check(z.int(), z.minimum(1), z.maximum(1_000)),
    QUEUE_DEFINITIONS.send.maxReceiveCount,
  ),
  SEND_DLQ_URL: z.optional(z.url()),
  SES_ENDPOINT: z.optional(z.url()),
  SES_TENANT_PREFIX: z.optional(
    z
      .string()
      .check(z.regex(SES_TENANT_PREFIX_PATTERN, "expected up to 48 letters, digits, '-' or '_'")),
  ),
});

/**
 * Reads the sender's configuration; a bad or missing variable throws a {@link ConfigError}
 * naming it. `EMAIL_SEND_DISABLED` is also re-read at every decision (see {@link emailSendDisabledFrom}).
 */
export function loadSenderConfig(
  env: Record<string, string | undefined> = process.env,
  options: LoadConfigOptions = {},
): SenderConfig {
  const base = loadConfig(env, options);
  const values = parseEnvironment(senderSchema, env);
  return {
    ...base,
    fromAddress: values.EMAIL_FROM_ADDRESS,
    sendingIdentities: values.SES_SENDING_IDENTITIES,
    configurationSetName: values.SES_CONFIGURATION_SET,
    unsubscribeBaseUrl: values.UNSUBSCRIBE_BASE_URL,
    internalDomains: values.EMAIL_INTERNAL_DOMAINS,
    internalAddresses: values.EMAIL_INTERNAL_ADDRESSES,
    claimTtlSeconds: values.SEND_CLAIM_TTL_SECONDS,
    maxReceiveCount: values.SEND_MAX_RECEIVE_COUNT,
    deadLetterQueueUrl: values.SEND_DLQ_URL,
    sesEndpoint: values.SES_ENDPOINT,
    sesTenantPrefix: values.SES_TENANT_PREFIX,
  };
}

/**
 * A reader of `EMAIL_SEND_DISABLED` at the moment of each decision, failing closed: a value that
 * is not a recognisable "false" counts as disabled.
 */
export function emailSendDisabledFrom(
  env: Record<string, string | undefined> = process.env,
): () => boolean {
  return () => {
    const value = (env['EMAIL_SEND_DISABLED'] ?? '').trim().toLowerCase();
    return !['', 'false', '0', 'no'].includes(value);
  };
}
