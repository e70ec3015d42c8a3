import { InvalidArgumentError } from 'commander';

/** The most hours one `simulate` run accepts: a year of hourly cycles. */
export const MAX_SIMULATED_HOURS = 8_760;

/**
 * An option parser for a whole number in `[min, max]`; commander reports its message as
 * "option '--hours <N>' argument '-5' is invalid. <message>" and agentctl exits 2.
 */
export function wholeNumber(min: number, max: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max)
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    return value;
  };
}

/** An option parser for an ISO-8601 instant (`2026-02-02T08:00:00Z`). */
export function isoInstant(text: string): Date {
  const instant = new Date(text);
  if (text.trim() === '' || Number.isNaN(instant.getTime()))
    throw new InvalidArgumentError('expected an ISO-8601 instant such as 2026-02-02T08:00:00Z.');
  return instant;
}

/** A comma-separated list option (`--own-domain a.com,b.com`); empty entries are dropped. */
export function commaList(text: string): string[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}
