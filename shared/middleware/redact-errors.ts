import type { MiddlewareObj } from '@middy/core';
import { redactText } from '../observability/error-text.js';

/**
 * Cuts secrets out of the error a handler throws (message, stack and an Error `cause`) before
 * Lambda serialises it, so a Step Functions `Cause` (`errorMessage`, `trace`) and the execution
 * history never hold a token. Use it last in the chain: middy runs `onError` in reverse order.
 *
 * @example
 * middy(handler).use(markTransientErrors()).use(redactErrors());
 */
export function redactErrors(): MiddlewareObj {
  return {
    onError: (request) => {
      let error: unknown = request.error;
      for (let depth = 0; error instanceof Error && depth < 5; depth += 1) {
        error.message = redactText(error.message);
        if (error.stack) error.stack = redactText(error.stack);
        error = error.cause;
      }
    },
  };
}
