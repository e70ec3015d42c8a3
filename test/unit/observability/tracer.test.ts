import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../shared/clock.js';
import { Tracer, type TracerOptions } from '../../../shared/observability/tracing/tracer.js';
import type { SubsegmentDocument } from '../../../shared/observability/tracing/segment-documents.js';

const ROOT = '1-5759e988-bd862e3fe1be46a994272793';
const FUNCTION_SEGMENT = '53995c3f42cd8ad8';
const SAMPLED = `Root=${ROOT};Parent=${FUNCTION_SEGMENT};Sampled=1`;

const created: Tracer[] = [];
afterEach(() => {
  for (const tracer of created.splice(0)) tracer.dispose();
});

function tracerWith(env: Record<string, string | undefined>, options: Partial<TracerOptions> = {}) {
  const documents: SubsegmentDocument[] = [];
  let next = 0;
  const tracer = new Tracer({
    serviceName: 'plan',
    env: { AWS_LAMBDA_FUNCTION_NAME: 'agent-dev-plan', _HANDLER: 'index.handler', ...env },
    clock: new VirtualClock('2026-01-05T09:00:00.000Z'),
    newId: () => (next++).toString(16).padStart(16, '0'),
    sink: {
      send: async (datagram) => {
        documents.push(JSON.parse(datagram.split('\n')[1] ?? '') as SubsegmentDocument);
      },
    },
    ...options,
  });
  created.push(tracer);
  return { tracer, documents };
}

describe('Tracing: Tracer', () => {
  it('is on inside Lambda and off outside it or when POWERTOOLS_TRACE_ENABLED is false', () => {
    expect(
      new Tracer({ serviceName: 's', env: { AWS_LAMBDA_FUNCTION_NAME: 'f' } }).isTracingEnabled(),
    ).toBe(true);
    expect(new Tracer({ serviceName: 's', env: {} }).isTracingEnabled()).toBe(false);
    expect(
      new Tracer({
        serviceName: 's',
        env: { AWS_LAMBDA_FUNCTION_NAME: 'f', POWERTOOLS_TRACE_ENABLED: 'false' },
      }).isTracingEnabled(),
    ).toBe(false);
  });

  it('sends one subsegment per sampled invocation under the function segment, cold start first', async () => {
    const { tracer, documents } = tracerWith({ _X_AMZN_TRACE_ID: SAMPLED });
    tracer.beginInvocation();
    tracer.putAnnotation('tenant_id', 't-1');
    await tracer.endInvocation();
    tracer.beginInvocation();
    await tracer.endInvocation();

    expect(documents.map((d) => [d.name, d.trace_id, d.parent_id, d.annotations])).toEqual([
      [
        '## index.handler',
        ROOT,
        FUNCTION_SEGMENT,
        { ColdStart: true, Service: 'plan', tenant_id: 't-1' },
      ],
      ['## index.handler', ROOT, FUNCTION_SEGMENT, { ColdStart: false, Service: 'plan' }],
    ]);
  });

  it.each([
    { header: `Root=${ROOT};Parent=${FUNCTION_SEGMENT};Sampled=0` },
    { header: `Root=${ROOT};Sampled=1` },
    { header: undefined },
  ])(
    'sends nothing for an invocation that is not sampled under a parent: $header',
    async ({ header }) => {
      const { tracer, documents } = tracerWith({ _X_AMZN_TRACE_ID: header });
      tracer.beginInvocation();
      tracer.putAnnotation('tenant_id', 't-1');
      await tracer.endInvocation(new Error('boom'));
      expect(documents).toEqual([]);
    },
  );

  it('sends nothing when disabled, even for a sampled header', async () => {
    const { tracer, documents } = tracerWith({ _X_AMZN_TRACE_ID: SAMPLED }, { enabled: false });
    tracer.beginInvocation();
    await tracer.endInvocation();
    expect(documents).toEqual([]);
  });

  it('records a thrown error as the fault cause with secrets cut out of its message', async () => {
    const { tracer, documents } = tracerWith({ _X_AMZN_TRACE_ID: SAMPLED });
    tracer.beginInvocation();
    await tracer.endInvocation(
      new TypeError('refresh failed for token ya29.a0AfH6SMBxxxxxxxxxxxxxxxxxxxx'),
    );
    expect(documents[0]).toMatchObject({
      fault: true,
      cause: { exceptions: [{ type: 'TypeError' }] },
    });
    expect(JSON.stringify(documents[0]?.cause)).not.toContain('ya29.a0AfH6SMBxxxxxxxxxxxxxxxxxxxx');
  });

  it('ignores annotations outside an invocation', async () => {
    const { tracer, documents } = tracerWith({ _X_AMZN_TRACE_ID: SAMPLED });
    tracer.putAnnotation('tenant_id', 'early');
    tracer.beginInvocation();
    await tracer.endInvocation();
    expect(documents[0]?.annotations).toEqual({ ColdStart: true, Service: 'plan' });
  });
});
