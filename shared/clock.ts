/** A source of the current time. Domain code takes `now` from a Clock, never from `Date.now()`. */
export interface Clock {
  /** The current instant. */
  now(): Date;
}

/** The wall clock, used by Lambda handlers. */
export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}

/**
 * A clock that only moves when told to, used by the simulator and tests.
 *
 * @example
 * const clock = new VirtualClock('2026-01-05T09:00:00Z');
 * clock.advance({ hours: 1 });
 */
export class VirtualClock implements Clock {
  private current: number;

  constructor(start: Date | string | number) {
    this.current = toEpochMs(start);
  }

  now(): Date {
    return new Date(this.current);
  }

  /** Moves the clock to `instant`; moving backwards is refused because time-based invariants assume it. */
  set(instant: Date | string | number): void {
    const next = toEpochMs(instant);
    if (next < this.current) {
      throw new RangeError(`VirtualClock cannot move backwards (from ${this.now().toISOString()})`);
    }
    this.current = next;
  }

  /** Moves the clock forward by the given duration. */
  advance(duration: Duration): void {
    this.set(this.current + durationToMs(duration));
  }
}

/** A span of time expressed in any mix of units. */
export interface Duration {
  readonly ms?: number;
  readonly seconds?: number;
  readonly minutes?: number;
  readonly hours?: number;
  readonly days?: number;
}

/** Converts a Duration to milliseconds; negative parts are refused. */
export function durationToMs(duration: Duration): number {
  const ms =
    (duration.ms ?? 0) +
    (duration.seconds ?? 0) * 1_000 +
    (duration.minutes ?? 0) * 60_000 +
    (duration.hours ?? 0) * 3_600_000 +
    (duration.days ?? 0) * 86_400_000;
  if (!Number.isFinite(ms) || ms < 0) {
    throw new RangeError(
      `Duration must be a finite, non-negative span, got ${JSON.stringify(duration)}`,
    );
  }
  return ms;
}

function toEpochMs(instant: Date | string | number): number {
  const ms = instant instanceof Date ? instant.getTime() : new Date(instant).getTime();
  if (Number.isNaN(ms)) {
    throw new RangeError(`Not a valid instant: ${String(instant)}`);
  }
  return ms;
}

/**
 * The UTC hour an instant falls in, as `yyyyMMddHH`: the key of a tenant-hour
 * (run records, execution names).
 */
export function hourKey(instant: Date): string {
  const iso = instant.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}`;
}
