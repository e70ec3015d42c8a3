import * as z from '../zod.js';
import {
  loadConfig,
  parseEnvironment,
  type AgentConfig,
  type LoadConfigOptions,
} from '../config.js';
import { gmailSecretPrefix } from '../adapters/gmail/secret-layout.js';

/** Settings of the Gmail poller and the ingest function, on top of {@link AgentConfig}. */
export interface IngestConfig extends AgentConfig {
  /** Prefix of the Gmail secrets (`GMAIL_SECRET_PREFIX`, default `<app>/<stage>/gmail`). */
  readonly gmailSecretPrefix: string;
  /** Gmail API root URL (`GMAIL_API_ROOT_URL`); Google's when unset. The local server's locally. */
  readonly gmailApiRootUrl: string | undefined;
  /** OAuth token endpoint (`GMAIL_OAUTH_TOKEN_URL`); Google's when unset. */
  readonly gmailTokenUrl: string | undefined;
  /** How far back a full sync reaches (`GMAIL_FULL_SYNC_DAYS`, default 7). */
  readonly fullSyncDays: number;
  /** Most messages a full sync enqueues (`GMAIL_FULL_SYNC_MAX_MESSAGES`, default 500). */
  readonly fullSyncMaxMessages: number;
  /** Most history pages one poll reads per tenant (`GMAIL_HISTORY_MAX_PAGES`, default 20). */
  readonly historyMaxPages: number;
  /** Tenants polled at once (`GMAIL_POLL_CONCURRENCY`, default 4). */
  readonly pollConcurrency: number;
  /** How long an ingest claim holds a message (`INGEST_LEASE_SECONDS`, default 120; below the queue's 180 s visibility). */
  readonly leaseSeconds: number;
  /**
   * Memory for messages fetched and parsed at once (`INGEST_MEMORY_BUDGET_MB`, default 192, for
   * the 512 MB function): a batch's records wait for room rather than run all in parallel.
   */
  readonly memoryBudgetMb: number;
}

const count = (name: string, fallback: number, max: number) =>
  z._default(
    z.coerce
      .number({ message: `${name}: expected a whole number` })
      .check(
        z.int(`${name}: expected a whole number`),
        z.minimum(1, `${name}: must be at least 1`),
        z.maximum(max, `${name}: must be at most ${max}`),
      ),
    fallback,
  );

const ingestEnvironmentSchema = z.object({
  GMAIL_SECRET_PREFIX: z.optional(z.string().check(z.minLength(1))),
  GMAIL_API_ROOT_URL: z.optional(z.url()),
  GMAIL_OAUTH_TOKEN_URL: z.optional(z.url()),
  GMAIL_FULL_SYNC_DAYS: count('GMAIL_FULL_SYNC_DAYS', 7, 90),
  GMAIL_FULL_SYNC_MAX_MESSAGES: count('GMAIL_FULL_SYNC_MAX_MESSAGES', 500, 5_000),
  GMAIL_HISTORY_MAX_PAGES: count('GMAIL_HISTORY_MAX_PAGES', 20, 200),
  GMAIL_POLL_CONCURRENCY: count('GMAIL_POLL_CONCURRENCY', 4, 32),
  INGEST_LEASE_SECONDS: count('INGEST_LEASE_SECONDS', 120, 900),
  INGEST_MEMORY_BUDGET_MB: count('INGEST_MEMORY_BUDGET_MB', 192, 8_192),
});

/** Parses the environment of the poller and ingest functions; a bad variable is named in the {@link ConfigError}. */
export function loadIngestConfig(
  env: Record<string, string | undefined> = process.env,
  options: LoadConfigOptions = {},
): IngestConfig {
  const base = loadConfig(env, options);
  const values = parseEnvironment(ingestEnvironmentSchema, env);
  return {
    ...base,
    gmailSecretPrefix: values.GMAIL_SECRET_PREFIX ?? gmailSecretPrefix(base.appName, base.stage),
    gmailApiRootUrl: values.GMAIL_API_ROOT_URL,
    gmailTokenUrl: values.GMAIL_OAUTH_TOKEN_URL,
    fullSyncDays: values.GMAIL_FULL_SYNC_DAYS,
    fullSyncMaxMessages: values.GMAIL_FULL_SYNC_MAX_MESSAGES,
    historyMaxPages: values.GMAIL_HISTORY_MAX_PAGES,
    pollConcurrency: values.GMAIL_POLL_CONCURRENCY,
    leaseSeconds: values.INGEST_LEASE_SECONDS,
    memoryBudgetMb: values.INGEST_MEMORY_BUDGET_MB,
  };
}
