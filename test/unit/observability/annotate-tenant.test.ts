import { describe, expect, it, vi } from 'vitest';
import middy from '@middy/core';
import { Tracer } from '../../../shared/observability/tracing/tracer.js';
import type { Context } from 'aws-lambda';
import { annotateTenant } from '../../../shared/middleware/annotate-tenant.js';

describe('Middleware: annotateTenant', () => {
  it.each([
    { event: { tenantId: 't-1' }, annotations: [['tenant_id', 't-1']] },
    { event: { tenantId: '' }, annotations: [] },
    { event: { scheduledTime: '2026-01-05T08:00:00.000Z' }, annotations: [] },
    { event: null, annotations: [] },
  ])('annotates the trace with tenant_id only when the event names one: $event', async (row) => {
    const tracer = new Tracer({ serviceName: 'probe', enabled: false });
    const put = vi.spyOn(tracer, 'putAnnotation');
    const handler = middy(async () => 'ok').use(annotateTenant(tracer));

    await handler(row.event, {} as Context);

    expect(put.mock.calls).toEqual(row.annotations);
  });
});
