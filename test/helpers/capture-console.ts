import { vi } from 'vitest';

/** What {@link captureConsole} collected. */
export interface ConsoleCapture {
  /** Every printed line, in order (Powertools prints one JSON document per call). */
  readonly raw: string[];
  /** The lines that parse as JSON objects (log lines and EMF blobs). */
  json(): Record<string, unknown>[];
  /** Puts the console and the environment back. */
  restore(): void;
}

const METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

/**
 * Captures what Powertools prints. Sets `POWERTOOLS_DEV=true` first, which makes Logger and
 * Metrics print through the global `console` (the documented way to spy on them in tests) instead
 * of their own `Console` on stdout; `POWERTOOLS_METRICS_DISABLED=false` keeps EMF output on. Create
 * the Powertools instances after calling this.
 */
export function captureConsole(): ConsoleCapture {
  const saved = {
    POWERTOOLS_DEV: process.env['POWERTOOLS_DEV'],
    POWERTOOLS_METRICS_DISABLED: process.env['POWERTOOLS_METRICS_DISABLED'],
  };
  process.env['POWERTOOLS_DEV'] = 'true';
  process.env['POWERTOOLS_METRICS_DISABLED'] = 'false';
  const raw: string[] = [];
  const spies = METHODS.map((method) =>
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      raw.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
    }),
  );
  return {
    raw,
    json: () =>
      raw.flatMap((line) => {
        try {
          const parsed = JSON.parse(line) as unknown;
          return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
            ? [parsed as Record<string, unknown>]
            : [];
        } catch {
          return [];
        }
      }),
    restore: () => {
      for (const spy of spies) spy.mockRestore();
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    },
  };
}

/** An EMF blob's metrics as `{ name, dimensions }` (one entry per metric and dimension set). */
export function emfMetrics(
  blob: Record<string, unknown>,
): { namespace: string; name: string; dimensions: Record<string, string> }[] {
  const aws = blob['_aws'] as
    | {
        CloudWatchMetrics?: {
          Namespace: string;
          Dimensions: string[][];
          Metrics: { Name: string }[];
        }[];
      }
    | undefined;
  return (aws?.CloudWatchMetrics ?? []).flatMap((directive) =>
    directive.Metrics.flatMap((metric) =>
      (directive.Dimensions.length > 0 ? directive.Dimensions : [[]]).map((keys) => ({
        namespace: directive.Namespace,
        name: metric.Name,
        dimensions: Object.fromEntries(keys.map((key) => [key, String(blob[key])])),
      })),
    ),
  );
}
