import { describe, expect, it } from 'vitest';
import {
  annotationEntry,
  awsCallSubsegment,
  DAEMON_HEADER,
  httpCallSubsegment,
  daemonDatagram,
  invocationSubsegment,
  serviceAndOperation,
  type AwsCallOutcome,
} from '../../../shared/observability/tracing/segment-documents.js';
import {
  DEFAULT_DAEMON_ADDRESS,
  formatTraceHeader,
  parseDaemonAddress,
  parseTraceHeader,
} from '../../../shared/observability/tracing/trace-header.js';

const ROOT = '1-5759e988-bd862e3fe1be46a994272793';
const IDS = { traceId: ROOT, parentId: '53995c3f42cd8ad8', id: '70de5b6f19ff9a0b' };

describe('Tracing: trace header', () => {
  it('reads root, parent and sampling from the header Lambda sets', () => {
    expect(
      parseTraceHeader(`Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a87bd80c:0`),
    ).toEqual({ root: ROOT, parent: '53995c3f42cd8ad8', sampled: true });
  });

  it.each([
    { header: `Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=0`, sampled: false },
    { header: `Root=${ROOT};Parent=53995c3f42cd8ad8`, sampled: false },
    { header: `Root=${ROOT};Sampled=1`, sampled: true },
  ])('treats only Sampled=1 as sampled: $header', ({ header, sampled }) => {
    expect(parseTraceHeader(header)?.sampled).toBe(sampled);
  });

  it.each([undefined, '', 'Root=not-a-trace;Sampled=1', 'Parent=53995c3f42cd8ad8;Sampled=1'])(
    'yields nothing for a header without a valid root: %s',
    (header) => {
      expect(parseTraceHeader(header)).toBeUndefined();
    },
  );

  it('drops a parent that is not a 16-hex-digit segment id', () => {
    expect(parseTraceHeader(`Root=${ROOT};Parent=xyz;Sampled=1`)).toEqual({
      root: ROOT,
      sampled: true,
    });
  });

  it('formats the header an outgoing call carries', () => {
    expect(formatTraceHeader({ root: ROOT, parent: IDS.id, sampled: true })).toBe(
      `Root=${ROOT};Parent=70de5b6f19ff9a0b;Sampled=1`,
    );
  });
});

describe('Tracing: daemon address', () => {
  it.each([
    { value: '169.254.79.129:2000', address: { host: '169.254.79.129', port: 2000 } },
    { value: 'tcp:127.0.0.1:2000 udp:127.0.0.2:2001', address: { host: '127.0.0.2', port: 2001 } },
    { value: undefined, address: DEFAULT_DAEMON_ADDRESS },
    { value: ' ', address: DEFAULT_DAEMON_ADDRESS },
  ])('reads $value', ({ value, address }) => {
    expect(parseDaemonAddress(value)).toEqual(address);
  });

  it.each(['localhost', 'host:0', 'host:70000', 'tcp:127.0.0.1:2000 tcp:127.0.0.1:2001'])(
    'refuses %s, naming the variable',
    (value) => {
      expect(() => parseDaemonAddress(value)).toThrow(/AWS_XRAY_DAEMON_ADDRESS/);
    },
  );
});

describe('Tracing: segment documents', () => {
  it('prefixes every datagram with the daemon header line', () => {
    const document = invocationSubsegment({
      name: '## index.handler',
      ids: IDS,
      startMs: 1_000,
      endMs: 1_250,
      annotations: {},
    });
    const [header, body] = daemonDatagram(document).split('\n');
    expect(header).toBe(DAEMON_HEADER);
    expect(JSON.parse(header ?? '')).toEqual({ format: 'json', version: 1 });
    expect(JSON.parse(body ?? '')).toEqual(document);
  });

  it('builds the invocation subsegment under the function segment with its annotations', () => {
    expect(
      invocationSubsegment({
        name: '## index.handler',
        ids: IDS,
        startMs: 1_767_600_000_000,
        endMs: 1_767_600_000_250,
        annotations: { ColdStart: true, Service: 'plan', tenant_id: 't-1' },
      }),
    ).toEqual({
      type: 'subsegment',
      name: '## index.handler',
      id: IDS.id,
      trace_id: ROOT,
      parent_id: IDS.parentId,
      start_time: 1_767_600_000,
      end_time: 1_767_600_000.25,
      annotations: { ColdStart: true, Service: 'plan', tenant_id: 't-1' },
    });
  });

  it('marks a failed invocation as a fault with the error as its cause', () => {
    const error = { id: 'aaaaaaaaaaaaaaaa', type: 'TypeError', message: 'boom' };
    const document = invocationSubsegment({
      name: '## h',
      ids: IDS,
      startMs: 0,
      endMs: 1,
      annotations: {},
      error,
    });
    expect(document).toMatchObject({ fault: true, cause: { exceptions: [error] } });
    expect(document.error).toBeUndefined();
  });

  it('records an AWS call with its service, operation, region, request id, retries and table', () => {
    expect(
      awsCallSubsegment({
        ids: IDS,
        service: 'DynamoDB',
        operation: 'GetItem',
        region: 'eu-west-1',
        startMs: 2_000,
        endMs: 2_010,
        resource: { tableName: 'agent' },
        outcome: { status: 200, requestId: 'R1', attempts: 2 },
      }),
    ).toEqual({
      type: 'subsegment',
      name: 'DynamoDB',
      id: IDS.id,
      trace_id: ROOT,
      parent_id: IDS.parentId,
      start_time: 2,
      end_time: 2.01,
      namespace: 'aws',
      aws: {
        operation: 'GetItem',
        region: 'eu-west-1',
        request_id: 'R1',
        retries: 1,
        table_name: 'agent',
      },
      http: { response: { status: 200 } },
    });
  });

  const failure = { id: 'bbbbbbbbbbbbbbbb', type: 'X', message: 'm', remote: true };
  it.each<{ outcome: AwsCallOutcome; flags: Record<string, boolean> }>([
    { outcome: { status: 200 }, flags: {} },
    { outcome: { status: 400, error: failure }, flags: { error: true } },
    { outcome: { status: 429, error: failure }, flags: { error: true, throttle: true } },
    {
      outcome: { status: 400, error: failure, throttled: true },
      flags: { error: true, throttle: true },
    },
    { outcome: { status: 503, error: failure }, flags: { fault: true } },
    { outcome: { error: failure }, flags: { fault: true } },
    { outcome: { status: 200, error: failure }, flags: { fault: true } },
  ])('flags an AWS call from its outcome: $outcome.status', ({ outcome, flags }) => {
    const document = awsCallSubsegment({
      ids: IDS,
      service: 'SQS',
      operation: 'SendMessage',
      startMs: 0,
      endMs: 1,
      outcome,
    });
    const { error, throttle, fault } = document;
    expect({ error, throttle, fault }).toEqual({
      error: flags['error'],
      throttle: flags['throttle'],
      fault: flags['fault'],
    });
    expect(document.cause).toEqual(outcome.error ? { exceptions: [failure] } : undefined);
  });

  it('records a fetch by host, method and URL without its query string', () => {
    expect(
      httpCallSubsegment({
        ids: IDS,
        method: 'GET',
        url: new URL('https://gmail.googleapis.com/gmail/v1/users/me/history?pageToken=secretish'),
        startMs: 0,
        endMs: 5,
        outcome: { status: 429 },
      }),
    ).toEqual({
      type: 'subsegment',
      name: 'gmail.googleapis.com',
      id: IDS.id,
      trace_id: ROOT,
      parent_id: IDS.parentId,
      start_time: 0,
      end_time: 0.005,
      namespace: 'remote',
      http: {
        request: { method: 'GET', url: 'https://gmail.googleapis.com/gmail/v1/users/me/history' },
        response: { status: 429 },
      },
      error: true,
      throttle: true,
    });
  });

  it('names the service and operation as the X-Ray SDK does', () => {
    expect(serviceAndOperation('DynamoDBClient', 'GetItemCommand')).toEqual({
      service: 'DynamoDB',
      operation: 'GetItem',
    });
    expect(serviceAndOperation(undefined, 'Send')).toEqual({
      service: 'unknown',
      operation: 'Send',
    });
  });

  it.each([
    { key: 'tenant_id', value: 't-1', entry: ['tenant_id', 't-1'] },
    { key: 'Count', value: 3, entry: ['Count', 3] },
    { key: 'ColdStart', value: false, entry: ['ColdStart', false] },
    { key: 'long', value: 'x'.repeat(1_200), entry: ['long', 'x'.repeat(1_000)] },
    { key: 'tenant-id', value: 't-1', entry: undefined },
    { key: 'n', value: Number.NaN, entry: undefined },
    { key: 'o', value: { a: 1 }, entry: undefined },
  ])('keeps only annotations X-Ray accepts: $key', ({ key, value, entry }) => {
    expect(annotationEntry(key, value)).toEqual(entry);
  });
});
