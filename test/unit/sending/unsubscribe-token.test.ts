import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  SigningKey,
  signUnsubscribeToken,
  unsubscribeUrl,
  verifyUnsubscribeToken,
} from '../../../shared/sending/unsubscribe-token.js';

const KEY = SigningKey.fromText('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff');
const NOW = new Date('2026-01-05T09:00:00.000Z');
const CLAIMS = {
  tenantId: 'acme',
  email: 'Dana@Lakeshore.example',
  expiresAt: new Date('2026-04-05T09:00:00.000Z'),
};

describe('Domain: unsubscribe tokens', () => {
  it('round-trips tenant and lower-cased recipient through a signed token', () => {
    const token = signUnsubscribeToken(CLAIMS, KEY);

    expect(verifyUnsubscribeToken(token, KEY, NOW)).toEqual({
      ok: true,
      claims: { tenantId: 'acme', email: 'dana@lakeshore.example', expiresAt: CLAIMS.expiresAt },
    });
  });

  it('rejects a token changed in any single character', () => {
    const token = signUnsubscribeToken(CLAIMS, KEY);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: token.length - 1 }),
        fc.constantFrom('A', 'z', '0', '_'),
        (index, replacement) => {
          fc.pre(token[index] !== replacement && token[index] !== '.');
          const tampered = `${token.slice(0, index)}${replacement}${token.slice(index + 1)}`;
          const result = verifyUnsubscribeToken(tampered, KEY, NOW);
          expect(result.ok).toBe(false);
        },
      ),
    );
  });

  it('rejects a token signed with another key', () => {
    const other = SigningKey.fromText('ff'.repeat(32));
    expect(verifyUnsubscribeToken(signUnsubscribeToken(CLAIMS, other), KEY, NOW)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('rejects an expired token as expired', () => {
    const token = signUnsubscribeToken(CLAIMS, KEY);
    expect(verifyUnsubscribeToken(token, KEY, new Date('2026-04-05T09:00:00.000Z'))).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it.each(['', 'u1', 'u1.a.b.c', 'v9.abc.def', 'u1..'])(
    'rejects the malformed token %j',
    (token) => {
      expect(verifyUnsubscribeToken(token, KEY, NOW).ok).toBe(false);
    },
  );

  it('puts the token in the token query parameter of the unsubscribe URL', () => {
    const url = new URL(unsubscribeUrl('https://abc.lambda-url.us-east-1.on.aws/', 'u1.x.y'));
    expect(url.searchParams.get('token')).toBe('u1.x.y');
  });

  it('never prints the key: toString, JSON and inspect all redact it', () => {
    expect(String(KEY)).toBe('[redacted]');
    expect(JSON.stringify({ key: KEY })).toBe('{"key":"[redacted]"}');
    expect(inspect(KEY)).not.toContain('0011');
  });

  it('refuses a key shorter than 32 bytes', () => {
    expect(() => SigningKey.fromText('short')).toThrow(RangeError);
  });
});
