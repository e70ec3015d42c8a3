import { describe, expect, it } from 'vitest';
import { toGmailApiError } from '../../../shared/adapters/gmail/gmail-mailbox.js';

const apiError = (status: number, reason?: string, headers?: Record<string, string>) => ({
  status,
  message: 'boom',
  config: {
    headers: { Authorization: 'Bearer ya29.secret-access-token' },
    body: 'refresh_token=1//0secret',
  },
  response: {
    status,
    headers,
    data: { error: { code: status, message: 'API says', errors: reason ? [{ reason }] : [] } },
  },
});

describe('Adapter: toGmailApiError', () => {
  it.each([
    {
      case: '429',
      error: apiError(429, 'rateLimitExceeded', { 'retry-after': '30' }),
      kind: 'quota',
      retry: 30,
    },
    { case: '403 rateLimitExceeded', error: apiError(403, 'rateLimitExceeded'), kind: 'quota' },
    {
      case: '403 userRateLimitExceeded',
      error: apiError(403, 'userRateLimitExceeded'),
      kind: 'quota',
    },
    {
      case: '403 insufficientPermissions',
      error: apiError(403, 'insufficientPermissions'),
      kind: 'auth',
      connection: 'revoked',
    },
    { case: '404 (expired history id)', error: apiError(404, 'notFound'), kind: 'not_found' },
    { case: '401', error: apiError(401, 'authError'), kind: 'auth', connection: 'token_expired' },
    { case: '503', error: apiError(503, 'backendError'), kind: 'transient' },
    {
      case: 'a network failure',
      error: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      kind: 'transient',
    },
  ])('maps $case to $kind', ({ error, kind, retry, connection }) => {
    const mapped = toGmailApiError(error);

    expect(mapped.kind).toBe(kind);
    if (retry !== undefined) expect(mapped.retryAfterSeconds).toBe(retry);
    if (connection !== undefined) expect(mapped.connectionStatus).toBe(connection);
  });

  it.each([
    { description: 'Token has been expired or revoked.', connection: 'token_expired' },
    { description: 'Token has been revoked.', connection: 'revoked' },
  ])('maps invalid_grant "$description" to $connection', ({ description, connection }) => {
    const mapped = toGmailApiError({
      response: { status: 400, data: { error: 'invalid_grant', error_description: description } },
    });

    expect(mapped).toMatchObject({
      kind: 'auth',
      reason: 'invalid_grant',
      connectionStatus: connection,
    });
  });

  it('keeps neither the request headers nor its body, so the error is safe to log', () => {
    const mapped = toGmailApiError(apiError(429, 'rateLimitExceeded'));

    const printed = JSON.stringify({
      ...mapped,
      message: mapped.message,
      stack: mapped.stack,
      cause: mapped.cause,
    });
    expect(printed).not.toContain('ya29.secret-access-token');
    expect(printed).not.toContain('1//0secret');
    expect(mapped.cause).toBeUndefined();
  });
});
