import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decideGates,
  formatKillSwitchValue,
  parseKillSwitchValue,
  type KillSwitchState,
} from '../../../shared/domain/gates.js';

describe('Domain: decideGates', () => {
  it.each([
    {
      case: 'an unreadable kill switch, even for an enabled tenant',
      killSwitch: { unreadable: 'ParameterNotFound' },
      tenant: { agentEnabled: true },
      expected: {
        proceed: false,
        reason: 'kill_switch',
        detail: 'kill switch unreadable: ParameterNotFound',
      },
    },
    {
      case: 'a kill switch that is on, with its reason',
      killSwitch: { on: true, reason: 'incident 42' },
      tenant: { agentEnabled: true },
      expected: { proceed: false, reason: 'kill_switch', detail: 'incident 42' },
    },
    {
      case: 'a kill switch that is on without a reason',
      killSwitch: { on: true },
      tenant: { agentEnabled: true },
      expected: { proceed: false, reason: 'kill_switch', detail: 'kill switch is on' },
    },
    {
      case: 'a kill switch that is on for a missing tenant',
      killSwitch: { on: true },
      tenant: undefined,
      expected: { proceed: false, reason: 'kill_switch', detail: 'kill switch is on' },
    },
    {
      case: 'a missing tenant',
      killSwitch: { on: false },
      tenant: undefined,
      expected: { proceed: false, reason: 'tenant_not_found', detail: 'tenant has no settings' },
    },
    {
      case: 'a disabled tenant',
      killSwitch: { on: false, reason: 'all clear' },
      tenant: { agentEnabled: false },
      expected: { proceed: false, reason: 'tenant_disabled', detail: 'agentEnabled is false' },
    },
    {
      case: 'an enabled tenant with the switch off',
      killSwitch: { on: false },
      tenant: { agentEnabled: true },
      expected: { proceed: true },
    },
  ])('decides for $case', ({ killSwitch, tenant, expected }) => {
    expect(decideGates({ killSwitch, tenant })).toEqual(expected);
  });
});

describe('Domain: parseKillSwitchValue', () => {
  it.each([
    { case: 'plain off', value: 'off', expected: { on: false } },
    { case: 'upper-case OFF with spaces', value: '  OFF \n', expected: { on: false } },
    { case: 'plain on', value: 'on', expected: { on: true } },
    { case: 'mixed-case On', value: 'On', expected: { on: true } },
    { case: 'JSON state off', value: '{"state":"off"}', expected: { on: false } },
    {
      case: 'JSON state ON with details',
      value: JSON.stringify({
        state: 'ON',
        reason: 'incident 42',
        changedAt: '2026-01-05T08:00:00.000Z',
        changedBy: 'ops@acme.example',
      }),
      expected: {
        on: true,
        reason: 'incident 42',
        changedAt: '2026-01-05T08:00:00.000Z',
        changedBy: 'ops@acme.example',
      },
    },
    {
      case: 'JSON state off with a reason',
      value: '{"state":"off","reason":"resolved"}',
      expected: { on: false, reason: 'resolved' },
    },
    {
      case: 'JSON details of the wrong type',
      value: '{"state":"off","reason":7,"changedAt":false,"changedBy":null,"extra":"x"}',
      expected: { on: false },
    },
  ])('reads $case', ({ value, expected }) => {
    expect(parseKillSwitchValue(value)).toEqual(expected);
  });

  it.each([
    { case: 'an empty value', value: '' },
    { case: 'a typo', value: 'of' },
    { case: 'false', value: 'false' },
    { case: 'a number', value: '0' },
    { case: 'JSON null', value: 'null' },
    { case: 'a JSON array', value: '["off"]' },
    { case: 'JSON without a state', value: '{"reason":"off"}' },
    { case: 'JSON with an unknown state', value: '{"state":"paused"}' },
    { case: 'JSON with a boolean state', value: '{"state":false}' },
    { case: 'truncated JSON', value: '{"state":"off"' },
  ])('fails closed (on) for $case', ({ value }) => {
    const state = parseKillSwitchValue(value);

    expect(state.on).toBe(true);
    expect(state.reason).toBe(
      `unrecognised kill switch value ${JSON.stringify(value.trim().slice(0, 40))}`,
    );
  });

  it('quotes at most 40 characters of an unrecognised value', () => {
    const state = parseKillSwitchValue('x'.repeat(500));

    expect(state).toEqual({
      on: true,
      reason: `unrecognised kill switch value "${'x'.repeat(40)}"`,
    });
  });
});

describe('Domain: formatKillSwitchValue', () => {
  it('writes the state and details as JSON', () => {
    const value = formatKillSwitchValue({ on: true, reason: 'incident', changedBy: 'ops' });

    expect(JSON.parse(value)).toEqual({ state: 'on', reason: 'incident', changedBy: 'ops' });
  });

  it('round-trips every state through parseKillSwitchValue', () => {
    const text = fc.string({ maxLength: 60 });
    const stateArb: fc.Arbitrary<KillSwitchState> = fc.record(
      { on: fc.boolean(), reason: text, changedAt: text, changedBy: text },
      { requiredKeys: ['on'] },
    );

    fc.assert(
      fc.property(stateArb, (state) => {
        expect(parseKillSwitchValue(formatKillSwitchValue(state))).toEqual(state);
      }),
    );
  });
});
