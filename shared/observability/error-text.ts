import { redactString, secretValuesFromEnvironment } from './redaction.js';

/** Longest error text kept in a record (run phase, card result, ingest record). */
export const MAX_ERROR_TEXT = 1_000;

/**
 * One line describing an error (`Name: message`, or the value as a string) with every secret cut
 * out (known values, secret-looking environment values, token shapes; see redaction.ts), at most
 * `maxLength` characters. Use it for every error text that is stored or returned.
 */
export function errorText(error: unknown, maxLength = MAX_ERROR_TEXT): string {
  const raw = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return redactText(raw).slice(0, maxLength);
}

/** `text` with every secret cut out, including the values of secret-looking environment variables. */
export function redactText(text: string): string {
  return redactString(text, secretValuesFromEnvironment(process.env));
}
