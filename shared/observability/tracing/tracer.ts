import { randomBytes } from 'node:crypto';
import { SystemClock, type Clock } from '../../clock.js';
import { redactText } from '../error-text.js';
import {
  annotationEntry,
  awsCallSubsegment,
  daemonDatagram,
  httpCallSubsegment,
  invocationSubsegment,
  serviceAndOperation,
  type AnnotationValue,
  type AwsCallOutcome,
  type SubsegmentDocument,
  type TracedException,
} from './segment-documents.js';
import { formatTraceHeader, parseDaemonAddress, parseTraceHeader } from './trace-header.js';
import { UdpSegmentSink, type SegmentSink } from './udp-emitter.js';
import { subscribeToFetch, type FetchRequestInfo } from './fetch-channels.js';

/** Options of {@link Tracer}; the defaults are what a deployed function uses. */
export interface TracerOptions {
  /** Annotated as `Service` on every invocation subsegment. */
  readonly serviceName: string;
  /**
   * Whether invocations are traced at all. @default true inside Lambda (`AWS_LAMBDA_FUNCTION_NAME`
   * set) unless `POWERTOOLS_TRACE_ENABLED` is `false`
   */
  readonly enabled?: boolean;
  /** Read at every invocation for `_X_AMZN_TRACE_ID`, and once for the daemon address. @default process.env */
  readonly env?: Record<string, string | undefined>;
  /** Where documents go. @default UDP to `AWS_XRAY_DAEMON_ADDRESS` */
  readonly sink?: SegmentSink;
  /** Where segment times come from. @default the wall clock */
  readonly clock?: Clock;
  /** A new 16-hex-digit segment id. @default 8 random bytes */
  readonly newId?: () => string;
}

interface OpenFetch {
  readonly invocation: OpenInvocation;
  readonly id: string;
  readonly startMs: number;
  readonly method: string;
  readonly url: URL;
}

interface OpenInvocation {
  readonly traceId: string;
  /** The Lambda function segment's id, from the trace header's `Parent`. */
  readonly parentId: string;
  readonly id: string;
  readonly startMs: number;
  readonly annotations: Record<string, AnnotationValue>;
  readonly sends: Promise<void>[];
}

/** Error names AWS services throttle with (the names the SDK's own retry strategy treats so). */
const THROTTLING_NAMES = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);

const MAX_CAUSE_MESSAGE = 1_000;

/** The slice of an AWS SDK v3 client the tracer instruments. */
export interface TraceableClient {
  readonly config: { readonly region?: unknown };
  readonly middlewareStack: {
    add(middleware: never, options: { step: 'build'; name: string; override: boolean }): void;
  };
}

/**
 * X-Ray tracing of a Lambda function without the X-Ray SDK: Lambda's active tracing records the
 * function segment; each invocation adds a `## <handler>` subsegment under it (parent from
 * `_X_AMZN_TRACE_ID`, only when `Sampled=1`) carrying the `ColdStart`, `Service` and
 * {@link putAnnotation} annotations, and every call of a captured AWS SDK v3 client, and every
 * `fetch` (through undici's diagnostics channels), adds a subsegment under that one. Documents go to the X-Ray daemon over UDP as they finish.
 *
 * One invocation at a time per process (Lambda's model): an invocation opened by
 * {@link beginInvocation} is the parent of every SDK call until {@link endInvocation}; calls
 * outside an invocation (module init) are not traced.
 */
export class Tracer {
  readonly serviceName: string;
  private readonly enabled: boolean;
  private readonly env: Record<string, string | undefined>;
  private readonly clock: Clock;
  private readonly newId: () => string;
  private sink: SegmentSink | undefined;
  private current: OpenInvocation | undefined;
  private coldStart = true;
  private readonly fetches = new WeakMap<object, OpenFetch>();
  private readonly unsubscribe: (() => void) | undefined;

  constructor(options: TracerOptions) {
    this.serviceName = options.serviceName;
    this.env = options.env ?? process.env;
    this.enabled =
      options.enabled ??
      (Boolean(this.env['AWS_LAMBDA_FUNCTION_NAME']) &&
        this.env['POWERTOOLS_TRACE_ENABLED']?.toLowerCase() !== 'false');
    this.clock = options.clock ?? new SystemClock();
    this.newId = options.newId ?? (() => randomBytes(8).toString('hex'));
    this.sink = options.sink;
    this.unsubscribe = this.enabled
      ? subscribeToFetch({
          onStart: (request, info) => this.startFetch(request, info),
          onResponse: (request, status) => this.endFetch(request, { status }),
          onError: (request, error) =>
            this.endFetch(request, { error: this.exception(error, true) }),
        })
      : undefined;
  }

  /** Stops recording `fetch` calls and closes the daemon socket (for tests; a function never calls it). */
  dispose(): void {
    this.unsubscribe?.();
    if (this.sink instanceof UdpSegmentSink) this.sink.close();
  }

  /** Whether this tracer records anything (see {@link TracerOptions.enabled}). */
  isTracingEnabled(): boolean {
    return this.enabled;
  }

  /**
   * Opens the invocation's subsegment when tracing is on and the trace header is sampled; any
   * invocation still open is dropped unsent.
   */
  beginInvocation(): void {
    const coldStart = this.coldStart;
    this.coldStart = false;
    this.current = undefined;
    if (!this.enabled) return;
    const header = parseTraceHeader(this.env['_X_AMZN_TRACE_ID']);
    if (!header?.sampled || !header.parent) return;
    this.current = {
      traceId: header.root,
      parentId: header.parent,
      id: this.newId(),
      startMs: this.clock.now().getTime(),
      annotations: { ColdStart: coldStart, Service: this.serviceName },
      sends: [],
    };
  }

  /** Puts an annotation on the open invocation's subsegment; ignored outside one or when X-Ray would refuse it. */
  putAnnotation(key: string, value: AnnotationValue): void {
    const entry = annotationEntry(key, value);
    if (this.current && entry) this.current.annotations[entry[0]] = entry[1];
  }

  /**
   * Sends the invocation's subsegment (with `error` as its fault cause) and waits until every
   * document of the invocation has left the process. Never throws.
   */
  async endInvocation(error?: unknown): Promise<void> {
    const invocation = this.current;
    this.current = undefined;
    if (!invocation) return;
    const handler = this.env['_HANDLER'] || 'handler';
    this.emit(
      invocation,
      invocationSubsegment({
        name: `## ${handler}`,
        ids: { traceId: invocation.traceId, parentId: invocation.parentId, id: invocation.id },
        startMs: invocation.startMs,
        endMs: this.clock.now().getTime(),
        annotations: invocation.annotations,
        ...(error === undefined ? {} : { error: this.exception(error, false) }),
      }),
    );
    await Promise.all(invocation.sends);
  }

  /**
   * Adds a middleware to the client that records each call as a subsegment of the open invocation
   * and passes the trace header on (`X-Amzn-Trace-Id`), as the X-Ray SDK's captureAWSv3Client
   * does. Returns the same client.
   */
  captureAWSv3Client<T extends TraceableClient>(client: T): T {
    if (!this.enabled) return client;
    const middleware =
      (
        next: (args: BuildArgs) => Promise<{ output?: { $metadata?: Metadata } }>,
        context: CallContext,
      ) =>
      async (args: BuildArgs) => {
        const invocation = this.current;
        if (!invocation) return next(args);
        const id = this.newId();
        const startMs = this.clock.now().getTime();
        const headers = args.request?.headers;
        if (headers)
          headers['X-Amzn-Trace-Id'] = formatTraceHeader({
            root: invocation.traceId,
            parent: id,
            sampled: true,
          });
        const finish = async (outcome: AwsCallOutcome) => {
          const { service, operation } = serviceAndOperation(
            context.clientName,
            context.commandName,
          );
          const region = await regionOf(client.config.region);
          this.emit(
            invocation,
            awsCallSubsegment({
              ids: { traceId: invocation.traceId, parentId: invocation.id, id },
              service,
              operation,
              ...(region ? { region } : {}),
              startMs,
              endMs: this.clock.now().getTime(),
              resource: resourceOf(args.input),
              outcome,
            }),
          );
        };
        try {
          const result = await next(args);
          await finish(metadataOutcome(result.output?.$metadata));
          return result;
        } catch (error) {
          const metadata = (error as { $metadata?: Metadata } | null)?.$metadata;
          await finish({
            ...metadataOutcome(metadata),
            error: this.exception(error, true),
            throttled: isThrottling(error),
          });
          throw error;
        }
      };
    client.middlewareStack.add(middleware as never, {
      step: 'build',
      name: 'agentXRayTracing',
      override: true,
    });
    return client;
  }

  private startFetch(request: object, info: FetchRequestInfo): void {
    const invocation = this.current;
    if (!invocation) return;
    let url: URL;
    try {
      url = new URL(info.path, info.origin);
    } catch {
      return;
    }
    this.fetches.set(request, {
      invocation,
      id: this.newId(),
      startMs: this.clock.now().getTime(),
      method: info.method,
      url,
    });
  }

  private endFetch(request: object, outcome: { status?: number; error?: TracedException }): void {
    const open = this.fetches.get(request);
    if (!open) return;
    this.fetches.delete(request);
    const { invocation } = open;
    this.emit(
      invocation,
      httpCallSubsegment({
        ids: { traceId: invocation.traceId, parentId: invocation.id, id: open.id },
        method: open.method,
        url: open.url,
        startMs: open.startMs,
        endMs: this.clock.now().getTime(),
        outcome,
      }),
    );
  }

  private emit(invocation: OpenInvocation, document: SubsegmentDocument): void {
    this.sink ??= new UdpSegmentSink(parseDaemonAddress(this.env['AWS_XRAY_DAEMON_ADDRESS']));
    invocation.sends.push(this.sink.send(daemonDatagram(document)).catch(() => undefined));
  }

  private exception(error: unknown, remote: boolean): TracedException {
    const type = error instanceof Error ? error.name : typeof error;
    const message = error instanceof Error ? error.message : String(error);
    return {
      id: this.newId(),
      type,
      message: redactText(message).slice(0, MAX_CAUSE_MESSAGE),
      ...(remote ? { remote: true } : {}),
    };
  }
}

interface Metadata {
  readonly httpStatusCode?: number;
  readonly requestId?: string;
  readonly attempts?: number;
}

interface BuildArgs {
  readonly input?: unknown;
  readonly request?: { headers?: Record<string, string> };
}

interface CallContext {
  readonly clientName?: unknown;
  readonly commandName?: unknown;
}

function metadataOutcome(metadata: Metadata | undefined): AwsCallOutcome {
  return {
    ...(metadata?.httpStatusCode !== undefined ? { status: metadata.httpStatusCode } : {}),
    ...(metadata?.requestId ? { requestId: metadata.requestId } : {}),
    ...(metadata?.attempts !== undefined ? { attempts: metadata.attempts } : {}),
  };
}

function isThrottling(error: unknown): boolean {
  const candidate = error as { name?: unknown; $retryable?: { throttling?: unknown } } | null;
  return (
    candidate?.$retryable?.throttling === true ||
    (typeof candidate?.name === 'string' && THROTTLING_NAMES.has(candidate.name))
  );
}

async function regionOf(region: unknown): Promise<string | undefined> {
  try {
    const value: unknown =
      typeof region === 'function' ? await (region as () => unknown)() : region;
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

function resourceOf(input: unknown): { tableName?: string; queueUrl?: string } {
  const fields = (input ?? {}) as { TableName?: unknown; QueueUrl?: unknown };
  return {
    ...(typeof fields.TableName === 'string' ? { tableName: fields.TableName } : {}),
    ...(typeof fields.QueueUrl === 'string' ? { queueUrl: fields.QueueUrl } : {}),
  };
}
