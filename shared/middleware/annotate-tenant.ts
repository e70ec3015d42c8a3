import type { Tracer } from '../observability/tracing/tracer.js';
import type { MiddlewareObj } from '@middy/core';

/**
 * Puts a `tenant_id` annotation on the invocation's trace segment when the event names a tenant
 * (`event.tenantId`), so X-Ray traces can be filtered by tenant (`annotation.tenant_id = "t-1"`).
 * Use it after `captureLambdaHandler`, which opens the segment the annotation lands on.
 */
export function annotateTenant(tracer: Tracer): MiddlewareObj {
  return {
    before: (request) => {
      const tenantId = (request.event as { tenantId?: unknown } | null)?.tenantId;
      if (typeof tenantId === 'string' && tenantId.length > 0)
        tracer.putAnnotation('tenant_id', tenantId);
    },
  };
}
