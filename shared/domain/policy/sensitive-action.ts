import type { ProposedAction } from '../actions.js';

const CHANGE_VERBS = 'change|reset|update|rotate|set|modify|replace|new|switch|edit';
const CREDENTIALS =
  'passwords?|passcode|credentials?|api\\s+keys?|secret\\s+keys?|access\\s+tokens?|2fa|mfa';
// Specific phrases only: a bank is an ordinary client in this business, "bank" alone is not sensitive.
const PAYMENT_DETAILS =
  '(?:bank|banking)\\s+(?:details|account|accounts|information|info|instructions)|account\\s+number|routing\\s+number|iban|swift\\s+code|payment\\s+(?:details|method|information|info|instructions)|payee(?:\\s+details)?|remittance\\s+(?:details|address|information|instructions)|direct\\s+deposit';

/**
 * Patterns of operations the agent never performs on its own, whatever the action type: bulk or
 * "all" deletions, credential changes, changes of payment or bank details, and moving money.
 * They are matched on normalised text (lower case, camelCase and `_`/`-` split into words), so
 * `bulkDelete`, `bulk_delete` and "bulk delete" all match.
 */
export const SENSITIVE_PATTERNS: readonly { readonly id: string; readonly pattern: RegExp }[] = [
  {
    id: 'bulk_delete',
    pattern: /\b(?:bulk|mass|batch)\s+(?:delete|deletion|remove|removal|erase|purge)\b/,
  },
  {
    id: 'delete_all',
    pattern:
      /\b(?:delete|remove|erase|wipe|purge|drop|destroy)\s+(?:all|every|everything|entire)\b|\b(?:truncate|drop)\s+(?:the\s+)?table\b/,
  },
  {
    id: 'credential_change',
    pattern: new RegExp(
      `\\b(?:${CHANGE_VERBS}|share|send|disclose|reveal)\\b(?:\\s+\\S+){0,3}?\\s+(?:${CREDENTIALS})\\b(?!\\s+protected)|\\b(?:${CREDENTIALS})\\s+(?:change|reset|update|rotation|rotate)\\b`,
    ),
  },
  {
    id: 'payment_details_change',
    pattern: new RegExp(
      `\\b(?:${CHANGE_VERBS})\\b(?:\\s+\\S+){0,3}?\\s+(?:${PAYMENT_DETAILS})\\b|\\b(?:${PAYMENT_DETAILS})\\s+(?:change|update|changed|updated|edit)\\b`,
    ),
  },
  {
    id: 'wire_transfer',
    pattern:
      /\bwire\s+(?:transfer|the\s+funds|funds|money|payment)\b|\b(?:transfer|send|remit|move)\s+(?:the\s+)?(?:funds|money)\b/,
  },
];

/**
 * Finds the first sensitive pattern in an action's type, reason or payload (keys and string
 * values, nested), returning its id and the text it matched; `undefined` when there is none.
 * Evidence is not scanned: it is the client's text, not what we are about to do. Throws a
 * `RangeError` for a payload too deep or too large to scan completely.
 */
export function findSensitiveOperation(
  action: ProposedAction,
): { readonly id: string; readonly text: string } | undefined {
  const texts = [action.type, action.reason, ...collectStrings(action.payload)];
  for (const raw of texts) {
    const text = normalizeForMatching(raw);
    for (const { id, pattern } of SENSITIVE_PATTERNS) {
      const match = text.match(pattern);
      if (match) return { id, text: match[0] };
    }
  }
  return undefined;
}

function normalizeForMatching(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_\-./]+/g, ' ')
    .toLowerCase()
    .replace(/\s+/g, ' ');
}

const MAX_DEPTH = 8;
const MAX_STRINGS = 500;

// Payloads are small by contract; one too deep or too large throws (and so is denied) rather than
// being scanned in part, which would let a pattern hide past the limit.
function collectStrings(value: unknown, depth = 0, out: string[] = []): string[] {
  if (depth > MAX_DEPTH || out.length > MAX_STRINGS) {
    throw new RangeError(
      `payload exceeds ${MAX_DEPTH} levels or ${MAX_STRINGS} strings; not scanned`,
    );
  }
  if (typeof value === 'string') {
    out.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collectStrings(item, depth + 1, out);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      out.push(key);
      collectStrings(item, depth + 1, out);
    }
  }
  return out;
}
