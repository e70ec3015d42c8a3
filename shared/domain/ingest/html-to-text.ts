import { compile } from 'html-to-text';

/** Largest HTML body converted; longer HTML is cut first (the text given to rules is capped anyway). */
export const MAX_HTML_INPUT_CHARS = 1024 * 1024;

// Compiled on first use, so a bundle that never converts HTML (the poller) drops html-to-text.
let convert: ((html: string) => string) | undefined;
const compileConverter = () =>
  compile({
    wordwrap: false,
    preserveNewlines: false,
    decodeEntities: true,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
      { selector: 'head', format: 'skip' },
      { selector: 'style', format: 'skip' },
      { selector: 'script', format: 'skip' },
      { selector: 'title', format: 'skip' },
      { selector: 'table', format: 'block' },
      { selector: 'tr', format: 'block' },
      { selector: 'td', format: 'inline' },
      { selector: 'th', format: 'inline' },
      { selector: 'h1', options: { uppercase: false } },
      { selector: 'h2', options: { uppercase: false } },
      { selector: 'h3', options: { uppercase: false } },
      { selector: 'h4', options: { uppercase: false } },
      { selector: 'h5', options: { uppercase: false } },
      { selector: 'h6', options: { uppercase: false } },
      { selector: 'div.gmail_quote', format: 'blockquote', options: { trimEmptyLines: true } },
      { selector: 'blockquote', format: 'blockquote', options: { trimEmptyLines: true } },
    ],
  });

/**
 * Converts an HTML mail body to plain text for classification with html-to-text: scripts, styles,
 * images and link targets go (attributes never reach the text), character references are decoded
 * (`Gr&uuml;&szlig;en` → `Grüßen`), blocks become lines, and quoted earlier mail (`<blockquote>`,
 * Gmail's `gmail_quote`, everything from Outlook's `divRplyFwdMsg` on) is prefixed with `> ` so
 * the request classifier treats it as quoted. Input beyond {@link MAX_HTML_INPUT_CHARS} is ignored.
 *
 * @example
 * htmlToText('<p>Can you call me?</p><blockquote>Earlier mail</blockquote>');
 * // 'Can you call me?\n\n> Earlier mail'
 */
export function htmlToText(html: string): string {
  const marked = html
    .slice(0, MAX_HTML_INPUT_CHARS)
    .replace(/<div\b[^>]*\bid=["']?divRplyFwdMsg\b[^>]*>/i, '<blockquote>$&');
  convert ??= compileConverter();
  return convert(marked)
    .replace(/[ \t\u00A0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n(?:> ?)+(?=\n)/g, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
