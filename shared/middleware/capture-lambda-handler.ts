import type { MiddlewareObj } from '@middy/core';
import type { Tracer } from '../observability/tracing/tracer.js';

/**
 * Traces each invocation: opens the tracer's invocation subsegment before the handler and sends it
 * after the handler returns or throws (the error as its fault cause; the error still propagates).
 * Use it first in the chain so it wraps every other middleware, and `annotateTenant` after it.
 */
export function captureLambdaHandler(tracer: Tracer): MiddlewareObj {
  return {
    before: () => {
      tracer.beginInvocation();
    },
    after: async () => {
      await tracer.endInvocation();
    },
    onError: async (request) => {
      await tracer.endInvocation(request.error ?? undefined);
    },
  };
}
