import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createStepHandler } from '../../shared/cycle/step-handler.js';
import {
  createObservability,
  type Observability,
} from '../../shared/observability/observability.js';
import { DAEMON_HEADER } from '../../shared/observability/tracing/segment-documents.js';
import type { SubsegmentDocument } from '../../shared/observability/tracing/segment-documents.js';
import { localDynamoDbConfig } from '../../infra/local/local-stack.js';
import { captureConsole, type ConsoleCapture } from '../helpers/capture-console.js';
import { createTestTable, type TestTable } from '../helpers/local-table.js';

const ROOT = '1-6779c800-0123456789abcdef01234567';
const FUNCTION_SEGMENT = 'a1b2c3d4e5f60718';
const CONTEXT = { functionName: 'agent-dev-plan', awsRequestId: 'req-1' } as Context;

/** A stand-in X-Ray daemon: a UDP socket that keeps every datagram it receives. */
async function startDaemon(): Promise<{ socket: Socket; port: number; datagrams: string[] }> {
  const socket = createSocket('udp4');
  const datagrams: string[] = [];
  socket.on('message', (message) => datagrams.push(message.toString('utf8')));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, port: (socket.address() as AddressInfo).port, datagrams };
}

/** Waits until the daemon holds `count` datagrams (UDP on loopback arrives within milliseconds). */
async function received(datagrams: string[], count: number): Promise<SubsegmentDocument[]> {
  for (let i = 0; i < 100 && datagrams.length < count; i += 1)
    await new Promise((resolve) => setTimeout(resolve, 10));
  return datagrams.map((datagram) => {
    const [header, body] = datagram.split('\n');
    expect(header).toBe(DAEMON_HEADER);
    return JSON.parse(body ?? '') as SubsegmentDocument;
  });
}

describe('Observability: X-Ray documents of a traced invocation', () => {
  let daemon: Awaited<ReturnType<typeof startDaemon>>;
  let table: TestTable;
  let capture: ConsoleCapture;
  const env: Record<string, string | undefined> = {};
  const sentTraceHeaders: string[] = [];
  let handler: (event: unknown, context: Context) => Promise<unknown>;
  let observability: Observability;
  let server: Server;
  let serverUrl: string;

  beforeAll(async () => {
    daemon = await startDaemon();
    // A stand-in for the Gmail REST API: 200 on /ok, 503 elsewhere.
    server = createServer((request, response) => {
      response.statusCode = request.url?.startsWith('/ok') ? 200 : 503;
      response.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    table = await createTestTable();
    capture = captureConsole();
    Object.assign(env, {
      APP_NAME: 'engagement-agent',
      STAGE: 'dev',
      AWS_LAMBDA_FUNCTION_NAME: 'agent-dev-plan',
      AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.port}`,
      _HANDLER: 'index.handler',
    });
    observability = createObservability('plan', { env, logLevel: 'SILENT' });
    const { endpoints, region } = inject('localStack');
    const client = observability.tracer.captureAWSv3Client(
      new DynamoDBClient(localDynamoDbConfig(endpoints.dynamodb, region)),
    );
    client.middlewareStack.add(
      (next) => async (args) => {
        const headers = (args.request as { headers?: Record<string, string> }).headers;
        sentTraceHeaders.push(headers?.['X-Amzn-Trace-Id'] ?? '');
        return next(args);
      },
      { step: 'finalizeRequest', name: 'recordTraceHeader' },
    );
    const doc = DynamoDBDocumentClient.from(client);
    handler = createStepHandler(
      (event) => event as { tenantId: string; tableName: string; fetchPath?: string },
      async (_runtime, input) => {
        if (input.fetchPath) {
          await (await fetch(`${serverUrl}${input.fetchPath}`)).text();
          return { ok: true };
        }
        await doc.send(new GetCommand({ TableName: input.tableName, Key: { pk: 'x', sk: 'y' } }));
        return { ok: true };
      },
      { runtime: {}, observability, phase: 'plan' },
    );
  });

  afterAll(async () => {
    capture.restore();
    observability.tracer.dispose();
    daemon.socket.close();
    await new Promise((resolve) => server.close(resolve));
    await table.dispose();
  });

  it('sends the invocation subsegment under the function segment and the DynamoDB call under it', async () => {
    env['_X_AMZN_TRACE_ID'] = `Root=${ROOT};Parent=${FUNCTION_SEGMENT};Sampled=1`;
    daemon.datagrams.length = 0;

    await handler({ tenantId: 't-1', tableName: table.tableName }, CONTEXT);

    const [call, invocation] = await received(daemon.datagrams, 2);
    expect(invocation).toMatchObject({
      type: 'subsegment',
      name: '## index.handler',
      trace_id: ROOT,
      parent_id: FUNCTION_SEGMENT,
      annotations: { ColdStart: true, Service: 'plan', tenant_id: 't-1' },
    });
    expect(invocation?.fault).toBeUndefined();
    expect(call).toMatchObject({
      type: 'subsegment',
      name: 'DynamoDB',
      namespace: 'aws',
      trace_id: ROOT,
      parent_id: invocation?.id,
      aws: { operation: 'GetItem', table_name: table.tableName, retries: 0 },
      http: { response: { status: 200 } },
    });
    expect(call?.error).toBeUndefined();
    expect(call?.end_time).toBeGreaterThanOrEqual(call?.start_time ?? Infinity);
    // The called service joins the trace under the call's subsegment.
    expect(sentTraceHeaders.at(-1)).toBe(`Root=${ROOT};Parent=${call?.id};Sampled=1`);
  });

  it('flags a refused AWS call as an error and the failed invocation as a fault', async () => {
    env['_X_AMZN_TRACE_ID'] = `Root=${ROOT};Parent=${FUNCTION_SEGMENT};Sampled=1`;
    daemon.datagrams.length = 0;

    await expect(
      handler({ tenantId: 't-2', tableName: 'no-such-table' }, CONTEXT),
    ).rejects.toThrow();

    const [call, invocation] = await received(daemon.datagrams, 2);
    expect(call).toMatchObject({
      name: 'DynamoDB',
      parent_id: invocation?.id,
      error: true,
      http: { response: { status: 400 } },
      cause: { exceptions: [{ type: 'ResourceNotFoundException', remote: true }] },
    });
    expect(call?.fault).toBeUndefined();
    expect(invocation).toMatchObject({
      parent_id: FUNCTION_SEGMENT,
      annotations: { ColdStart: false, tenant_id: 't-2' },
      fault: true,
      cause: { exceptions: [{ type: 'ResourceNotFoundException' }] },
    });
  });

  it('sends nothing for an invocation the trace header leaves unsampled', async () => {
    env['_X_AMZN_TRACE_ID'] = `Root=${ROOT};Parent=${FUNCTION_SEGMENT};Sampled=0`;
    daemon.datagrams.length = 0;

    await handler({ tenantId: 't-3', tableName: table.tableName }, CONTEXT);
    // A sampled invocation after it proves the daemon was listening all along.
    env['_X_AMZN_TRACE_ID'] = `Root=${ROOT};Parent=${FUNCTION_SEGMENT};Sampled=1`;
    await handler({ tenantId: 't-4', tableName: table.tableName }, CONTEXT);

    const documents = await received(daemon.datagrams, 2);
    expect(documents.flatMap((d) => (d.annotations ? [d.annotations['tenant_id']] : []))).toEqual([
      't-4',
    ]);
    expect(sentTraceHeaders.at(-2)).toBe('');
  });

  it('records each fetch as a remote subsegment without its query string, a 5xx as a fault', async () => {
    env['_X_AMZN_TRACE_ID'] = `Root=${ROOT};Parent=${FUNCTION_SEGMENT};Sampled=1`;
    daemon.datagrams.length = 0;

    await handler(
      { tenantId: 't-5', tableName: table.tableName, fetchPath: '/ok/messages?pageToken=p1' },
      CONTEXT,
    );
    await handler({ tenantId: 't-6', tableName: table.tableName, fetchPath: '/down' }, CONTEXT);

    const [ok, first, down, second] = await received(daemon.datagrams, 4);
    expect(ok).toMatchObject({
      name: '127.0.0.1',
      namespace: 'remote',
      trace_id: ROOT,
      parent_id: first?.id,
      http: {
        request: { method: 'GET', url: `${serverUrl}/ok/messages` },
        response: { status: 200 },
      },
    });
    expect(ok?.fault).toBeUndefined();
    expect(down).toMatchObject({
      parent_id: second?.id,
      fault: true,
      http: { response: { status: 503 } },
    });
    expect([first?.annotations?.['tenant_id'], second?.annotations?.['tenant_id']]).toEqual([
      't-5',
      't-6',
    ]);
  });
});
