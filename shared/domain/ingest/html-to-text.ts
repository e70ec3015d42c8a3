/**
 * Converts an HTML mail body to plain text for classification: scripts, styles and comments go,
 * quoted earlier mail (`<blockquote>`, Gmail's `gmail_quote`, Outlook's `divRplyFwdMsg`) is kept
 * but prefixed with `> ` so the request classifier treats it as quoted, block elements and `<br>`
 * become line breaks, and character references are decoded. Good enough for rules; not a renderer.
 *
 * @example
 * htmlToText('<p>Can you call me?</p><blockquote>Earlier mail</blockquote>');
 * // 'Can you call me?\n> Earlier mail'
 */
export function htmlToText(html: string): string {
  let text = html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(script|style|head|title)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/\r\n?/g, '\n')
    .replace(/\n/g, ' ');

  // Mark quoted regions with sentinels before tags go, then prefix their lines.
  text = text
    .replace(/<blockquote\b[^>]*>/gi, '\n\u0001')
    .replace(/<\/blockquote\s*>/gi, '\u0002\n')
    .replace(
      /<div\b[^>]*\b(?:class="[^"]*gmail_quote[^"]*"|id="divRplyFwdMsg")[^>]*>/gi,
      '\n\u0001',
    );

  text = text
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|tr|h[1-6]|table|ul|ol|pre|section|article|header|footer)\s*>/gi, '\n')
    .replace(/<(p|div|li|tr|h[1-6]|table|ul|ol|pre|section|article|header|footer)\b[^>]*>/gi, '\n')
    .replace(/<\/t[dh]\s*>/gi, ' ')
    .replace(/<[^>]+>/g, '');

  const lines: string[] = [];
  let depth = 0;
  for (const rawLine of decodeEntities(text).split('\n')) {
    let line = '';
    let lineDepth = depth;
    for (const char of rawLine) {
      if (char === '\u0001') {
        depth += 1;
        lineDepth = Math.max(lineDepth, depth);
      } else if (char === '\u0002') {
        depth = Math.max(0, depth - 1);
      } else {
        line += char;
      }
    }
    const trimmed = line.replace(/[ \t\u00A0]+/g, ' ').trim();
    if (trimmed === '') {
      if (lines.length > 0 && lines[lines.length - 1] !== '') lines.push('');
      continue;
    }
    lines.push(lineDepth > 0 ? `${'> '.repeat(lineDepth)}${trimmed}` : trimmed);
  }
  return lines.join('\n').trim();
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  ndash: '–',
  mdash: '—',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  hellip: '…',
  copy: '©',
  reg: '®',
  trade: '™',
  euro: '€',
  pound: '£',
  bull: '•',
  middot: '·',
};

/** Decodes named (common ones) and numeric character references. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, body: string) => {
    if (body.startsWith('#x') || body.startsWith('#X'))
      return safeCodePoint(parseInt(body.slice(2), 16), whole);
    if (body.startsWith('#')) return safeCodePoint(parseInt(body.slice(1), 10), whole);
    return NAMED_ENTITIES[body.toLowerCase()] ?? whole;
  });
}

function safeCodePoint(code: number, fallback: string): string {
  return Number.isInteger(code) && code > 0 && code <= 0x10ffff
    ? String.fromCodePoint(code)
    : fallback;
}
