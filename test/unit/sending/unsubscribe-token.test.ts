import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import {
  SigningKey,
  SigningKeyRing,
  signUnsubscribeToken,
  unsubscribeUrl,
  verifyUnsubscribeToken,
} from '../../../shared/sending/unsubscribe-token.js';
import { loadSigningKeys } from '../../../shared/sending/signing-key-source.js';

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

    expect(token).toMatch(/^u2\.k0\./);
    expect(verifyUnsubscribeToken(token, KEY, NOW)).toEqual({
      ok: true,
      claims: { tenantId: 'acme', email: 'dana@lakeshore.example', expiresAt: CLAIMS.expiresAt },
      keyId: 'k0',
    });
  });

  it('verifies each token with the key its key id names, while that key is listed', () => {
    const k1 = SigningKey.fromText('a1'.repeat(32), 'k1');
    const rotated = new SigningKeyRing(k1, [KEY]);
    const oldToken = signUnsubscribeToken(CLAIMS, KEY);
    const newToken = signUnsubscribeToken(CLAIMS, rotated);

    expect(newToken).toMatch(/^u2\.k1\./);
    expect(verifyUnsubscribeToken(oldToken, rotated, NOW)).toMatchObject({ ok: true, keyId: 'k0' });
    expect(verifyUnsubscribeToken(newToken, rotated, NOW)).toMatchObject({ ok: true, keyId: 'k1' });
    expect(verifyUnsubscribeToken(oldToken, new SigningKeyRing(k1), NOW)).toEqual({
      ok: false,
      reason: 'unknown_key',
    });
  });

  it('rejects a token whose key id was swapped for another listed key', () => {
    const k1 = SigningKey.fromText('a1'.repeat(32), 'k1');
    const token = signUnsubscribeToken(CLAIMS, KEY).replace(/^u2\.k0\./, 'u2.k1.');

    expect(verifyUnsubscribeToken(token, new SigningKeyRing(k1, [KEY]), NOW)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('still verifies a first-format token (u1, no key id) with key k0', () => {
    const payload = Buffer.from(
      JSON.stringify({
        t: 'acme',
        e: 'dana@lakeshore.example',
        x: CLAIMS.expiresAt.getTime() / 1_000,
      }),
    ).toString('base64url');
    const signature = createHmac(
      'sha256',
      Buffer.from('00112233445566778899aabbccddeeff'.repeat(2), 'hex'),
    )
      .update(`u1.${payload}`)
      .digest('base64url');

    expect(verifyUnsubscribeToken(`u1.${payload}.${signature}`, KEY, NOW)).toMatchObject({
      ok: true,
      keyId: 'k0',
    });
  });

  it('loads a rotating key set from JSON naming the current key, and one plain key as k0', async () => {
    const rotating = await loadSigningKeys({
      UNSUBSCRIBE_SIGNING_SECRET: JSON.stringify({
        current: 'k1',
        keys: { k0: '00'.repeat(32), k1: '11'.repeat(32) },
      }),
    });
    const plain = await loadSigningKeys({ UNSUBSCRIBE_SIGNING_SECRET: '22'.repeat(32) });

    expect([rotating.current.id, rotating.ids]).toEqual(['k1', ['k1', 'k0']]);
    expect(plain.ids).toEqual(['k0']);
    await expect(
      loadSigningKeys({
        UNSUBSCRIBE_SIGNING_SECRET: JSON.stringify({
          current: 'k2',
          keys: { k1: '11'.repeat(32) },
        }),
      }),
    ).rejects.toThrow(/current key id k2 is not among the keys/);
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
