/**
 * Message-ID handling for threading: `Message-ID`, `In-Reply-To` and `References` carry
 * `<local@domain>` identifiers; we compare them without brackets and lower-cased.
 */

/** Normalises one Message-ID: brackets and surrounding space removed, lower-cased; `undefined` if empty. */
export function normalizeMessageId(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const trimmed = value.trim().replace(/^<+/, '').replace(/>+$/, '').trim().toLowerCase();
  return trimmed === '' || /\s/.test(trimmed) ? undefined : trimmed;
}

/**
 * Every Message-ID in a `References` / `In-Reply-To` header value, in order, normalised and
 * de-duplicated. Ids without angle brackets (seen from some clients) are accepted when they look
 * like `local@domain`.
 */
export function parseMessageIdList(value: string | undefined): string[] {
  if (!value) return [];
  const found = [...value.matchAll(/<([^<>\s]+)>/g)].map((match) => match[1] ?? '');
  const ids = found.length > 0 ? found : value.split(/[\s,]+/).filter((part) => part.includes('@'));
  const unique: string[] = [];
  for (const id of ids) {
    const normalized = normalizeMessageId(id);
    if (normalized && !unique.includes(normalized)) unique.push(normalized);
  }
  return unique;
}

/** The domain part of a normalised Message-ID (after the last `@`), or `undefined`. */
export function messageIdDomain(id: string): string | undefined {
  const at = id.lastIndexOf('@');
  return at < 0 ? undefined : id.slice(at + 1);
}

/** True when `domain` is `suffix` or a subdomain of it (`eu-west-1.amazonses.com` ⊂ `amazonses.com`). */
export function domainMatches(domain: string, suffix: string): boolean {
  const d = domain.toLowerCase();
  const s = suffix.toLowerCase().replace(/^\.+/, '');
  return d === s || d.endsWith(`.${s}`);
}
