import * as z from '../zod.js';

/** Why a queue body did not parse: not JSON at all, or JSON that fails the schema at `field`. */
export type QueueBodyProblem =
  | { readonly kind: 'bad_json' }
  | {
      readonly kind: 'schema';
      readonly field: string;
      readonly code: string;
      /** zod's message (states what was expected, not what was received). */
      readonly message: string;
    };

/** The outcome of {@link parseQueueBody}. */
export type QueueBodyResult<T> =
  | { readonly success: true; readonly data: T }
  | { readonly success: false; readonly problem: QueueBodyProblem };

/**
 * A zod schema for a JSON string whose parsed value must match `schema`: the same contract as
 * Powertools Parser's `JSONStringified`, written here because that helper imports zod's full
 * namespace (`import { z }`), which puts zod's 258 KiB of locale tables back into every queue
 * consumer's bundle (docs/DECISIONS.md, "Queue bodies without Powertools Parser").
 */
function jsonStringified<S extends z.ZodMiniType>(schema: S) {
  return z.pipe(
    z.pipe(
      z.string(),
      z.transform((text, ctx) => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          ctx.issues.push({ code: 'custom', message: 'Invalid JSON', input: text });
          return z.NEVER;
        }
      }),
    ),
    schema,
  );
}

/**
 * Parses an SQS message body as JSON matching `schema` (JSON and schema in one zod parse). A failure names the field (dotted path, `body` for the root) and the
 * zod issue code, never the received value or the JSON error text, which may quote the body.
 */
export function parseQueueBody<S extends z.ZodMiniType>(
  schema: S,
  body: string,
): QueueBodyResult<z.output<S>> {
  const parsed = jsonStringified(schema).safeParse(body);
  if (parsed.success) return { success: true, data: parsed.data as z.output<S> };
  const issue = parsed.error.issues[0];
  if (!issue || (issue.code === 'custom' && issue.path.length === 0))
    return { success: false, problem: { kind: 'bad_json' } };
  return {
    success: false,
    problem: {
      kind: 'schema',
      field: issue.path.join('.') || 'body',
      code: issue.code,
      message: issue.message,
    },
  };
}
