import type { Clock } from '../clock.js';
import { AgentError } from '../errors.js';
import type { SecretStore } from '../adapters/secrets/secret-store.js';
import { registerSecret } from '../observability/redaction.js';
import {
  createGmailClient,
  GoogleGmailMailbox,
  type GmailApiError,
  type GmailClientOptions,
  type GmailMailbox,
} from '../adapters/gmail/gmail-mailbox.js';
import {
  gmailClientSecretName,
  gmailClientSecretSchema,
  gmailTenantSecretName,
  gmailTenantSecretSchema,
  type GmailClientSecret,
} from '../adapters/gmail/secret-layout.js';
import type {
  GmailConnection,
  GmailConnectionStatus,
  GmailMailboxRepository,
} from '../storage/gmail-mailbox-repository.js';

/** A tenant has no working Gmail connection; `status` says which. */
export class GmailNotConnectedError extends AgentError {
  readonly tenantId: string;
  readonly status: GmailConnectionStatus;

  constructor(tenantId: string, status: GmailConnectionStatus, detail?: string) {
    super(
      'GMAIL_NOT_CONNECTED',
      `Gmail of tenant ${tenantId} is ${status}${detail ? ` (${detail})` : ''}`,
    );
    this.tenantId = tenantId;
    this.status = status;
  }
}

/** A connected tenant's mailbox client. */
export interface ConnectedMailbox {
  readonly mailbox: GmailMailbox;
  /** The connected account's address, when known. */
  readonly emailAddress?: string;
}

/** What {@link GmailConnections} is built from. */
export interface GmailConnectionsOptions {
  readonly state: GmailMailboxRepository;
  readonly secrets: SecretStore;
  /** `<app>/<stage>/gmail` (see shared/adapters/gmail/secret-layout.ts). */
  readonly secretPrefix: string;
  readonly clock: Clock;
  readonly rootUrl?: string;
  readonly tokenUrl?: string;
  /** Builds a mailbox client from credentials; the production Google client by default. */
  readonly createMailbox?: (options: GmailClientOptions) => GmailMailbox;
  /** How long connection records, secrets and clients are reused. @default 15 minutes */
  readonly cacheTtlMs?: number;
}

interface CachedMailbox {
  readonly connectedAt: string;
  readonly connected: ConnectedMailbox;
  readonly expiresAt: number;
}

/**
 * Tenants' Gmail connections: the status record in the table, the OAuth client and refresh
 * tokens in Secrets Manager. Builds (and caches, per warm Lambda) a mailbox client per tenant;
 * tokens go from the secret straight into the OAuth client and are never logged or stored in items.
 */
export class GmailConnections {
  private readonly cache = new Map<string, CachedMailbox>();
  private readonly connectionCache = new Map<
    string,
    { value: GmailConnection | undefined; expiresAt: number }
  >();
  private clientSecretCache:
    { value: GmailClientSecret | undefined; expiresAt: number } | undefined;
  private readonly ttlMs: number;

  constructor(private readonly options: GmailConnectionsOptions) {
    this.ttlMs = options.cacheTtlMs ?? 15 * 60_000;
  }

  /** The secret name of a tenant's refresh token. */
  tenantSecretName(tenantId: string): string {
    return gmailTenantSecretName(this.options.secretPrefix, tenantId);
  }

  /** The shared OAuth client secret's name. */
  clientSecretName(): string {
    return gmailClientSecretName(this.options.secretPrefix);
  }

  /**
   * The tenant's connection status: `not_configured` without a connection record (or, with
   * `verify`, without the secrets it names); the recorded `token_expired`/`revoked` after Google
   * refused the grant; else `connected`. With `probe`, a connected mailbox is also asked for its
   * profile, which refreshes the access token and records a refusal.
   */
  async connectionStatus(
    tenantId: string,
    options: { verify?: boolean; probe?: boolean } = {},
  ): Promise<GmailConnectionStatus> {
    const connection = await this.options.state.getConnection(tenantId);
    if (!connection) return 'not_configured';
    if (connection.status !== 'connected') return connection.status;
    if (!options.verify && !options.probe) return 'connected';
    try {
      const { mailbox } = await this.mailboxFor(tenantId, { fresh: true });
      if (options.probe) await mailbox.getProfile();
      return 'connected';
    } catch (error) {
      if (error instanceof GmailNotConnectedError) return error.status;
      const gmailError = error as GmailApiError;
      if (gmailError.kind === 'auth' && gmailError.connectionStatus) {
        await this.recordAuthFailure(tenantId, gmailError);
        return gmailError.connectionStatus;
      }
      throw error;
    }
  }

  /**
   * The tenant's mailbox client. Throws {@link GmailNotConnectedError} when the tenant is not
   * connected or its secrets are missing or invalid.
   */
  async mailboxFor(tenantId: string, options: { fresh?: boolean } = {}): Promise<ConnectedMailbox> {
    const now = this.options.clock.now().getTime();
    const connection = await this.connection(tenantId, options.fresh === true);
    if (!connection) throw new GmailNotConnectedError(tenantId, 'not_configured');
    if (connection.status !== 'connected')
      throw new GmailNotConnectedError(tenantId, connection.status, connection.reason);
    const cached = this.cache.get(tenantId);
    if (
      !options.fresh &&
      cached &&
      cached.connectedAt === connection.connectedAt &&
      cached.expiresAt > now
    )
      return cached.connected;

    const client = await this.clientSecret(options.fresh === true);
    if (!client)
      throw new GmailNotConnectedError(
        tenantId,
        'not_configured',
        `secret ${this.clientSecretName()} is missing or invalid`,
      );
    const tenantSecret = gmailTenantSecretSchema.safeParse(
      await this.options.secrets.getJson(connection.secretName),
    );
    if (!tenantSecret.success)
      throw new GmailNotConnectedError(
        tenantId,
        'not_configured',
        `secret ${connection.secretName} is missing or invalid`,
      );

    // Defence in depth: should a token ever reach a log line, the logger's redactor cuts it out.
    registerSecret(client.clientSecret);
    registerSecret(tenantSecret.data.refreshToken);
    const create =
      this.options.createMailbox ??
      ((o: GmailClientOptions) => new GoogleGmailMailbox(createGmailClient(o)));
    const mailbox = create({
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      refreshToken: tenantSecret.data.refreshToken,
      ...(this.options.rootUrl ? { rootUrl: this.options.rootUrl } : {}),
      ...(this.options.tokenUrl ? { tokenUrl: this.options.tokenUrl } : {}),
    });
    const emailAddress = connection.emailAddress ?? tenantSecret.data.emailAddress;
    const connected: ConnectedMailbox = { mailbox, ...(emailAddress ? { emailAddress } : {}) };
    this.cache.set(tenantId, {
      connectedAt: connection.connectedAt,
      connected,
      expiresAt: now + this.ttlMs,
    });
    return connected;
  }

  /** Records that Google refused a tenant's grant (token expired or revoked) and forgets its client. */
  async recordAuthFailure(tenantId: string, error: GmailApiError): Promise<void> {
    this.cache.delete(tenantId);
    this.connectionCache.delete(tenantId);
    if (error.connectionStatus) {
      await this.options.state.markStatus(
        tenantId,
        error.connectionStatus,
        error.reason ?? error.code,
      );
    }
  }

  /**
   * Stores a tenant's grant: the refresh token in the tenant's secret, then the connection record
   * (status `connected`). Called by `agentctl gmail connect` after the code exchange.
   */
  async connect(
    tenantId: string,
    grant: { refreshToken: string; emailAddress?: string; scope?: string },
  ): Promise<GmailConnection> {
    const secretName = this.tenantSecretName(tenantId);
    await this.options.secrets.putJson(
      secretName,
      {
        refreshToken: grant.refreshToken,
        ...(grant.emailAddress ? { emailAddress: grant.emailAddress } : {}),
        ...(grant.scope ? { scope: grant.scope } : {}),
        connectedAt: this.options.clock.now().toISOString(),
      },
      `Gmail refresh token of tenant ${tenantId} (engagement agent ingest)`,
    );
    this.cache.delete(tenantId);
    this.connectionCache.delete(tenantId);
    return this.options.state.putConnected(tenantId, {
      secretName,
      ...(grant.emailAddress ? { emailAddress: grant.emailAddress } : {}),
    });
  }

  /** The shared OAuth client, or `undefined` when its secret is missing or invalid. */
  async clientSecret(fresh = false): Promise<GmailClientSecret | undefined> {
    const now = this.options.clock.now().getTime();
    if (!fresh && this.clientSecretCache && this.clientSecretCache.expiresAt > now)
      return this.clientSecretCache.value;
    const parsed = gmailClientSecretSchema.safeParse(
      await this.options.secrets.getJson(this.clientSecretName()),
    );
    const value = parsed.success ? parsed.data : undefined;
    this.clientSecretCache = { value, expiresAt: now + this.ttlMs };
    return value;
  }

  private async connection(tenantId: string, fresh: boolean): Promise<GmailConnection | undefined> {
    const now = this.options.clock.now().getTime();
    const cached = this.connectionCache.get(tenantId);
    // A reconnection shows within the cache time; a refusal seen here drops the entry at once.
    if (!fresh && cached && cached.expiresAt > now) return cached.value;
    const value = await this.options.state.getConnection(tenantId);
    this.connectionCache.set(tenantId, { value, expiresAt: now + this.ttlMs });
    return value;
  }
}
