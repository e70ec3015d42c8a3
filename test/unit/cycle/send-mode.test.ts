import { describe, expect, it } from 'vitest';
import { SEND_MODES, isSendMode, parseSendMode } from '../../../shared/domain/send-mode.js';

describe('Domain: parseSendMode', () => {
  it.each([
    { case: 'an absent value', value: undefined },
    { case: 'an empty value', value: '' },
    { case: 'a blank value', value: '   ' },
  ])('falls back to dry_run silently for $case', ({ value }) => {
    expect(parseSendMode(value)).toEqual({ mode: 'dry_run' });
  });

  it.each([
    { value: 'dry_run', mode: 'dry_run' },
    { value: 'internal_only', mode: 'internal_only' },
    { value: 'limited_live', mode: 'limited_live' },
    { value: 'production', mode: 'production' },
    { value: 'PRODUCTION', mode: 'production' },
    { value: '  Limited_Live\t', mode: 'limited_live' },
  ])('reads $value as $mode without a warning', ({ value, mode }) => {
    const parsed = parseSendMode(value);

    expect(parsed).toEqual({ mode });
    expect(parsed).not.toHaveProperty('warning');
  });

  it.each([
    { case: 'an unknown mode', value: 'yolo' },
    { case: 'a near miss', value: 'dry-run' },
    { case: 'a live mode with a typo', value: 'prod' },
  ])('falls back to dry_run with a warning naming $case', ({ value }) => {
    const parsed = parseSendMode(value);

    expect(parsed.mode).toBe('dry_run');
    expect(parsed.warning).toBe(
      `Unknown send mode "${value}"; falling back to dry_run (known: dry_run, internal_only, limited_live, production)`,
    );
  });

  it('knows exactly the four rollout modes, safest first', () => {
    expect(SEND_MODES).toEqual(['dry_run', 'internal_only', 'limited_live', 'production']);
    expect(isSendMode('production')).toBe(true);
    expect(isSendMode('PRODUCTION')).toBe(false);
    expect(isSendMode(undefined)).toBe(false);
  });
});
