import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SystemClock } from '../../shared/clock.js';
import { ValidationError } from '../../shared/errors.js';
import {
  FileSecretStore,
  SecretsManagerSecretStore,
  type SecretStore,
} from '../../shared/adapters/secrets/secret-store.js';
import {
  gmailClientSecretName,
  gmailClientSecretSchema,
  gmailSecretPrefix,
} from '../../shared/adapters/gmail/secret-layout.js';
import { exchangeAuthorizationCode, gmailConsentUrl } from '../../shared/adapters/gmail/oauth.js';
import {
  createGmailClient,
  GoogleGmailMailbox,
} from '../../shared/adapters/gmail/gmail-mailbox.js';
import { GmailConnections } from '../../shared/ingest/gmail-connections.js';
import {
  GmailMailboxRepository,
  type GmailConnectionStatus,
} from '../../shared/storage/gmail-mailbox-repository.js';
import {
  openOperatorContext,
  type OperatorContext,
  type OperatorTarget,
} from './operator-context.js';

/** The option values the gmail commands read. */
export type GmailValues = Record<string, string | boolean | undefined>;

/** Where the Gmail secrets of a target live, and how the CLI reaches Google (overridable for tests). */
export interface GmailTargetSettings {
  readonly secrets: SecretStore;
  readonly secretPrefix: string;
  readonly tokenUrl?: string;
  readonly rootUrl?: string;
  close(): void;
}

/**
 * The secret store and prefix for an operator target: `<DIR>/secrets.json` (mode 0600) for
 * `--local DIR`, Secrets Manager otherwise; the prefix is `GMAIL_SECRET_PREFIX` or
 * `<app>/<stage>/gmail`. `GMAIL_OAUTH_TOKEN_URL` / `GMAIL_API_ROOT_URL` point at a local server.
 */
export function gmailTargetSettings(
  target: OperatorTarget,
  env: NodeJS.ProcessEnv = process.env,
): GmailTargetSettings {
  const secretPrefix =
    env['GMAIL_SECRET_PREFIX'] ??
    gmailSecretPrefix(
      target.app ?? env['APP_NAME'] ?? 'engagement-agent',
      target.local ? 'dev' : (target.stage ?? env['STAGE'] ?? 'dev'),
    );
  const endpoints = {
    ...(env['GMAIL_OAUTH_TOKEN_URL'] ? { tokenUrl: env['GMAIL_OAUTH_TOKEN_URL'] } : {}),
    ...(env['GMAIL_API_ROOT_URL'] ? { rootUrl: env['GMAIL_API_ROOT_URL'] } : {}),
  };
  if (target.local) {
    return {
      secrets: new FileSecretStore(join(target.local, 'secrets.json')),
      secretPrefix,
      ...endpoints,
      close: () => undefined,
    };
  }
  const client = new SecretsManagerClient({});
  return {
    secrets: new SecretsManagerSecretStore(client),
    secretPrefix,
    ...endpoints,
    close: () => client.destroy(),
  };
}

/** The tenant connections of an operator context (the same store the functions use). */
export function gmailConnectionsFor(
  context: OperatorContext,
  settings: GmailTargetSettings,
): GmailConnections {
  const clock = new SystemClock();
  return new GmailConnections({
    state: new GmailMailboxRepository({ ...context.table, clock }),
    secrets: settings.secrets,
    secretPrefix: settings.secretPrefix,
    clock,
    ...(settings.rootUrl ? { rootUrl: settings.rootUrl } : {}),
    ...(settings.tokenUrl ? { tokenUrl: settings.tokenUrl } : {}),
  });
}

/**
 * A `connectionStatus(tenant)` source for `agentctl preflight` and `tenant show`: the recorded
 * status, with the secrets it names verified (a missing secret reads `not_configured`).
 */
export function gmailConnectionSource(
  context: OperatorContext,
  settings: GmailTargetSettings,
): { connectionStatus(tenantId: string): Promise<GmailConnectionStatus> } {
  const connections = gmailConnectionsFor(context, settings);
  return {
    connectionStatus: (tenantId) => connections.connectionStatus(tenantId, { verify: true }),
  };
}

/**
 * `agentctl gmail …`. Tokens and client secrets are written to the secret store and never printed;
 * output names the secret instead.
 */
export async function runGmailCommand(
  action: string | undefined,
  tenantId: string | undefined,
  values: GmailValues,
  target: OperatorTarget,
  out: NodeJS.WritableStream,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  if (!['set-client', 'auth-url', 'connect', 'status'].includes(action ?? ''))
    throw new ValidationError('gmail', 'expected set-client, auth-url, connect or status');
  const settings = gmailTargetSettings(target, env);
  try {
    if (action === 'set-client') return await setClient(values, settings, out);
    if (action === 'auth-url') return await authUrl(values, settings, out);
    if (!tenantId) throw new ValidationError('gmail', `gmail ${action} needs a tenant ID`);
    const context = await openOperatorContext(target, env);
    try {
      await context.repos.tenants.require(tenantId);
      const connections = gmailConnectionsFor(context, settings);
      if (action === 'status') {
        const status = await connections.connectionStatus(tenantId, {
          verify: true,
          probe: values['probe'] === true,
        });
        const connection = await new GmailMailboxRepository({
          ...context.table,
          clock: new SystemClock(),
        }).getConnection(tenantId);
        if (values['json'] === true) {
          out.write(
            `${JSON.stringify(
              {
                tenantId,
                status,
                ...(connection?.emailAddress ? { emailAddress: connection.emailAddress } : {}),
                ...(connection?.reason && status !== 'connected'
                  ? { reason: connection.reason }
                  : {}),
                secret: connections.tenantSecretName(tenantId),
                target: context.target,
              },
              null,
              2,
            )}\n`,
          );
          return status === 'connected' ? 0 : 1;
        }
        out.write(
          `gmail ${tenantId}: ${status}${connection?.emailAddress ? ` (${connection.emailAddress})` : ''}${
            connection?.reason && status !== 'connected' ? ` — ${connection.reason}` : ''
          } — secret ${connections.tenantSecretName(tenantId)}, ${context.target}\n`,
        );
        return status === 'connected' ? 0 : 1;
      }
      return await connect(tenantId, values, settings, context, connections, out);
    } finally {
      await context.close();
    }
  } finally {
    settings.close();
  }
}

async function setClient(
  values: GmailValues,
  settings: GmailTargetSettings,
  out: NodeJS.WritableStream,
): Promise<number> {
  const file = values['client-file'];
  if (typeof file !== 'string')
    throw new ValidationError('--client-file', 'gmail set-client needs --client-file FILE');
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    throw new ValidationError('--client-file', `${file} is not readable JSON`);
  }
  // Accept Google's downloaded client JSON ({ web: { client_id, … } }) or our own shape.
  const google =
    (parsed as { web?: Record<string, unknown>; installed?: Record<string, unknown> }).web ??
    (parsed as { installed?: Record<string, unknown> }).installed;
  const redirect = typeof values['redirect-uri'] === 'string' ? values['redirect-uri'] : undefined;
  const candidate = google
    ? {
        clientId: google['client_id'],
        clientSecret: google['client_secret'],
        redirectUri: redirect ?? (google['redirect_uris'] as string[] | undefined)?.[0],
      }
    : { ...(parsed as object), ...(redirect ? { redirectUri: redirect } : {}) };
  const client = gmailClientSecretSchema.safeParse(candidate);
  if (!client.success)
    throw new ValidationError(
      `--client-file.${client.error.issues[0]?.path.join('.') ?? ''}`,
      client.error.issues[0]?.message ?? 'invalid',
    );
  const name = gmailClientSecretName(settings.secretPrefix);
  await settings.secrets.putJson(name, client.data, 'Gmail OAuth client of the engagement agent');
  out.write(`OAuth client ${client.data.clientId} stored in secret ${name}\n`);
  return 0;
}

async function oauthSettings(values: GmailValues, settings: GmailTargetSettings) {
  const parsed = gmailClientSecretSchema.safeParse(
    await settings.secrets.getJson(gmailClientSecretName(settings.secretPrefix)),
  );
  if (!parsed.success)
    throw new ValidationError(
      'gmail',
      `no OAuth client in secret ${gmailClientSecretName(settings.secretPrefix)}: run 'agentctl gmail set-client --client-file FILE' first`,
    );
  const redirectUri =
    typeof values['redirect-uri'] === 'string' ? values['redirect-uri'] : parsed.data.redirectUri;
  if (!redirectUri)
    throw new ValidationError(
      '--redirect-uri',
      'pass --redirect-uri (an authorized redirect URI of the OAuth client)',
    );
  return {
    clientId: parsed.data.clientId,
    clientSecret: parsed.data.clientSecret,
    redirectUri,
    ...(settings.tokenUrl ? { tokenUrl: settings.tokenUrl } : {}),
  };
}

async function authUrl(
  values: GmailValues,
  settings: GmailTargetSettings,
  out: NodeJS.WritableStream,
): Promise<number> {
  const oauth = await oauthSettings(values, settings);
  out.write(
    `Open this URL as the mailbox owner, approve read access, then pass the "code" parameter of the redirect to 'agentctl gmail connect TENANT --code CODE':\n${gmailConsentUrl(oauth)}\n`,
  );
  return 0;
}

async function connect(
  tenantId: string,
  values: GmailValues,
  settings: GmailTargetSettings,
  context: OperatorContext,
  connections: GmailConnections,
  out: NodeJS.WritableStream,
): Promise<number> {
  const code = values['code'];
  if (typeof code !== 'string' || code.trim() === '')
    throw new ValidationError('--code', 'gmail connect needs --code CODE');
  await context.repos.tenants.require(tenantId);
  const oauth = await oauthSettings(values, settings);
  const grant = await exchangeAuthorizationCode(oauth, code.trim());
  let emailAddress: string | undefined;
  try {
    const profile = await new GoogleGmailMailbox(
      createGmailClient({
        clientId: oauth.clientId,
        clientSecret: oauth.clientSecret,
        refreshToken: grant.refreshToken,
        ...(settings.rootUrl ? { rootUrl: settings.rootUrl } : {}),
        ...(settings.tokenUrl ? { tokenUrl: settings.tokenUrl } : {}),
      }),
    ).getProfile();
    emailAddress = profile.emailAddress || undefined;
  } catch {
    // The grant is stored anyway; the poller learns the address from the profile later.
  }
  await connections.connect(tenantId, {
    refreshToken: grant.refreshToken,
    ...(emailAddress ? { emailAddress } : {}),
    ...(grant.scope ? { scope: grant.scope } : {}),
  });
  out.write(
    `gmail ${tenantId}: connected${emailAddress ? ` (${emailAddress})` : ''}; refresh token stored in secret ${connections.tenantSecretName(tenantId)}, ${context.target}\n`,
  );
  return 0;
}
