import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { SystemClock, type Clock } from '../../clock.js';
import { assertTenantId } from '../../storage/keys.js';

/** The session tag key the tenant-scoped roles' policies read as `${aws:PrincipalTag/tenant}`. */
export const TENANT_SESSION_TAG = 'tenant';

/** The environment variable naming a function's tenant-scoped data role (infra `bindTenantScopedTable`). */
export const TENANT_DATA_ROLE_VARIABLE = 'TENANT_DATA_ROLE_ARN';

/** Temporary credentials, in the shape SDK clients take as `credentials`. */
export interface AwsCredentialIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** Resolves the current credentials; pass it to a client as `credentials`. */
export type AwsCredentialIdentityProvider = () => Promise<AwsCredentialIdentity>;

/**
 * Where the credentials for one tenant's data access come from. `forTenant` returns a provider to
 * build the tenant's clients with, or undefined when the ambient credentials (the execution role,
 * or the embedded stack's dummy keys) are to be used as they are.
 */
export interface TenantCredentials {
  forTenant(tenantId: string): AwsCredentialIdentityProvider | undefined;
}

/**
 * The embedded local stack's implementation: no STS exists there, so every tenant uses the plain
 * client and local behaviour is unchanged.
 */
export const AMBIENT_CREDENTIALS: TenantCredentials = { forTenant: () => undefined };

/** Options of {@link StsTenantCredentials}. */
export interface StsTenantCredentialsOptions {
  /** The tenant-scoped role (its policy limits `dynamodb:LeadingKeys` by the session tag). */
  readonly roleArn: string;
  /** Prefix of the session name (CloudTrail shows `<prefix>-<tenantId>`), e.g. the function name. */
  readonly sessionPrefix: string;
  /** Lifetime asked of STS, 900–3600 s (the role's maximum session is one hour). @default 3600 */
  readonly durationSeconds?: number;
  /** Credentials are renewed this long before they expire. @default 5 minutes */
  readonly refreshMarginMs?: number;
  /** @default the system clock */
  readonly clock?: Clock;
}

/**
 * Assumes the tenant-scoped role with the session tag `tenant=<tenantId>` (AssumeRole +
 * TagSession) and caches the credentials per tenant for the life of the container, renewing them
 * `refreshMarginMs` before they expire. Concurrent first calls for a tenant share one AssumeRole.
 */
export class StsTenantCredentials implements TenantCredentials {
  private readonly providers = new Map<string, AwsCredentialIdentityProvider>();

  constructor(
    private readonly sts: STSClient,
    private readonly options: StsTenantCredentialsOptions,
  ) {}

  forTenant(tenantId: string): AwsCredentialIdentityProvider {
    assertTenantId(tenantId);
    let provider = this.providers.get(tenantId);
    if (!provider) {
      provider = this.createProvider(tenantId);
      this.providers.set(tenantId, provider);
    }
    return provider;
  }

  private createProvider(tenantId: string): AwsCredentialIdentityProvider {
    const clock = this.options.clock ?? new SystemClock();
    const margin = this.options.refreshMarginMs ?? 5 * 60_000;
    let current: AwsCredentialIdentity | undefined;
    let pending: Promise<AwsCredentialIdentity> | undefined;
    return async () => {
      if (current?.expiration && current.expiration.getTime() - margin > clock.now().getTime())
        return current;
      pending ??= this.assume(tenantId).finally(() => {
        pending = undefined;
      });
      current = await pending;
      return current;
    };
  }

  private async assume(tenantId: string): Promise<AwsCredentialIdentity> {
    const result = await this.sts.send(
      new AssumeRoleCommand({
        RoleArn: this.options.roleArn,
        RoleSessionName: `${this.options.sessionPrefix}-${tenantId}`.slice(0, 64),
        DurationSeconds: this.options.durationSeconds ?? 3600,
        Tags: [{ Key: TENANT_SESSION_TAG, Value: tenantId }],
      }),
    );
    const credentials = result.Credentials;
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken) {
      throw new Error(`AssumeRole returned no credentials for tenant ${tenantId}`);
    }
    return {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretAccessKey,
      sessionToken: credentials.SessionToken,
      ...(credentials.Expiration ? { expiration: credentials.Expiration } : {}),
    };
  }
}

/**
 * A per-tenant cache of whatever `build` makes for a tenant (a runtime over its scoped clients),
 * holding at most `size` tenants: past it the least recently built is dropped.
 */
export function perTenantCache<T>(
  build: (tenantId: string) => T,
  size: number,
): (tenantId: string) => T {
  const cache = new Map<string, T>();
  return (tenantId) => {
    const cached = cache.get(tenantId);
    if (cached) return cached;
    const built = build(tenantId);
    cache.set(tenantId, built);
    const oldest = cache.keys().next().value;
    if (cache.size > size && oldest !== undefined) cache.delete(oldest);
    return built;
  };
}
