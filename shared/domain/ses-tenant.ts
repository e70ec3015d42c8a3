import { createHash } from 'node:crypto';
import { ConfigError } from '../errors.js';

/** Longest SES tenant name (CreateTenant: up to 64 letters, digits, `-`, `_`). */
export const SES_TENANT_NAME_MAX = 64;

/** What a stage's SES tenant prefix may be: `<appName>-<stage>`, room left for a tenant id. */
export const SES_TENANT_PREFIX_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$/;

/** The SES tenant prefix of a deployment: `<appName>-<stage>`, so stages sharing an account never share a tenant. */
export function sesTenantPrefix(appName: string, stage: string): string {
  const prefix = `${appName}-${stage}`;
  if (!SES_TENANT_PREFIX_PATTERN.test(prefix))
    throw new ConfigError(
      'SES_TENANT_PREFIX',
      `expected up to 48 letters, digits, '-' or '_', got ${JSON.stringify(prefix)}`,
    );
  return prefix;
}

/**
 * The SES tenant name of one agent tenant: `<prefix>-<tenantId>`, or, when that passes 64
 * characters, the id cut short and an 8-hex digest of the whole id (so two long ids never
 * collide). The same inputs always give the same name: CreateTenant and SendEmail agree on it.
 */
export function sesTenantName(prefix: string, tenantId: string): string {
  if (!SES_TENANT_PREFIX_PATTERN.test(prefix))
    throw new ConfigError('SES_TENANT_PREFIX', `invalid prefix ${JSON.stringify(prefix)}`);
  const plain = `${prefix}-${tenantId}`;
  if (plain.length <= SES_TENANT_NAME_MAX) return plain;
  const digest = createHash('sha256').update(tenantId).digest('hex').slice(0, 8);
  const room = SES_TENANT_NAME_MAX - prefix.length - digest.length - 2;
  return `${prefix}-${tenantId.slice(0, room)}-${digest}`;
}
