import { createHmac, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';

/** Shortest signing key accepted, in bytes (HMAC-SHA256 wants at least its output size). */
export const MIN_SIGNING_KEY_BYTES = 32;

/** How long an unsubscribe link works: long enough for a mail read weeks later. */
export const UNSUBSCRIBE_TOKEN_TTL_MS = 90 * 86_400_000;

/** Tokens without a key id (the first format, `u1`); verified with the key of {@link DEFAULT_KEY_ID}. */
const LEGACY_VERSION = 'u1';
/** Tokens naming their key: `u2.<kid>.<payload>.<signature>`. */
const TOKEN_VERSION = 'u2';

/** The id of a key given without one (a plain secret string): the key `u1` tokens were signed with. */
export const DEFAULT_KEY_ID = 'k0';

const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * The HMAC key unsubscribe tokens are signed with, and its id (`kid`, carried in every token so
 * the key can rotate). It never prints: `toString`, `toJSON` and `util.inspect` give
 * `[redacted]`, so a key that reaches a log line by mistake shows nothing.
 */
export class SigningKey {
  readonly #key: Buffer;
  /** The key id tokens signed with this key carry (1-32 letters, digits, `_` or `-`). */
  readonly id: string;

  constructor(key: Buffer, id: string = DEFAULT_KEY_ID) {
    if (key.length < MIN_SIGNING_KEY_BYTES) {
      throw new RangeError(`signing key must be at least ${MIN_SIGNING_KEY_BYTES} bytes`);
    }
    if (!KEY_ID_PATTERN.test(id))
      throw new RangeError('signing key id must be 1-32 letters, digits, _ or -');
    this.#key = Buffer.from(key);
    this.id = id;
  }

  /**
   * Reads a key from text: 64+ hex characters, or base64 of 32+ bytes, or (as a last resort) the
   * UTF-8 bytes of a long passphrase.
   */
  static fromText(text: string, id: string = DEFAULT_KEY_ID): SigningKey {
    const trimmed = text.trim();
    if (/^[0-9a-f]+$/i.test(trimmed) && trimmed.length % 2 === 0 && trimmed.length >= 64)
      return new SigningKey(Buffer.from(trimmed, 'hex'), id);
    if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
      const decoded = Buffer.from(trimmed, 'base64');
      if (decoded.length >= MIN_SIGNING_KEY_BYTES) return new SigningKey(decoded, id);
    }
    return new SigningKey(Buffer.from(trimmed, 'utf8'), id);
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

/**
 * The keys unsubscribe tokens verify with: the current one (new tokens are signed with it) and
 * the previous ones still listed, by id. A token whose key id is not listed is refused
 * (`unknown_key`), so retiring a key (after the 90-day token lifetime) retires its links.
 */
export class SigningKeyRing {
  readonly #keys = new Map<string, SigningKey>();

  constructor(
    readonly current: SigningKey,
    previous: readonly SigningKey[] = [],
  ) {
    for (const key of [current, ...previous]) {
      if (this.#keys.has(key.id)) throw new RangeError(`signing key id ${key.id} is listed twice`);
      this.#keys.set(key.id, key);
    }
  }

  /** The listed key with this id, or `undefined`. */
  get(id: string): SigningKey | undefined {
    return this.#keys.get(id);
  }

  /** The ids of the listed keys, current first. */
  get ids(): string[] {
    return [...this.#keys.keys()];
  }

  toString(): string {
    return `SigningKeyRing [${this.ids.join(', ')}]`;
  }

  toJSON(): string {
    return this.toString();
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** Who an unsubscribe token unsubscribes, and until when it works. */
export interface UnsubscribeClaims {
  readonly tenantId: string;
  /** Lower-cased recipient address. */
  readonly email: string;
  readonly expiresAt: Date;
}

/** Why a token was refused; `unknown_key`: signed with a key id that is not (or no longer) listed. */
export type TokenRejection = 'malformed' | 'unknown_key' | 'bad_signature' | 'expired';

/**
 * Signs an unsubscribe token with the key (a ring's current key): `u2.<kid>.<payload>.<signature>`,
 * payload and signature base64url, the signature over `u2.<kid>.<payload>`; the payload is
 * `{"t":tenantId,"e":email,"x":expiresEpochSeconds}`. Tokens are opaque to recipients but not
 * secret from them (they identify their own address); only the signature must not be forgeable.
 */
export function signUnsubscribeToken(
  claims: UnsubscribeClaims,
  keys: SigningKey | SigningKeyRing,
): string {
  const key = keys instanceof SigningKeyRing ? keys.current : keys;
  const payload = Buffer.from(
    JSON.stringify({
      t: claims.tenantId,
      e: claims.email.trim().toLowerCase(),
      x: Math.floor(claims.expiresAt.getTime() / 1_000),
    }),
    'utf8',
  ).toString('base64url');
  const signed = `${TOKEN_VERSION}.${key.id}.${payload}`;
  return `${signed}.${key.sign(signed).toString('base64url')}`;
}

/**
 * Verifies a token with the key its key id names (a `u1` token, which has none, with
 * {@link DEFAULT_KEY_ID}): signature (constant-time), then expiry against `now`. An id not in
 * `keys` fails with `unknown_key`; a token altered in any byte with `bad_signature` (or
 * `malformed`/`unknown_key` when the change hits the framing or the id); a well-signed one past
 * its expiry with `expired`.
 */
export function verifyUnsubscribeToken(
  token: string,
  keys: SigningKey | SigningKeyRing,
  now: Date,
):
  | { readonly ok: true; readonly claims: UnsubscribeClaims; readonly keyId: string }
  | { readonly ok: false; readonly reason: TokenRejection } {
  if (typeof token !== 'string' || token.length > 2_048) return { ok: false, reason: 'malformed' };
  const parts = token.split('.');
  let keyId: string;
  let payload: string;
  let signature: string;
  if (parts.length === 3 && parts[0] === LEGACY_VERSION) {
    keyId = DEFAULT_KEY_ID;
    [, payload = '', signature = ''] = parts;
  } else if (parts.length === 4 && parts[0] === TOKEN_VERSION) {
    [, keyId = '', payload = '', signature = ''] = parts;
  } else {
    return { ok: false, reason: 'malformed' };
  }
  if (!KEY_ID_PATTERN.test(keyId)) return { ok: false, reason: 'malformed' };
  const key =
    keys instanceof SigningKeyRing ? keys.get(keyId) : keys.id === keyId ? keys : undefined;
  if (!key) return { ok: false, reason: 'unknown_key' };
  const signed =
    parts[0] === LEGACY_VERSION
      ? `${LEGACY_VERSION}.${payload}`
      : `${TOKEN_VERSION}.${keyId}.${payload}`;
  const expected = key.sign(signed);
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
  return { ok: true, claims: { tenantId: claims.t, email: claims.e, expiresAt }, keyId };
}

/** The unsubscribe link for a token under the Function URL `baseUrl`. */
export function unsubscribeUrl(baseUrl: string, token: string): string {
  const url = new URL(baseUrl);
  url.searchParams.set('token', token);
  return url.toString();
}

/**
 * The unsubscribe link a mail to `email` of `tenantId` carries when sent at `now`: a token signed
 * with the key (valid {@link UNSUBSCRIBE_TOKEN_TTL_MS}) under the Function URL `baseUrl`. The
 * sender and `agentctl canary` on AWS build links only through this.
 */
export function unsubscribeLinkFor(
  recipient: { readonly tenantId: string; readonly email: string },
  baseUrl: string,
  keys: SigningKey | SigningKeyRing,
  now: Date,
): string {
  return unsubscribeUrl(
    baseUrl,
    signUnsubscribeToken(
      { ...recipient, expiresAt: new Date(now.getTime() + UNSUBSCRIBE_TOKEN_TTL_MS) },
      keys,
    ),
  );
}
