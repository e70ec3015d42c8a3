/** The states of a tenant's Gmail connection (issue 6: `connectionStatus(tenant)`). */
export const GMAIL_CONNECTION_STATUSES = [
  'connected',
  'token_expired',
  'revoked',
  'not_configured',
] as const;

/** One of {@link GMAIL_CONNECTION_STATUSES}. */
export type GmailConnectionStatus = (typeof GMAIL_CONNECTION_STATUSES)[number];

/**
 * Where preflight reads a tenant's Gmail connection status. The Gmail ingest capability provides
 * the real one (OAuth client and refresh tokens in Secrets Manager); wire it where
 * `agentctl preflight` builds its dependencies (infra/cli/preflight.ts, `openPreflightDeps`).
 */
export interface GmailConnectionSource {
  connectionStatus(tenantId: string): Promise<GmailConnectionStatus>;
}

/** What to do about a Gmail connection that is not `connected`. */
export function gmailConnectionFix(tenantId: string, status: GmailConnectionStatus): string {
  switch (status) {
    case 'connected':
      return '';
    case 'token_expired':
      return `the refresh token of ${tenantId} expired: have the mailbox owner re-authorize and store the new token (docs/RUNBOOK.md#gmail-oauth-issues)`;
    case 'revoked':
      return `access of ${tenantId} was revoked in the Google account: re-authorize (consent screen, test users) and store the new token (docs/RUNBOOK.md#gmail-oauth-issues)`;
    case 'not_configured':
      return `connect ${tenantId}'s inbox: create the OAuth client, authorize the mailbox and store its refresh token (docs/RUNBOOK.md#gmail-oauth-setup)`;
  }
}
