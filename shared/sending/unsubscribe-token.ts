import { createHmac, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';

/** Shortest signing key accepted, in bytes (HMAC-SHA256 wants at least its output size). */
export const MIN_SIGNING_KEY_BYTES = 32;

/** How long an unsubscribe link works: long enough for a mail read weeks later. */
export const UNSUBSCRIBE_TOKEN_TTL_MS = 90 * 86_400_000;

const TOKEN_VERSION = 'u1';

/**
 * The HMAC key unsubscribe tokens are signed with. It never prints: `toString`, `toJSON` and
 * `util.inspect` give `[redacted]`, so a key that reaches a log line by mistake shows nothing.
 */
export class SigningKey {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length < MIN_SIGNING_KEY_BYTES) {
      throw new RangeError(`signing key must be at least ${MIN_SIGNING_KEY_BYTES} bytes`);
    }
    this.#key = Buffer.from(key);
  }

  /**
   * Reads a key from text: 64+ hex characters, or base64 of 32+ bytes, or (as a last resort) the
   * UTF-8 bytes of a long passphrase.
   */
  static fromText(text: string): SigningKey {
    const trimmed = text.trim();
    if (/^[0-9a-f]+$/i.test(trimmed) && trimmed.length % 2 === 0 && trimmed.length >= 64)
      return new SigningKey(Buffer.from(trimmed, 'hex'));
    if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
      const decoded = Buffer.from(trimmed, 'base64');
      if (decoded.length >= MIN_SIGNING_KEY_BYTES) return new SigningKey(decoded);
    }
    return new SigningKey(Buffer.from(trimmed, 'utf8'));
  }

  /** HMAC-SHA256 of `data` under this key. */
  sign(data: string): Buffer {
    return createHmac('sha256', this.#key).update(data, 'utf8').digest();
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return 'SigningKey [redacted]';
  }
}

/** Who an unsubscribe token unsubscribes, and until when it works. */
export interface UnsubscribeClaims {
  readonly tenantId: string;
  /** Lower-cased recipient address. */
  readonly email: string;
  readonly expiresAt: Date;
}

/** Why a token was refused. */
export type TokenRejection = 'malformed' | 'bad_signature' | 'expired';

/**
 * Signs an unsubscribe token: `u1.<payload>.<signature>`, both base64url; the payload is
 * `{"t":tenantId,"e":email,"x":expiresEpochSeconds}`. Tokens are opaque to recipients but not
 * secret from them (they identify their own address); only the signature must not be forgeable.
 */
export function signUnsubscribeToken(claims: UnsubscribeClaims, key: SigningKey): string {
  const payload = Buffer.from(
    JSON.stringify({
      t: claims.tenantId,
      e: claims.email.trim().toLowerCase(),
      x: Math.floor(claims.expiresAt.getTime() / 1_000),
    }),
    'utf8',
  ).toString('base64url');
  const signature = key.sign(`${TOKEN_VERSION}.${payload}`).toString('base64url');
  return `${TOKEN_VERSION}.${payload}.${signature}`;
}

/**
 * Verifies a token's signature (constant-time) and expiry against `now`. A token that was altered
 * in any byte fails with `bad_signature`; a well-signed one past its expiry with `expired`.
 */
export function verifyUnsubscribeToken(
  token: string,
  key: SigningKey,
  now: Date,
):
  | { readonly ok: true; readonly claims: UnsubscribeClaims }
  | { readonly ok: false; readonly reason: TokenRejection } {
  if (typeof token !== 'string' || token.length > 2_048) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== TOKEN_VERSION) return { ok: false, reason: 'malformed' };
  const [, payload = '', signature = ''] = parts;
  const expected = key.sign(`${TOKEN_VERSION}.${payload}`);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'bad_signature' };
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const claims = decoded as { t?: unknown; e?: unknown; x?: unknown };
  if (
    typeof claims.t !== 'string' ||
    typeof claims.e !== 'string' ||
    !claims.e.includes('@') ||
    typeof claims.x !== 'number'
  ) {
    return { ok: false, reason: 'malformed' };
  }
  const expiresAt = new Date(claims.x * 1_000);
  if (expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { tenantId: claims.t, email: claims.e, expiresAt } };
}

/** The unsubscribe link for a token under the Function URL `baseUrl`. */
export function unsubscribeUrl(baseUrl: string, token: string): string {
  const url = new URL(baseUrl);
  url.searchParams.set('token', token);
  return url.toString();
}
