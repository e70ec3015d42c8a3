import { describe, expect, it } from 'vitest';
import { VirtualClock, durationToMs, hourKey } from '../../shared/clock.js';
import { createIdGenerator, seededRandom } from '../../shared/ids.js';

describe('Shared: VirtualClock', () => {
  it('stands still until advanced', () => {
    const clock = new VirtualClock('2026-01-05T09:00:00Z');

    const before = clock.now();
    clock.advance({ hours: 1, minutes: 30 });

    expect(before.toISOString()).toBe('2026-01-05T09:00:00.000Z');
    expect(clock.now().toISOString()).toBe('2026-01-05T10:30:00.000Z');
  });

  it('refuses to move backwards', () => {
    const clock = new VirtualClock('2026-01-05T09:00:00Z');

    expect(() => clock.set('2026-01-05T08:59:59Z')).toThrow(RangeError);
    expect(clock.now().toISOString()).toBe('2026-01-05T09:00:00.000Z');
  });

  it('refuses an invalid start instant', () => {
    expect(() => new VirtualClock('not a date')).toThrow('Not a valid instant');
  });

  it('refuses negative durations', () => {
    expect(() => durationToMs({ minutes: -1 })).toThrow(RangeError);
  });

  it.each([
    { instant: '2026-01-05T09:00:00.000Z', key: '2026010509' },
    { instant: '2026-01-05T09:59:59.999Z', key: '2026010509' },
    { instant: '2026-12-31T23:30:00.000Z', key: '2026123123' },
  ])('keys $instant to the UTC hour $key', ({ instant, key }) => {
    expect(hourKey(new Date(instant))).toBe(key);
  });
});

describe('Shared: createIdGenerator', () => {
  it('produces ids that sort in creation order within one millisecond', () => {
    const newId = createIdGenerator(new VirtualClock('2026-01-05T09:00:00Z'));

    const ids = Array.from({ length: 50 }, () => newId());

    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(50);
  });

  it('encodes the clock time, so ids from later hours sort after earlier ones', () => {
    const clock = new VirtualClock('2026-01-05T09:00:00Z');
    const newId = createIdGenerator(clock);
    const early = newId();
    clock.advance({ hours: 1 });

    expect(newId() > early).toBe(true);
  });

  it('repeats the same ids for the same seed and clock', () => {
    const run = () => {
      const newId = createIdGenerator(new VirtualClock('2026-01-05T09:00:00Z'), seededRandom(42));
      return [newId(), newId(), newId()];
    };

    expect(run()).toEqual(run());
  });
});
