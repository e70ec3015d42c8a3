/** The parts of an X-Ray trace header (`Root=1-…;Parent=…;Sampled=1`) the tracer uses. */
export interface TraceHeader {
  /** The trace id (`Root`). */
  readonly root: string;
  /** The id of the segment the next document hangs under (`Parent`); absent on a new trace. */
  readonly parent?: string;
  /** Whether the trace is recorded (`Sampled=1`). */
  readonly sampled: boolean;
}

const TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const SEGMENT_ID = /^[0-9a-f]{16}$/;

/**
 * Parses an X-Ray trace header as Lambda puts it in `_X_AMZN_TRACE_ID`; undefined when it is
 * absent or its `Root` is not a trace id. A `Parent` that is not a 16-hex-digit id is dropped.
 */
export function parseTraceHeader(header: string | undefined): TraceHeader | undefined {
  if (!header) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0) fields.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  const root = fields.get('Root');
  if (!root || !TRACE_ID.test(root)) return undefined;
  const parent = fields.get('Parent');
  return {
    root,
    ...(parent && SEGMENT_ID.test(parent) ? { parent } : {}),
    sampled: fields.get('Sampled') === '1',
  };
}

/** The trace header an outgoing AWS request carries so the callee's segment joins the trace. */
export function formatTraceHeader(header: {
  root: string;
  parent: string;
  sampled: boolean;
}): string {
  return `Root=${header.root};Parent=${header.parent};Sampled=${header.sampled ? '1' : '0'}`;
}

/** Where the X-Ray daemon listens for UDP segment documents. */
export interface DaemonAddress {
  readonly host: string;
  readonly port: number;
}

/** The daemon's default address when `AWS_XRAY_DAEMON_ADDRESS` is unset. */
export const DEFAULT_DAEMON_ADDRESS: DaemonAddress = { host: '127.0.0.1', port: 2000 };

/**
 * Parses `AWS_XRAY_DAEMON_ADDRESS`: `host:port` (Lambda sets `169.254.79.129:2000`) or the
 * two-protocol form `tcp:host:port udp:host:port`, of which the UDP address is used. Throws an
 * error naming the variable when the value is neither.
 */
export function parseDaemonAddress(value: string | undefined): DaemonAddress {
  if (value === undefined || value.trim() === '') return DEFAULT_DAEMON_ADDRESS;
  const parts = value.trim().split(/\s+/);
  const udp = parts.length > 1 ? parts.find((part) => part.startsWith('udp:'))?.slice(4) : parts[0];
  const match = udp ? /^(.+):(\d{1,5})$/.exec(udp) : null;
  const port = match ? Number(match[2]) : NaN;
  if (!match?.[1] || !(port > 0 && port < 65_536))
    throw new Error(
      `AWS_XRAY_DAEMON_ADDRESS must be "host:port" or "tcp:host:port udp:host:port", got "${value}"`,
    );
  return { host: match[1], port };
}
