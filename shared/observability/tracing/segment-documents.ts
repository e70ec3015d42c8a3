/** An annotation value X-Ray indexes (filter expressions such as `annotation.tenant_id = "t-1"`). */
export type AnnotationValue = string | number | boolean;

/** One exception of a document's `cause`. */
export interface TracedException {
  readonly id: string;
  readonly type: string;
  readonly message: string;
  /** True when the exception came back from a called service. */
  readonly remote?: boolean;
}

/**
 * An X-Ray subsegment sent on its own to the daemon (`type: "subsegment"` with `trace_id` and
 * `parent_id`), the fields as the X-Ray segment document schema names them; times are epoch seconds.
 */
export interface SubsegmentDocument {
  readonly type: 'subsegment';
  readonly name: string;
  readonly id: string;
  readonly trace_id: string;
  readonly parent_id: string;
  readonly start_time: number;
  readonly end_time: number;
  /** `aws` for an AWS SDK call, `remote` for any other HTTP call. */
  readonly namespace?: 'aws' | 'remote';
  readonly annotations?: Readonly<Record<string, AnnotationValue>>;
  readonly aws?: Readonly<{
    operation: string;
    region?: string;
    request_id?: string;
    retries?: number;
    table_name?: string;
    queue_url?: string;
  }>;
  readonly http?: Readonly<{
    request?: Readonly<{ method: string; url: string }>;
    response?: Readonly<{ status: number }>;
  }>;
  readonly error?: true;
  readonly throttle?: true;
  readonly fault?: true;
  readonly cause?: Readonly<{ exceptions: readonly TracedException[] }>;
}

/** Where a document sits in its trace. */
export interface DocumentIds {
  readonly traceId: string;
  readonly parentId: string;
  readonly id: string;
}

/** The line the daemon expects before every JSON document in a UDP datagram. */
export const DAEMON_HEADER = '{"format": "json", "version": 1}';

/** One UDP datagram for the X-Ray daemon: the header line, a newline, the document. */
export function daemonDatagram(document: SubsegmentDocument): string {
  return `${DAEMON_HEADER}\n${JSON.stringify(document)}`;
}

const ANNOTATION_KEY = /^[A-Za-z0-9_]{1,500}$/;
/** X-Ray keeps at most 1,000 characters of a string annotation. */
const MAX_ANNOTATION_LENGTH = 1_000;

/**
 * An annotation as X-Ray accepts it (key of letters, digits and underscores; strings cut to
 * 1,000 characters), or undefined when the key or value cannot be one.
 */
export function annotationEntry(
  key: string,
  value: unknown,
): readonly [string, AnnotationValue] | undefined {
  if (!ANNOTATION_KEY.test(key)) return undefined;
  if (typeof value === 'string') return [key, value.slice(0, MAX_ANNOTATION_LENGTH)];
  if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)))
    return [key, value];
  return undefined;
}

/**
 * The subsegment of one handler invocation (`## <handler>`), child of the Lambda function segment
 * named by the invocation's trace header; a thrown error marks it `fault` with the error as cause.
 */
export function invocationSubsegment(input: {
  readonly name: string;
  readonly ids: DocumentIds;
  readonly startMs: number;
  readonly endMs: number;
  readonly annotations: Readonly<Record<string, AnnotationValue>>;
  readonly error?: TracedException;
}): SubsegmentDocument {
  return {
    ...base(input.name, input.ids, input.startMs, input.endMs),
    annotations: input.annotations,
    ...(input.error ? { fault: true, cause: { exceptions: [input.error] } } : {}),
  };
}

/** What one AWS SDK call returned or threw, as its subsegment records it. */
export interface AwsCallOutcome {
  /** HTTP status of the last attempt; absent when no response arrived. */
  readonly status?: number;
  readonly requestId?: string;
  /** Attempts the SDK made (1 = no retry). */
  readonly attempts?: number;
  /** The error thrown to the caller, if any. */
  readonly error?: TracedException;
  /** True when the service throttled the call (429 or a throttling error name). */
  readonly throttled?: boolean;
}

/**
 * The subsegment of one AWS SDK call: name = the service (`DynamoDB`), namespace `aws`, the
 * operation, region, request id, retries and the table or queue it addressed. Flags follow the
 * X-Ray schema: `throttle` (and `error`) when throttled, `error` for any other 4xx, `fault` for
 * a 5xx or any other failure (no response, a response that did not parse).
 */
export function awsCallSubsegment(input: {
  readonly ids: DocumentIds;
  readonly service: string;
  readonly operation: string;
  readonly region?: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly resource?: Readonly<{ tableName?: string; queueUrl?: string }>;
  readonly outcome: AwsCallOutcome;
}): SubsegmentDocument {
  const { outcome } = input;
  return {
    ...base(input.service, input.ids, input.startMs, input.endMs),
    namespace: 'aws',
    aws: {
      operation: input.operation,
      ...(input.region ? { region: input.region } : {}),
      ...(outcome.requestId ? { request_id: outcome.requestId } : {}),
      ...(outcome.attempts !== undefined ? { retries: Math.max(0, outcome.attempts - 1) } : {}),
      ...(input.resource?.tableName ? { table_name: input.resource.tableName } : {}),
      ...(input.resource?.queueUrl ? { queue_url: input.resource.queueUrl } : {}),
    },
    ...(outcome.status !== undefined ? { http: { response: { status: outcome.status } } } : {}),
    ...outcomeFlags(outcome),
    ...(outcome.error ? { cause: { exceptions: [outcome.error] } } : {}),
  };
}

/**
 * The subsegment of one HTTP call made with `fetch` (the Gmail REST API, the OAuth token
 * endpoint): name = the host, namespace `remote`, method and URL without its query string (which
 * may carry page tokens), status, and the same flags as {@link awsCallSubsegment}.
 */
export function httpCallSubsegment(input: {
  readonly ids: DocumentIds;
  readonly method: string;
  readonly url: URL;
  readonly startMs: number;
  readonly endMs: number;
  readonly outcome: Pick<AwsCallOutcome, 'status' | 'error'>;
}): SubsegmentDocument {
  const { outcome } = input;
  return {
    ...base(input.url.hostname, input.ids, input.startMs, input.endMs),
    namespace: 'remote',
    http: {
      request: { method: input.method, url: `${input.url.origin}${input.url.pathname}` },
      ...(outcome.status !== undefined ? { response: { status: outcome.status } } : {}),
    },
    ...outcomeFlags(outcome),
    ...(outcome.error ? { cause: { exceptions: [outcome.error] } } : {}),
  };
}

function outcomeFlags(
  outcome: AwsCallOutcome,
): Pick<SubsegmentDocument, 'error' | 'throttle' | 'fault'> {
  const status = outcome.status;
  if (outcome.throttled || status === 429) return { error: true, throttle: true };
  if (status !== undefined && status >= 500) return { fault: true };
  if (status !== undefined && status >= 400) return { error: true };
  if (outcome.error) return { fault: true };
  return {};
}

function base(name: string, ids: DocumentIds, startMs: number, endMs: number) {
  return {
    type: 'subsegment' as const,
    name,
    id: ids.id,
    trace_id: ids.traceId,
    parent_id: ids.parentId,
    start_time: startMs / 1000,
    end_time: endMs / 1000,
  };
}

/**
 * The service and operation an SDK v3 call is named by, from the middleware context's
 * `clientName` (`DynamoDBClient`) and `commandName` (`GetItemCommand`), as the X-Ray SDK names them.
 */
export function serviceAndOperation(
  clientName: unknown,
  commandName: unknown,
): { service: string; operation: string } {
  const strip = (value: unknown, suffix: string) =>
    typeof value === 'string' && value.endsWith(suffix) && value.length > suffix.length
      ? value.slice(0, -suffix.length)
      : typeof value === 'string' && value
        ? value
        : 'unknown';
  return { service: strip(clientName, 'Client'), operation: strip(commandName, 'Command') };
}
