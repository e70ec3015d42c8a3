import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** DynamoDB requests counted by command and, when asked, by the code that issued them. */
export interface RequestCounter {
  /** Requests per SDK command name (`GetItemCommand`, …). */
  readonly byCommand: ReadonlyMap<string, number>;
  /** Requests per `<step or stage> <repository>.<method> <command>`; empty unless `byOrigin`. */
  readonly byOrigin: ReadonlyMap<string, number>;
  total(): number;
  /** Forgets every count so far. */
  clear(): void;
}

const STEP_FRAME =
  /shared\/(?:cycle\/([\w-]+-step|fan-out)|sending\/stages\/([\w-]+)|ingest\/([\w-]+))\.ts/;
const STORAGE_FRAME = /at (?:async )?(?:\S+\.)?(\w+) \(.*shared\/storage\/([\w-]+)\.ts/;

/**
 * Adds a middleware to `doc` that counts every command it sends. With `byOrigin` (bench only:
 * it captures a stack per request, which slows the run) each request is also attributed to the
 * outermost cycle step or sender stage and the storage method on its async stack.
 */
export function countRequests(
  doc: DynamoDBDocumentClient,
  options: { byOrigin?: boolean } = {},
): RequestCounter {
  const byCommand = new Map<string, number>();
  const byOrigin = new Map<string, number>();
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName).replace(/Command$/, '');
      bump(byCommand, `${name}Command`);
      if (options.byOrigin) {
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 60;
        const stack = new Error().stack ?? '';
        Error.stackTraceLimit = limit;
        bump(byOrigin, `${originOf(stack)} ${name}`);
      }
      return next(args);
    },
    { step: 'initialize', name: 'benchCountRequests' },
  );
  return {
    byCommand,
    byOrigin,
    total: () => [...byCommand.values()].reduce((sum, n) => sum + n, 0),
    clear: () => {
      byCommand.clear();
      byOrigin.clear();
    },
  };
}

function originOf(stack: string): string {
  const lines = stack.split('\n');
  const steps = lines.flatMap((line) => {
    const match = STEP_FRAME.exec(line);
    return match ? [match[1] ?? match[2] ?? match[3] ?? '?'] : [];
  });
  const storage = lines.map((line) => STORAGE_FRAME.exec(line)).find(Boolean);
  const step = steps.at(-1) ?? '?';
  return `${step} ${storage ? `${storage[2]}.${storage[1]}` : '?'}`;
}

/** Prints `byOrigin` as `count/unit  origin` lines, most first. */
export function printOrigins(counter: RequestCounter, units: number, unit: string): void {
  const rows = [...counter.byOrigin.entries()].sort((a, b) => b[1] - a[1]);
  for (const [origin, n] of rows)
    console.error(`  ${(n / units).toFixed(2).padStart(7)} per ${unit}  ${origin}`);
}
