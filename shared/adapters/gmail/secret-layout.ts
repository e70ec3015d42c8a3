import * as z from '../../zod.js';

/*
 * Where Gmail credentials live in Secrets Manager (one documented layout):
 *
 * | secret name                                   | JSON value                                             |
 * |-----------------------------------------------|--------------------------------------------------------|
 * | `<app>/<stage>/gmail/oauth-client`            | `{ clientId, clientSecret, redirectUri? }` (shared)    |
 * | `<app>/<stage>/gmail/tenants/<tenantId>`      | `{ refreshToken, emailAddress?, scope?, connectedAt }` |
 *
 * One secret per tenant keeps a tenant's token rotation and revocation independent and lets IAM
 * scope reads to the `<app>/<stage>/gmail/` prefix. The DynamoDB item `GMAILCONN` records the
 * connection's status and the secret's name, never the token.
 */

/**
 * The prefix of every Gmail secret of a stage: `<app>/<stage>/gmail` (the layout is documented at
 * the top of this module). Functions read `GMAIL_SECRET_PREFIX`; IAM grants stop at this prefix.
 */
export function gmailSecretPrefix(appName: string, stage: string): string {
  return `${appName}/${stage}/gmail`;
}

/** The shared OAuth client secret: `<prefix>/oauth-client`. */
export function gmailClientSecretName(prefix: string): string {
  return `${prefix}/oauth-client`;
}

/** One tenant's refresh-token secret: `<prefix>/tenants/<tenantId>`. */
export function gmailTenantSecretName(prefix: string, tenantId: string): string {
  return `${prefix}/tenants/${tenantId}`;
}

/** The OAuth client (Google Cloud console, "Web application"). */
export const gmailClientSecretSchema = z.object({
  clientId: z.string().check(z.minLength(1)),
  clientSecret: z.string().check(z.minLength(1)),
  redirectUri: z.optional(z.url()),
});
export type GmailClientSecret = z.output<typeof gmailClientSecretSchema>;

/** A tenant's grant: the refresh token from the authorization-code exchange. */
export const gmailTenantSecretSchema = z.object({
  refreshToken: z.string().check(z.minLength(1)),
  emailAddress: z.optional(z.email()),
  scope: z.optional(z.string()),
  connectedAt: z.string(),
});
export type GmailTenantSecret = z.output<typeof gmailTenantSecretSchema>;

/** The only scope ingest needs: read mail (history, list, get raw). */
export const GMAIL_READONLY_SCOPE = 'https://www.googleapis.com/auth/gmail.readonly';
