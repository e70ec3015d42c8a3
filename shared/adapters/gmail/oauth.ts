import { auth } from '@googleapis/gmail';
import { GMAIL_READONLY_SCOPE } from './secret-layout.js';
import { toGmailApiError } from './gmail-mailbox.js';

/** The OAuth client settings the consent flow needs. */
export interface OAuthClientSettings {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
  /** Token endpoint override (the local server's in tests). */
  readonly tokenUrl?: string;
}

/**
 * The Google consent URL a mailbox owner opens to grant read access: offline access (so Google
 * returns a refresh token) and `prompt=consent` (so it returns one again on reconnection).
 */
export function gmailConsentUrl(settings: OAuthClientSettings, state?: string): string {
  return oauthClient(settings).generateAuthUrl({
    access_type: 'offline',
    prompt: 'consent',
    include_granted_scopes: true,
    scope: [GMAIL_READONLY_SCOPE],
    ...(state ? { state } : {}),
  });
}

/**
 * Exchanges an authorization code (from the consent redirect) for the refresh token. Throws a
 * `GmailApiError` (safe to print) when Google refuses the code or returns no refresh token.
 */
export async function exchangeAuthorizationCode(
  settings: OAuthClientSettings,
  code: string,
): Promise<{ refreshToken: string; scope?: string; accessToken?: string }> {
  let tokens;
  try {
    ({ tokens } = await oauthClient(settings).getToken(code));
  } catch (error) {
    throw toGmailApiError(error);
  }
  if (!tokens.refresh_token) {
    throw toGmailApiError({
      response: {
        status: 400,
        data: {
          error: 'no_refresh_token',
          error_description:
            'Google returned no refresh token; revoke the app in the Google account and authorize again (prompt=consent)',
        },
      },
    });
  }
  return {
    refreshToken: tokens.refresh_token,
    ...(tokens.scope ? { scope: tokens.scope } : {}),
    ...(tokens.access_token ? { accessToken: tokens.access_token } : {}),
  };
}

function oauthClient(settings: OAuthClientSettings) {
  return new auth.OAuth2({
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    redirectUri: settings.redirectUri,
    ...(settings.tokenUrl ? { endpoints: { oauth2TokenUrl: settings.tokenUrl } } : {}),
  });
}
