import { describe, expect, it } from 'vitest';
import type { CycleState } from '../../../shared/cycle/state.js';
import { previousReflectionOf } from '../../../shared/cycle/previous-reflection.js';
import { avoidTypeHint, metrics } from './builders.js';

const BASE: CycleState = { tenantId: 't-1', hourKey: '2026010509' };

describe('Cycle: previousReflectionOf', () => {
  it("hands Reflect the previous reflection's metrics and hints that Plan's result carries", () => {
    const handed = {
      metrics: metrics({ contacts: 4 }),
      hints: [avoidTypeHint('research', '2026-01-05T15:00:00.000Z')],
    };

    expect(
      previousReflectionOf({ ...BASE, plan: { planned: 1, previousReflection: handed } }),
    ).toEqual(handed);
  });

  it('says there is none when Plan found none, so Reflect does not look again', () => {
    expect(
      previousReflectionOf({ ...BASE, plan: { planned: 0, previousReflection: null } }),
    ).toBeNull();
  });

  it.each([
    { case: 'no Plan result', state: BASE },
    { case: 'a Plan result from before the hand-over', state: { ...BASE, plan: { planned: 2 } } },
    {
      case: 'a malformed hand-over',
      state: { ...BASE, plan: { previousReflection: { metrics: 'x', hints: [] } } },
    },
  ])('leaves Reflect to read it itself given $case', ({ state }) => {
    expect(previousReflectionOf(state)).toBeUndefined();
  });
});
