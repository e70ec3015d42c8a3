import { stripQuotedText } from '../policy/request-classifier.js';

/** What a signature block says about its writer. Every field is optional: absent means not found. */
export interface SignatureFields {
  readonly name?: string;
  readonly title?: string;
  readonly phone?: string;
  readonly company?: string;
}

const SIGNATURE_SENTINEL = '\u0003signature';

const SIGN_OFF =
  /^(?:best|best regards|best wishes|kind regards|warm regards|warmest regards|regards|many thanks|thanks(?: again| so much)?|thank you(?: so much)?|cheers|sincerely|yours sincerely|yours truly|all the best|respectfully|thx|br|rgds|talk soon|speak soon|mit freundlichen grüßen|viele grüße|cordialement|saludos|atentamente|un saludo)[\s,.!-]*$/i;

const TITLE =
  /\b(?:ceo|cfo|coo|cto|cio|cmo|chief\b[\w\s]*|president|vice president|s?vp|evp|avp|director|manager|mgr|head of\b[\w\s]*|team lead|lead\b|officer|coordinator|specialist|analyst|engineer|processor|underwriter|appraiser|broker|realtor|consultant|administrator|assistant|associate|partner|owner|founder|co-founder|principal|supervisor|representative|executive|counsel|attorney|paralegal|accountant|controller|treasurer|closer|buyer|purchasing|procurement)\b/i;
const COMPANY =
  /\b(?:inc|llc|l\.l\.c|ltd|limited|corp|corporation|co|company|gmbh|ag|plc|s\.a|bank|bancorp|credit union|mortgage|realty|real estate|title|escrow|lending|loans|financial|finance|capital|group|partners|services|associates|holdings|solutions|appraisals?|valuations?|insurance|properties|federal|savings)\b\.?/i;
const PHONE =
  /(?:(?:tel|phone|ph|mobile|mob|cell|direct|office|work|fax|m|t|p|d|o|c)\.?\s*[:.]?\s*)?(\+?\(?\d[\d\s().\-/]{6,}\d(?:\s*(?:x|ext\.?)\s*\d{1,5})?)/i;
const NOISE =
  /^(?:sent from my|get outlook for|sent via|sent with|this (?:e-?mail|message) (?:and any|is confidential|may contain|was sent|has been sent)|confidentiality notice|disclaimer)/i;
const ADDRESS_LINE =
  /\b\d{1,6}\s+\w+(?:\s+\w+)*\s+(?:st|street|ave|avenue|rd|road|blvd|boulevard|dr|drive|ln|lane|way|suite|ste|floor|fl|plaza|pkwy|parkway|ct|court|pl|place)\b\.?|\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b/i;

/**
 * Finds the signature block of a message body (after a `-- ` line, else after the last sign-off
 * such as "Best," or "Thanks,", else a short last paragraph with a phone number or the writer's
 * name) and reads name, title, phone and company from it. Quoted earlier mail is ignored, so a
 * signature in a quoted reply is never taken for the writer's.
 *
 * @example
 * extractSignature('Sounds good.\n\nBest,\nDana Whitfield\nSenior Loan Officer | Lakeshore Mortgage\nDirect: (312) 555-0142');
 * // { name: 'Dana Whitfield', title: 'Senior Loan Officer', company: 'Lakeshore Mortgage', phone: '(312) 555-0142' }
 */
export function extractSignature(
  text: string,
  hint: { readonly name?: string; readonly address?: string } = {},
): SignatureFields {
  const marked = text.replace(/\r\n?/g, '\n').replace(/^-- ?$/gm, SIGNATURE_SENTINEL);
  const own = stripQuotedText(marked).split('\n');
  const block = signatureBlock(own, hint.name);
  if (block.length === 0) return {};

  const domainStem = (hint.address?.split('@')[1] ?? '').split('.')[0]?.toLowerCase() ?? '';
  const hintTokens = nameTokens(hint.name);
  let name: string | undefined;
  let title: string | undefined;
  let phone: string | undefined;
  let company: string | undefined;

  block.forEach((rawLine, index) => {
    let line = rawLine
      .replace(/\b[\w.%+-]+@[\w.-]+\.[a-z]{2,}\b/gi, ' ')
      .replace(/\b(?:https?:\/\/|www\.)\S+/gi, ' ')
      .trim();
    const phoneMatch = PHONE.exec(line);
    if (phoneMatch?.[1] && (phoneMatch[1].match(/\d/g) ?? []).length >= 7) {
      if (!/^\s*fax\b/i.test(phoneMatch[0])) phone ??= phoneMatch[1].replace(/\s+/g, ' ').trim();
      line = line.replace(PHONE, ' ');
      // A second number on the same line (e.g. "T: … | M: …") is not a company.
      line = line.replace(new RegExp(PHONE.source, 'gi'), ' ');
    }
    line = line.replace(/^[\s|,•·–—-]+|[\s|,•·–—-]+$/g, '').replace(/\s{2,}/g, ' ');
    if (line === '' || ADDRESS_LINE.test(line)) return;

    const hasTitle = TITLE.test(line);
    const hasCompany = COMPANY.test(line);
    if (hasTitle && !hasCompany && !/[|•·]/.test(line) && !looksLikeName(line, hintTokens)) {
      // "VP, Secondary Marketing": a title line, commas and all.
      title ??= line;
      return;
    }
    for (const segment of line.split(/\s*(?:\||•|·|–|—| - |, | at | @ )\s*/)) {
      const part = segment.trim();
      if (part === '') continue;
      if (!name && index <= 1 && looksLikeName(part, hintTokens)) {
        name = part;
      } else if (
        !title &&
        TITLE.test(part) &&
        !/\b(?:inc|llc|ltd|corp|bank|credit union)\b/i.test(part)
      ) {
        title = part;
      } else if (
        !company &&
        (COMPANY.test(part) ||
          (domainStem.length >= 4 && squash(part).includes(domainStem.slice(0, 6)))) &&
        !looksLikeName(part, hintTokens)
      ) {
        company = part;
      }
    }
  });

  return {
    ...(name ? { name } : {}),
    ...(title ? { title } : {}),
    ...(phone ? { phone } : {}),
    ...(company ? { company } : {}),
  };
}

/** "Whitfield, Dana" → "Dana Whitfield"; quotes, "(via …)" and address-like names removed. */
export function cleanDisplayName(name: string | undefined): string | undefined {
  if (!name) return undefined;
  let cleaned = name
    .replace(/\s*\((?:via|from)\b[^)]*\)\s*/gi, ' ')
    .replace(/\s+via\s+.*$/i, '')
    .replace(/["“”]/g, '')
    .trim();
  if (cleaned === '' || cleaned.includes('@')) return undefined;
  const inverted = /^([\p{L}'’-]+),\s*([\p{L}'’. -]+)$/u.exec(cleaned);
  if (inverted?.[1] && inverted[2]) cleaned = `${inverted[2].trim()} ${inverted[1]}`;
  return cleaned.replace(/\s+/g, ' ');
}

function signatureBlock(lines: readonly string[], hintName: string | undefined): string[] {
  const sentinel = lines.findIndex((line) => line.trim() === SIGNATURE_SENTINEL);
  let start = -1;
  if (sentinel >= 0) {
    start = sentinel + 1;
  } else {
    for (let index = lines.length - 1; index >= Math.max(0, lines.length - 20); index -= 1) {
      if (SIGN_OFF.test(lines[index]?.trim() ?? '')) {
        start = index + 1;
        break;
      }
    }
  }
  if (start < 0) {
    // No marker: a short last paragraph that carries a phone number or starts with the writer's name.
    let lastBlank = -1;
    lines.forEach((line, index) => {
      if (line.trim() === '' && index < lines.length - 1) lastBlank = index;
    });
    const paragraph = lines.slice(lastBlank + 1).filter((line) => line.trim() !== '');
    const tokens = nameTokens(hintName);
    const first = paragraph[0]?.trim() ?? '';
    const firstSegment = first.split(/\s*[|•·]\s*/)[0] ?? '';
    if (
      lastBlank >= 0 &&
      paragraph.length <= 6 &&
      ((paragraph.length >= 2 &&
        (paragraph.some((line) => PHONE.test(line)) || looksLikeName(first, tokens))) ||
        // One line: "Luis Romero | Senior Underwriter | Aspen Home Finance | 720-555-0150".
        (paragraph.length === 1 && PHONE.test(first) && looksLikeName(firstSegment, tokens)))
    ) {
      start = lastBlank + 1;
    }
  }
  if (start < 0) return [];
  const block: string[] = [];
  for (const line of lines.slice(start)) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed === SIGNATURE_SENTINEL) continue;
    if (NOISE.test(trimmed) || trimmed.length > 120) break;
    block.push(trimmed);
    if (block.length === 8) break;
  }
  return block;
}

function nameTokens(name: string | undefined): string[] {
  return (cleanDisplayName(name) ?? '')
    .toLowerCase()
    .split(/\s+/)
    .filter((token) => token.length > 1);
}

function looksLikeName(line: string, hintTokens: readonly string[]): boolean {
  if (line.length > 60 || /\d/.test(line)) return false;
  const lower = line.toLowerCase();
  if (hintTokens.length > 0 && hintTokens.every((token) => lower.includes(token))) return true;
  if (TITLE.test(line) || COMPANY.test(line)) return false;
  return /^\p{Lu}[\p{L}'’.-]*(?:\s+\p{Lu}[\p{L}'’.-]*\.?){1,3}$/u.test(line);
}

function squash(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]/g, '');
}
