/**
 * Wall-clock arithmetic in an IANA time zone, delegated to `@date-fns/tz` (`TZDate`, no I/O).
 * Sending windows and rate-counter days are the tenant's local ones, so a "day" cap means the
 * tenant's business day wherever its UTC offset puts it. A local time that a daylight-saving jump
 * skips (midnight in Santiago, Havana or Asunción on the day DST begins; 02:00–02:30 on Lord Howe)
 * resolves to the first instant after the gap; a repeated local time resolves to its later pass.
 */
import { TZDate } from '@date-fns/tz';

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

/** The local date and time of `instant` in `timeZone`. */
export function zonedParts(instant: Date, timeZone: string): ZonedParts {
  const local = new TZDate(instant.getTime(), timeZone);
  return {
    year: local.getFullYear(),
    month: local.getMonth() + 1,
    day: local.getDate(),
    hour: local.getHours(),
    minute: local.getMinutes(),
    second: local.getSeconds(),
    weekday: local.getDay() === 0 ? 7 : local.getDay(),
  };
}

/**
 * The instant at which the wall clock in `timeZone` shows the given local time. Days and months
 * out of range roll over like `Date.UTC` (day 32 is the 1st of the next month); a skipped local
 * time resolves to the first instant after the daylight-saving gap.
 */
export function zonedInstant(
  local: { year: number; month: number; day: number; hour?: number; minute?: number },
  timeZone: string,
): Date {
  const zoned = new TZDate(
    local.year,
    local.month - 1,
    local.day,
    local.hour ?? 0,
    local.minute ?? 0,
    timeZone,
  );
  return new Date(zoned.getTime());
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

/**
 * The first instant of the local hour after the one `instant` falls in (always later). On the
 * night daylight saving ends, the hour after 01:xx is the first pass of the repeated 02:00.
 */
export function startOfNextLocalHour(instant: Date, timeZone: string): Date {
  const p = zonedParts(instant, timeZone);
  const hourStart =
    instant.getTime() - p.minute * 60_000 - p.second * 1_000 - instant.getUTCMilliseconds();
  const next = new Date(hourStart + 3_600_000);
  // An offset change inside the hour (Lord Howe's 30-minute shifts): the wall clock decides.
  return zonedParts(next, timeZone).minute === 0
    ? next
    : zonedInstant({ ...p, hour: p.hour + 1, minute: 0 }, timeZone);
}

/**
 * The first instant of the local day after the one `instant` falls in: local midnight, or the
 * end of the gap when daylight saving begins at midnight (always later, always the next date).
 */
export function startOfNextLocalDay(instant: Date, timeZone: string): Date {
  const p = zonedParts(instant, timeZone);
  return zonedInstant({ year: p.year, month: p.month, day: p.day + 1 }, timeZone);
}

/** The first instant of the first day of the month after the one `instant` falls in. */
export function startOfNextLocalMonth(instant: Date, timeZone: string): Date {
  const p = zonedParts(instant, timeZone);
  return zonedInstant({ year: p.year, month: p.month + 1, day: 1 }, timeZone);
}
