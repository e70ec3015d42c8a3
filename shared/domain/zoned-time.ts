/**
 * Wall-clock arithmetic in an IANA time zone with nothing but `Intl` (no dependency, no I/O).
 * Sending windows and rate-counter days are the tenant's local ones, so a "day" cap means the
 * tenant's business day wherever its UTC offset puts it.
 */

/** The local calendar fields of an instant in a time zone. */
export interface ZonedParts {
  readonly year: number;
  /** 1–12. */
  readonly month: number;
  /** 1–31. */
  readonly day: number;
  /** 0–23. */
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  readonly weekday: number;
}

const WEEKDAYS: Readonly<Record<string, number>> = {
  Mon: 1,
  Tue: 2,
  Wed: 3,
  Thu: 4,
  Fri: 5,
  Sat: 6,
  Sun: 7,
};

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let cached = formatters.get(timeZone);
  if (!cached) {
    cached = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, cached);
  }
  return cached;
}

/** The local date and time of `instant` in `timeZone`. */
export function zonedParts(instant: Date, timeZone: string): ZonedParts {
  const fields: Record<string, string> = {};
  for (const part of formatter(timeZone).formatToParts(instant)) fields[part.type] = part.value;
  return {
    year: Number(fields['year']),
    month: Number(fields['month']),
    day: Number(fields['day']),
    hour: Number(fields['hour']) % 24,
    minute: Number(fields['minute']),
    second: Number(fields['second']),
    weekday: WEEKDAYS[fields['weekday'] ?? ''] ?? 1,
  };
}

function offsetMs(instant: number, timeZone: string): number {
  const p = zonedParts(new Date(instant), timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(instant / 1_000) * 1_000;
}

/**
 * The instant at which the wall clock in `timeZone` shows the given local time. Days and months
 * out of range roll over like `Date.UTC` (day 32 is the 1st of the next month). A local time that
 * a daylight-saving jump skips resolves to the instant one offset later.
 */
export function zonedInstant(
  local: { year: number; month: number; day: number; hour?: number; minute?: number },
  timeZone: string,
): Date {
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour ?? 0, local.minute ?? 0);
  const first = wall - offsetMs(wall, timeZone);
  const second = wall - offsetMs(first, timeZone);
  return new Date(second);
}

function pad(value: number, length = 2): string {
  return String(value).padStart(length, '0');
}

/** The tenant-local calendar date of an instant, `yyyy-MM-dd`. */
export function localDateKey(instant: Date, timeZone: string): string {
  const p = zonedParts(instant, timeZone);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}

/** The tenant-local month of an instant, `yyyy-MM`. */
export function localMonthKey(instant: Date, timeZone: string): string {
  return localDateKey(instant, timeZone).slice(0, 7);
}

/** The tenant-local hour of an instant, `HH` (00–23). */
export function localHourLabel(instant: Date, timeZone: string): string {
  return pad(zonedParts(instant, timeZone).hour);
}

/** The first instant of the local hour after the one `instant` falls in. */
export function startOfNextLocalHour(instant: Date, timeZone: string): Date {
  const p = zonedParts(instant, timeZone);
  const next = zonedInstant({ ...p, hour: p.hour + 1, minute: 0 }, timeZone);
  // Guard against a zone whose offset is not a whole hour or a DST fold giving the same instant.
  return next.getTime() > instant.getTime() ? next : new Date(instant.getTime() + 3_600_000);
}

/** Local midnight starting the day after the one `instant` falls in. */
export function startOfNextLocalDay(instant: Date, timeZone: string): Date {
  const p = zonedParts(instant, timeZone);
  return zonedInstant({ year: p.year, month: p.month, day: p.day + 1 }, timeZone);
}

/** Local midnight of the first day of the month after the one `instant` falls in. */
export function startOfNextLocalMonth(instant: Date, timeZone: string): Date {
  const p = zonedParts(instant, timeZone);
  return zonedInstant({ year: p.year, month: p.month + 1, day: 1 }, timeZone);
}
