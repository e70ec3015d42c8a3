import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../shared/clock.js';
import type { KillSwitchState } from '../../../shared/domain/gates.js';
import { cachedKillSwitch } from '../../../shared/sending/cached-kill-switch.js';

describe('Sending: cachedKillSwitch', () => {
  function source(states: (KillSwitchState | { unreadable: string })[]) {
    let reads = 0;
    return {
      reader: { read: async () => states[Math.min(reads++, states.length - 1)]! },
      reads: () => reads,
    };
  }

  it('asks the parameter store at most once per interval and sees a flip after it', async () => {
    // Prepare
    const clock = new VirtualClock('2026-01-05T09:00:00Z');
    const { reader, reads } = source([{ on: false }, { on: true }]);
    const killSwitch = cachedKillSwitch(reader, 5_000, clock);

    // Act
    const first = await killSwitch.read();
    clock.advance({ seconds: 4 });
    const cached = await killSwitch.read();
    clock.advance({ seconds: 2 });
    const flipped = await killSwitch.read();

    // Assess
    expect([first, cached, flipped]).toEqual([{ on: false }, { on: false }, { on: true }]);
    expect(reads()).toBe(2);
  });

  it('never caches an unreadable switch', async () => {
    const clock = new VirtualClock('2026-01-05T09:00:00Z');
    const { reader, reads } = source([{ unreadable: 'throttled' }, { on: false }]);
    const killSwitch = cachedKillSwitch(reader, 5_000, clock);

    expect(await killSwitch.read()).toEqual({ unreadable: 'throttled' });
    expect(await killSwitch.read()).toEqual({ on: false });
    expect(reads()).toBe(2);
  });
});
