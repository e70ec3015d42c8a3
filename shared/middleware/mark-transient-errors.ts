import type { MiddlewareObj } from '@middy/core';

/** Error names AWS SDK clients use for throttling and service-side trouble worth retrying. */
const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
  'InternalServerException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
]);

/** True when an error is worth retrying: throttling, 5xx or a network failure. */
export function isTransientError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const code = (error as { code?: unknown }).code;
  return (
    TRANSIENT_NAMES.has(error.name) ||
    (typeof code === 'string' && TRANSIENT_NAMES.has(code)) ||
    (status !== undefined && status >= 500)
  );
}

/**
 * Renames transient errors to `TransientError` (keeping the original name in the message), so the
 * state machine's Retry can match them and leave everything else to its Catch.
 *
 * @example
 * middy(handler).use(markTransientErrors());
 */
export function markTransientErrors(): MiddlewareObj {
  return {
    onError: (request) => {
      const error = request.error;
      if (error && isTransientError(error)) {
        error.message = `${error.name}: ${error.message}`;
        error.name = 'TransientError';
      }
    },
  };
}
