import { describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../shared/config.js';
import { ConfigError } from '../../shared/errors.js';

const BASE = { TABLE_NAME: 'agent-table' };

describe('Shared: loadConfig', () => {
  it('accepts a lock lease that outlasts the longest phase by the margin', () => {
    expect(
      loadConfig({ ...BASE, LOCK_TTL_SECONDS: '360', MAX_PHASE_SECONDS: '300' }).lockTtlSeconds,
    ).toBe(360);
  });

  it('fills in safe defaults from a minimal environment', () => {
    const config = loadConfig(BASE);

    expect(config).toMatchObject({
      appName: 'engagement-agent',
      stage: 'dev',
      sendMode: 'dry_run',
      emailSendDisabled: false,
      killSwitchParameter: '/engagement-agent/dev/kill-switch',
      lockTtlSeconds: 900,
    });
  });

  it.each([
    { case: 'missing table name', env: {}, variable: 'TABLE_NAME' },
    { case: 'unknown stage', env: { ...BASE, STAGE: 'qa' }, variable: 'STAGE' },
    {
      case: 'non-numeric lock ttl',
      env: { ...BASE, LOCK_TTL_SECONDS: 'ten' },
      variable: 'LOCK_TTL_SECONDS',
    },
    {
      case: 'lock ttl above an hour',
      env: { ...BASE, LOCK_TTL_SECONDS: '7200' },
      variable: 'LOCK_TTL_SECONDS',
    },
    {
      case: 'lock lease shorter than the longest phase plus margin',
      env: { ...BASE, LOCK_TTL_SECONDS: '300', MAX_PHASE_SECONDS: '300' },
      variable: 'LOCK_TTL_SECONDS',
    },
    {
      case: 'non-boolean send switch',
      env: { ...BASE, EMAIL_SEND_DISABLED: 'maybe' },
      variable: 'EMAIL_SEND_DISABLED',
    },
    {
      case: 'endpoint that is not a URL',
      env: { ...BASE, DYNAMODB_ENDPOINT: 'localhost' },
      variable: 'DYNAMODB_ENDPOINT',
    },
    {
      case: 'kill switch not a parameter path',
      env: { ...BASE, KILL_SWITCH_PARAMETER: 'kill' },
      variable: 'KILL_SWITCH_PARAMETER',
    },
  ])('names the variable when given a $case', ({ env, variable }) => {
    const attempt = () => loadConfig(env);

    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(new RegExp(`^${variable}: `));
    try {
      attempt();
    } catch (error) {
      expect((error as ConfigError).variable).toBe(variable);
    }
  });

  it('shows the rejected value in the error', () => {
    expect(() => loadConfig({ ...BASE, STAGE: 'qa' })).toThrow('(got "qa")');
  });

  it('falls back to dry_run with a warning for an unknown send mode', () => {
    const warn = vi.fn();

    const config = loadConfig({ ...BASE, SEND_MODE: 'yolo' }, { warn });

    expect(config.sendMode).toBe('dry_run');
    expect(warn).toHaveBeenCalledOnce();
    expect(warn.mock.calls[0]?.[0]).toContain('Unknown send mode "yolo"');
    expect(warn.mock.calls[0]?.[1]).toEqual({ variable: 'SEND_MODE', value: 'yolo' });
  });

  it.each([
    { value: 'dry_run', mode: 'dry_run' },
    { value: 'internal_only', mode: 'internal_only' },
    { value: ' LIMITED_LIVE ', mode: 'limited_live' },
    { value: 'production', mode: 'production' },
  ])('accepts send mode $value without warning', ({ value, mode }) => {
    const warn = vi.fn();

    expect(loadConfig({ ...BASE, SEND_MODE: value }, { warn }).sendMode).toBe(mode);
    expect(warn).not.toHaveBeenCalled();
  });

  it.each([
    { value: 'true', expected: true },
    { value: '1', expected: true },
    { value: 'false', expected: false },
    { value: '', expected: false },
  ])('reads EMAIL_SEND_DISABLED=$value as $expected', ({ value, expected }) => {
    expect(loadConfig({ ...BASE, EMAIL_SEND_DISABLED: value }).emailSendDisabled).toBe(expected);
  });

  it('derives the kill switch parameter from app and stage', () => {
    expect(loadConfig({ ...BASE, APP_NAME: 'acme-agent', STAGE: 'prod' }).killSwitchParameter).toBe(
      '/acme-agent/prod/kill-switch',
    );
  });
});
