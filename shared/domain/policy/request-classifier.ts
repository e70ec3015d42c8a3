/**
 * Rule-based detection of an explicit request addressed to us in an inbound message.
 *
 * The policy engine re-runs this on the evidence of every proposed `create_task`, so it is built to
 * say "none" whenever it is unsure: a missed request costs a human a look at the inbox, a false one
 * creates work nobody asked for (seeds: "Do not create human tasks unless client explicitly
 * requested it").
 *
 * Pipeline, in order (the first step that decides returns; `rule` names it):
 * 1. Normalise curly quotes, non-breaking spaces and line endings.
 * 2. Strip earlier mail: lines starting with `>`, and everything from the first reply or forward
 *    header on ("On … wrote:" on one or two lines, "-----Original Message-----", "---------- Forwarded
 *    message ----------", "From: …" followed by "Sent:"/"Date:" within four lines, an Outlook
 *    underscore rule, localised "Am … schrieb"/"Le … a écrit"/"El … escribió" headers) and the
 *    signature after a `-- ` line. Nothing left → `none.empty` or `none.quoted_only`.
 * 3. Language (never guessed): more than 20 % of the letters outside the Latin script (CJK,
 *    Cyrillic, Arabic, Greek …) → `language.non_latin_script`; otherwise a word count of common
 *    Spanish/German/French/Portuguese/Italian function words plus words with their diacritics and
 *    `¿`/`¡` marks, against common English function words: foreign ≥ 2 and foreign > English, or
 *    foreign ≥ 1 with no English word at all → `language.non_english`.
 * 4. Automated text (newsletter footers, "unsubscribe", auto-replies, "do not reply") → `none.automated_text`.
 * 5. Per sentence (split on `.`, `!`, `?` and line breaks); the first request found wins:
 *    - a sentence that is hypothetical or counterfactual ("If you had called…", "would have") is
 *      skipped (`none.hypothetical`), and so is a conditional offer ("If you have any questions,
 *      please call me", "feel free to", "don't hesitate") (`none.conditional_offer`);
 *    - the sentence is split into clauses (`,` `;` `:` and/but/so/then); a clause with a negation
 *      ("don't", "no need", "never", "not" …) is skipped (`none.negation`);
 *    - the request rules, tried in this order on each clause:
 *      `request.modal_question` "Can/Could/Would/Will you (please) <verb>", "Would you mind <verb-ing>",
 *      "Is it possible for you to <verb>"; `request.please` "please/kindly <verb>";
 *      `request.polite_conditional` "if you could/would <verb>"; `request.want_you_to` "I'd like /
 *      we need you to <verb>"; `request.give_a_call` "give me/us a call"; `request.imperative` a
 *      clause that starts with <verb> followed by an object ("Send me…", "Call me…");
 *      `request.lets_meet` "Let's set up a call / talk"; `request.shall_we` "Can/Shall we schedule
 *      / meet / get the invoice"; `request.desire_to_meet` "I'd like to schedule a meeting";
 *      `request.availability` "Are you free for a call"; `request.need_document` "We need the
 *      revised quote".
 *    - <verb> comes from a closed list of actionable verbs (call, send, schedule, review, sign …);
 *      asks for information only ("let me know", "can you confirm", "please advise") and
 *      "please find attached" match no verb and are not requests: they are answered by email.
 * 6. No request: the first skip reason met, else `none.own_intention` (a clause led by I/we:
 *    "We should call them", "I'll send it"), `none.past_or_report` ("You called me yesterday",
 *    "Thanks for sending…"), `none.question_without_ask` ("Did you get my email?"), or `none.no_request`.
 *
 * English only; other languages are reported, never classified.
 */

/** The kind of work a detected request asks of us. */
export const REQUEST_TYPES = ['call', 'meeting', 'send_document', 'task'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

/** What `detectExplicitRequest` concluded, with the id of the rule that decided. */
export interface RequestDetection {
  readonly kind: 'explicit_request' | 'none' | 'unsupported_language';
  readonly requestType?: RequestType;
  /** The sentence that carried the request, in its original casing with quotes and spaces normalised. */
  readonly matchedText?: string;
  readonly rule: string;
}

/** Every rule id the classifier can return, with what it means; for docs and audits. */
export const REQUEST_CLASSIFIER_RULES: Readonly<Record<string, string>> = {
  'request.modal_question':
    '"Can/could/would/will you <verb>", "would you mind <verb-ing>", "is it possible for you to <verb>"',
  'request.please': '"please/kindly <verb>"',
  'request.polite_conditional': '"if you could/would/can <verb>"',
  'request.want_you_to': '"I\'d like / we need / I want you to <verb>"',
  'request.give_a_call': '"give me/us a call/ring"',
  'request.imperative': 'a clause that starts with <verb> and an object ("Send me the quote")',
  'request.lets_meet': '"let\'s set up a call", "let\'s talk"',
  'request.shall_we': '"can/could/shall/should we schedule/meet/talk", "can we get the invoice"',
  'request.desire_to_meet': '"I\'d like to / we want to schedule a meeting, talk, meet"',
  'request.availability': '"are you free for a call", "do you have time to talk"',
  'request.need_document': '"we need the revised quote"',
  'none.empty': 'no text',
  'none.quoted_only': 'only quoted earlier mail, forwarded text or a signature',
  'none.automated_text': 'newsletter, auto-reply or other automated text',
  'none.hypothetical': 'a hypothetical or counterfactual sentence',
  'none.conditional_offer': 'an offer ("if you have any questions, call me", "feel free")',
  'none.negation': 'a negated ask ("please don\'t call", "no need to send")',
  'none.own_intention': 'what the writer will do ("I will call you", "we should call them")',
  'none.past_or_report': 'something that already happened ("you called me yesterday")',
  'none.question_without_ask': 'a question that asks nothing of us ("did you get my email?")',
  'none.no_request': 'no request rule matched',
  'language.non_latin_script': 'mostly non-Latin script (CJK, Cyrillic, Arabic …); not classified',
  'language.non_english': 'Latin-script text in another language (es/de/fr/pt/it); not classified',
};

/**
 * Decides whether `text` (an inbound message body) explicitly asks us to do something, following
 * the rules in this module's documentation. Quoted earlier mail never counts; text in a language
 * other than English is reported as `unsupported_language`, never guessed.
 *
 * @example
 * detectExplicitRequest('Can you call me Thursday?');
 * // { kind: 'explicit_request', requestType: 'call', matchedText: 'Can you call me Thursday?', rule: 'request.modal_question' }
 */
export function detectExplicitRequest(text: string): RequestDetection {
  const normalized = normalize(text);
  if (normalized.trim() === '') return { kind: 'none', rule: 'none.empty' };

  const own = stripQuotedText(normalized);
  if (own.trim() === '') return { kind: 'none', rule: 'none.quoted_only' };

  const language = unsupportedLanguageRule(own);
  if (language) return { kind: 'unsupported_language', rule: language };

  if (AUTOMATED_TEXT.test(own)) return { kind: 'none', rule: 'none.automated_text' };

  let firstSkip: string | undefined;
  for (const sentence of splitSentences(own)) {
    const outcome = classifySentence(sentence);
    if (outcome.request) {
      return {
        kind: 'explicit_request',
        requestType: outcome.request.type,
        matchedText: sentence,
        rule: outcome.request.rule,
      };
    }
    firstSkip ??= outcome.skip;
  }
  return { kind: 'none', rule: firstSkip ?? 'none.no_request' };
}

/**
 * Removes earlier mail from a message body: `>`-quoted lines, and everything from the first reply,
 * forward or signature marker on (see the module documentation for the markers).
 */
export function stripQuotedText(text: string): string {
  const lines = normalize(text).split('\n');
  const kept: string[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    if (isReplyHeader(lines, index)) break;
    if (/^\s*>/.test(line)) continue;
    kept.push(line);
  }
  return kept.join('\n').trim();
}

function normalize(text: string): string {
  return text
    .replace(/[\u2018\u2019\u02BC\u2032]/g, "'")
    .replace(/[\u201C\u201D]/g, '"')
    .replace(/\u00A0/g, ' ')
    .replace(/\r\n?/g, '\n');
}

const SINGLE_LINE_HEADERS: readonly RegExp[] = [
  /^\s*-{2,}\s*original message\s*-{2,}/i,
  /^\s*-{2,}\s*forwarded message\s*-{2,}/i,
  /^\s*begin forwarded message:/i,
  /^\s*on\b.{0,250}\bwrote:\s*$/i,
  /^\s*am\b.{0,250}\bschrieb\b.{0,120}:\s*$/i,
  /^\s*le\b.{0,250}\ba écrit\s*:\s*$/i,
  /^\s*el\b.{0,250}\bescribió\s*:\s*$/i,
  /^\s*_{10,}\s*$/,
  /^-- ?$/,
];

function isReplyHeader(lines: readonly string[], index: number): boolean {
  const line = lines[index] ?? '';
  if (SINGLE_LINE_HEADERS.some((pattern) => pattern.test(line))) return true;
  const next = lines[index + 1] ?? '';
  // Gmail wraps long attributions: "On Mon, 5 Jan 2026 at 09:00, Jane Doe <jane@x.com>" / "wrote:".
  if (/^\s*on\b/i.test(line) && /\bwrote:\s*$/i.test(next) && line.length + next.length < 300)
    return true;
  // Outlook: "From: …" with "Sent:" or "Date:" a few lines below.
  if (/^\s*\*?from:\*?\s+\S/i.test(line)) {
    return lines
      .slice(index + 1, index + 5)
      .some((candidate) => /^\s*\*?(sent|date):\*?\s/i.test(candidate));
  }
  return false;
}

const NON_LATIN_LETTER =
  /[\p{Script=Cyrillic}\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Greek}\p{Script=Thai}\p{Script=Devanagari}\p{Script=Armenian}\p{Script=Georgian}]/u;

// Common function words only, and only those that are not also ordinary English words
// ("a", "an", "am", "die", "in", "me", "no", "on", "per", "so", "was", "will" are left out on purpose).
const FOREIGN_WORDS = new Set(
  [
    // es
    'el los las que por para con una usted ustedes gracias hola favor puede podría podria nos llamar llamarme',
    'mañana del pero muy está estoy buenos días saludos reunión enviar envíe cotización jueves lunes martes',
    'viernes semana también cuando su sus es en la de y',
    // de
    'der das und ist nicht bitte sie mich ich wir mit für ein eine einen können könnten danke morgen uns zu',
    'auf dem den ihr ihnen anrufen senden schicken termin angebot grüße hallo guten woche donnerstag',
    'freitag montag vielen dank',
    // fr
    'le les des est vous nous je pour avec une merci bonjour pouvez pourriez plaît demain pas du sur mais',
    'très jeudi vendredi lundi semaine devis appeler envoyer réunion cordialement et ce cette qui au aux',
    // pt
    'obrigado obrigada você vocês não com os pode poderia amanhã olá então ligar reunião quinta sexta',
    'orçamento na da em um',
    // it
    'il gli della delle dei grazie ciao buongiorno può potrebbe domani sono che essere vorrei chiamare',
    'chiamarmi inviare riunione giovedì venerdì settimana preventivo favore di mi ci',
  ]
    .join(' ')
    .split(/\s+/),
);

const ENGLISH_WORDS = new Set(
  [
    'the a an and or but you your me my we our us i it is are was were be to of for with on in at by',
    'this that these those please can could would will should thanks thank hi hello call send meeting',
    'have has do does not if from about when what which next week tomorrow today quote invoice let',
    'know get just any there their they them he she his her its as up out all some want need like',
  ]
    .join(' ')
    .split(/\s+/),
);

const FOREIGN_DIACRITIC = /[ñáíóúàèìòùâêîôûäöüßçãõœ]/u;

function unsupportedLanguageRule(text: string): string | undefined {
  const letters = text.match(/\p{L}/gu) ?? [];
  if (letters.length === 0) return undefined;
  const nonLatin = letters.filter((letter) => NON_LATIN_LETTER.test(letter)).length;
  if (nonLatin / letters.length > 0.2) return 'language.non_latin_script';

  const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
  let english = 0;
  let foreign = (text.match(/[¿¡]/g) ?? []).length;
  for (const word of words) {
    if (ENGLISH_WORDS.has(word)) english += 1;
    else if (FOREIGN_WORDS.has(word) || FOREIGN_DIACRITIC.test(word)) foreign += 1;
  }
  if ((foreign >= 2 && foreign > english) || (foreign >= 1 && english === 0))
    return 'language.non_english';
  return undefined;
}

const AUTOMATED_TEXT =
  /\bunsubscribe\b|\bview (?:this (?:email|message) )?in (?:your )?browser\b|\bthis (?:is an )?automated (?:message|email|notification|reply)\b|\bdo not reply to this\b|\bplease do not reply\b|\bno-?reply@|\byou (?:are receiving|received) this (?:email|message)\b|\bmanage (?:your )?(?:email |subscription )?preferences\b|\bout of (?:the )?office\b|\bauto(?:matic)?[- ]?reply\b|\bnewsletter\b/i;

function splitSentences(text: string): string[] {
  return text
    .split(/\n+|(?<=[.!?])\s+/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence !== '');
}

interface VerbEntry {
  readonly base: string;
  readonly ing: string;
  readonly type: RequestType | 'by_object';
}

// Closed list on purpose: only verbs that ask us for work. `by_object` verbs take their type from
// what follows ("schedule a call" → call, "schedule a meeting" → meeting, "schedule the delivery" → task).
const VERBS: readonly VerbEntry[] = [
  { base: 'call', ing: 'calling', type: 'call' },
  { base: 'phone', ing: 'phoning', type: 'call' },
  { base: 'ring', ing: 'ringing', type: 'call' },
  { base: 'schedule', ing: 'scheduling', type: 'by_object' },
  { base: 'set up', ing: 'setting up', type: 'by_object' },
  { base: 'arrange', ing: 'arranging', type: 'by_object' },
  { base: 'book', ing: 'booking', type: 'by_object' },
  { base: 'organize', ing: 'organizing', type: 'by_object' },
  { base: 'organise', ing: 'organising', type: 'by_object' },
  { base: 'meet', ing: 'meeting', type: 'meeting' },
  { base: 'send', ing: 'sending', type: 'send_document' },
  { base: 'resend', ing: 'resending', type: 'send_document' },
  { base: 'email', ing: 'emailing', type: 'send_document' },
  { base: 'e-mail', ing: 'e-mailing', type: 'send_document' },
  { base: 'forward', ing: 'forwarding', type: 'send_document' },
  { base: 'share', ing: 'sharing', type: 'send_document' },
  { base: 'provide', ing: 'providing', type: 'send_document' },
  { base: 'mail', ing: 'mailing', type: 'send_document' },
  { base: 'fax', ing: 'faxing', type: 'send_document' },
  { base: 'quote', ing: 'quoting', type: 'send_document' },
  { base: 'review', ing: 'reviewing', type: 'task' },
  { base: 'sign', ing: 'signing', type: 'task' },
  { base: 'update', ing: 'updating', type: 'task' },
  { base: 'fix', ing: 'fixing', type: 'task' },
  { base: 'correct', ing: 'correcting', type: 'task' },
  { base: 'process', ing: 'processing', type: 'task' },
  { base: 'cancel', ing: 'cancelling', type: 'task' },
  { base: 'change', ing: 'changing', type: 'task' },
  { base: 'add', ing: 'adding', type: 'task' },
  { base: 'remove', ing: 'removing', type: 'task' },
  { base: 'check', ing: 'checking', type: 'task' },
  { base: 'look into', ing: 'looking into', type: 'task' },
  { base: 'follow up', ing: 'following up', type: 'task' },
  { base: 'prepare', ing: 'preparing', type: 'task' },
  { base: 'reschedule', ing: 'rescheduling', type: 'task' },
  { base: 'expedite', ing: 'expediting', type: 'task' },
  { base: 'ship', ing: 'shipping', type: 'task' },
  { base: 'deliver', ing: 'delivering', type: 'task' },
  { base: 'approve', ing: 'approving', type: 'task' },
  { base: 'complete', ing: 'completing', type: 'task' },
  { base: 'fill out', ing: 'filling out', type: 'task' },
  { base: 'submit', ing: 'submitting', type: 'task' },
  { base: 'handle', ing: 'handling', type: 'task' },
  { base: 'help', ing: 'helping', type: 'task' },
  { base: 'sort out', ing: 'sorting out', type: 'task' },
  { base: 'investigate', ing: 'investigating', type: 'task' },
  { base: 'resolve', ing: 'resolving', type: 'task' },
  { base: 'visit', ing: 'visiting', type: 'task' },
  { base: 'inspect', ing: 'inspecting', type: 'task' },
];

const VERB_BY_FORM = new Map<string, VerbEntry>(
  VERBS.flatMap((verb) => [[verb.base, verb] as const, [verb.ing, verb] as const]),
);

function alternation(forms: readonly string[]): string {
  return [...forms]
    .sort((a, b) => b.length - a.length)
    .map((form) => form.replace(/[-/\\^$*+?.()|[\]{}]/g, '\\$&'))
    .join('|');
}

const BASE = `(${alternation(VERBS.map((verb) => verb.base))})`;
const ING = `(${alternation(VERBS.map((verb) => verb.ing))})`;
const FILLERS = '(?:(?:please|kindly|possibly|also|just|quickly|urgently|maybe|do)\\s+)*';
const YOU = '(?:you|u)';
const CALL_NOUNS = /\b(?:call|phone|phone call|zoom|ring|callback)\b/;
const MEETING_NOUNS =
  /\b(?:meeting|meet|demo|appointment|visit|site visit|session|catch[- ]up|conversation|chat|talk|time|walkthrough|walk-through|sync)\b/;
const DOCUMENT_NOUNS =
  'quote|quotation|invoice|invoices|proposal|contract|agreement|document|documents|docs|file|files|report|pricing|price list|price sheet|brochure|statement|form|forms|copy|receipt|estimate|bid|w-9|w9|certificate|coi|paperwork|details|information|info|presentation|deck|slides|link|attachment|spreadsheet|sow|nda';
const MEET_VERBS = 'meet|talk|speak|chat|discuss|catch up|connect|sync';
const ARRANGE_VERBS =
  'schedule|set up|arrange|book|have|get|plan|organize|organise|hop on|jump on|find time for|find a time for';

interface RequestPattern {
  readonly rule: string;
  readonly pattern: RegExp;
  /** Which capture group holds the verb form; the request type is derived from it. */
  readonly verbGroup?: number;
  /** A fixed type, or one derived from the whole match. */
  readonly type?: (match: RegExpMatchArray) => RequestType | undefined;
}

const REQUEST_PATTERNS: readonly RequestPattern[] = [
  {
    rule: 'request.modal_question',
    pattern: new RegExp(
      `\\b(?:can|could|would|will)\\s+${YOU}\\s+${FILLERS}(?:be able to\\s+)?${BASE}\\b`,
    ),
    verbGroup: 1,
  },
  {
    rule: 'request.modal_question',
    pattern: new RegExp(`\\b(?:would|do)\\s+${YOU}\\s+mind\\s+${FILLERS}${ING}\\b`),
    verbGroup: 1,
  },
  {
    rule: 'request.modal_question',
    pattern: new RegExp(
      `\\b(?:is|would|will)\\s+it\\s+(?:be\\s+)?possible\\s+(?:for\\s+${YOU}\\s+)?to\\s+${FILLERS}${BASE}\\b`,
    ),
    verbGroup: 1,
  },
  {
    rule: 'request.modal_question',
    pattern: new RegExp(`\\bare\\s+${YOU}\\s+able\\s+to\\s+${FILLERS}${BASE}\\b`),
    verbGroup: 1,
  },
  {
    rule: 'request.please',
    pattern: new RegExp(`\\b(?:please|pls|plz|kindly)\\s+${FILLERS}${BASE}\\b`),
    verbGroup: 1,
  },
  {
    rule: 'request.polite_conditional',
    pattern: new RegExp(`\\bif\\s+${YOU}\\s+(?:could|would|can)\\s+${FILLERS}${BASE}\\b`),
    verbGroup: 1,
  },
  {
    rule: 'request.want_you_to',
    pattern: new RegExp(
      `\\b(?:i|we)(?:'d|\\s+would)?\\s+(?:really\\s+)?(?:like|love|need|want|require|ask)\\s+${YOU}\\s+to\\s+${FILLERS}${BASE}\\b`,
    ),
    verbGroup: 1,
  },
  {
    rule: 'request.give_a_call',
    pattern: /\bgive\s+(?:me|us)\s+a\s+(?:quick\s+)?(?:call|ring|buzz)\b/,
    type: () => 'call',
  },
  {
    rule: 'request.imperative',
    pattern: new RegExp(
      `^(?:(?:also|and|so|then|ok|okay|just|now)\\s+)*${BASE}\\s+(?:me|us|over|back|it|them|this|that|these|those|the|a|an|our|my|your|asap|\\d)\\b`,
    ),
    verbGroup: 1,
  },
  {
    rule: 'request.lets_meet',
    pattern:
      /\blet(?:'s|\s+us)\s+(?!(?:not|hope|see|say|wait|assume|pretend|just say)\b)[^.?!]{0,40}?\b(call|meeting|meet|talk|speak|chat|demo|catch up|connect|sync|discuss)\b/,
    type: (match) => (CALL_NOUNS.test(match[1] ?? '') ? 'call' : 'meeting'),
  },
  {
    rule: 'request.shall_we',
    pattern: new RegExp(
      `\\b(?:can|could|shall|should)\\s+we\\s+${FILLERS}(?:(?:${MEET_VERBS})\\b|(?:${ARRANGE_VERBS})\\s+(?:a|an|the|some|your|our|that|this|those|these|another)?\\s*(?:[\\w-]+\\s+){0,2}?(?:call|meeting|demo|appointment|visit|session|catch[- ]up|conversation|chat|${DOCUMENT_NOUNS})\\b)`,
    ),
    type: (match) => typeFromObject(match[0]),
  },
  {
    rule: 'request.desire_to_meet',
    pattern: new RegExp(
      `\\b(?:i|we)(?:'d|\\s+would)?\\s+(?:really\\s+)?(?:like|love|want|need)\\s+to\\s+(?:(?:${MEET_VERBS})\\b|(?:schedule|set up|arrange|book|have|plan|organize|organise|hop on|jump on|find time for|find a time for)\\s+(?:a|an|the|some|another)?\\s*(?:[\\w-]+\\s+){0,2}?(?:call|meeting|demo|appointment|visit|session|catch[- ]up|conversation|chat)\\b)`,
    ),
    type: (match) => (CALL_NOUNS.test(match[0]) ? 'call' : 'meeting'),
  },
  {
    rule: 'request.availability',
    pattern: new RegExp(
      `\\b(?:(?:are|would|will)\\s+${YOU}\\s+(?:be\\s+)?(?:available|free|around)|do\\s+${YOU}\\s+have\\s+(?:some\\s+|a\\s+few\\s+|any\\s+)?(?:time|a minute|minutes|availability))\\b[^.?!]{0,30}?\\b(call|meeting|meet|talk|chat|speak|demo)\\b`,
    ),
    type: (match) => (CALL_NOUNS.test(match[1] ?? '') ? 'call' : 'meeting'),
  },
  {
    rule: 'request.need_document',
    pattern: new RegExp(
      `\\b(?:i|we)\\s+(?:still\\s+|urgently\\s+|really\\s+)?(?:need|require)\\s+(?:a\\s+copy\\s+of\\s+)?(?:the|a|an|your|our|that|this|those|these)\\s+(?:[\\w-]+\\s+){0,2}?(?:${DOCUMENT_NOUNS})\\b`,
    ),
    type: () => 'send_document',
  },
];

function typeFromObject(phrase: string): RequestType {
  if (
    new RegExp(`\\b(?:${DOCUMENT_NOUNS})\\b`).test(phrase) &&
    !CALL_NOUNS.test(phrase) &&
    !/\bmeeting\b/.test(phrase)
  ) {
    return 'send_document';
  }
  if (CALL_NOUNS.test(phrase)) return 'call';
  return 'meeting';
}

function typeForVerb(form: string, rest: string): RequestType {
  const verb = VERB_BY_FORM.get(form);
  if (!verb) return 'task';
  if (verb.type !== 'by_object') return verb.type;
  const object = rest.slice(0, 50);
  if (CALL_NOUNS.test(object)) return 'call';
  if (MEETING_NOUNS.test(object)) return 'meeting';
  return 'task';
}

const HYPOTHETICAL =
  /\bif\s+(?:you|we|i|they|he|she)\s+(?:had|hadn't|had not|would have|'d have|were to)\b|\b(?:would|could|should|might|must)(?:\s+not|n't)?\s+have\s+\w+|\bhad\s+(?:you|we|i)\b|\bwhat\s+if\b|\bsuppose\b|\bimagine\b/;
const CONDITIONAL_OFFER =
  /\b(?:if|should|in case|whenever)\s+(?:you|u)\s+(?:ever\s+)?(?:have|need|want|require|would like|'d like|are interested|get stuck|run into|prefer)\b|\bif\s+(?:there\s+is|there's|there\s+are)\s+anything\b|\bfeel\s+free\b|\bhesitate\b|\bany\s+(?:further\s+|other\s+|more\s+)?questions\b/;
const NEGATION =
  /\b(?:not|never|no\s+need|no\s+longer|nothing|cannot|stop|cease|without)\b|n't\b|\bdont\b|\bwont\b|\bcant\b/;
const OWN_INTENTION =
  /^(?:(?:also|and|so|then|ok|okay|sure|great|anyway)\s+)*(?:i|we)(?:'ll|'m|'re|'d|'ve)?\b/;
const PAST_OR_REPORT =
  /^(?:thanks|thank\s+you)\s+(?:so\s+much\s+)?for\b|\b(?:you|we|i)\s+(?:already\s+)?(?:called|sent|emailed|mentioned|said|asked|phoned|scheduled|booked|forwarded|met|spoke|talked|discussed|received|got)\b/;

interface SentenceOutcome {
  readonly request?: { readonly type: RequestType; readonly rule: string };
  readonly skip?: string;
}

function classifySentence(sentence: string): SentenceOutcome {
  // "Why don't you call me" is an ask, not a negation; rewrite the idiom before negations are checked.
  const lower = sentence.toLowerCase().replace(/\bwhy\s+don't\s+(you|u)\b/g, 'can $1');
  if (HYPOTHETICAL.test(lower)) return { skip: 'none.hypothetical' };
  if (CONDITIONAL_OFFER.test(lower)) return { skip: 'none.conditional_offer' };

  let skip: string | undefined;
  for (const clause of splitClauses(lower)) {
    if (NEGATION.test(clause)) {
      skip ??= 'none.negation';
      continue;
    }
    const request = matchRequest(clause);
    if (request) return { request };
    if (OWN_INTENTION.test(clause)) skip ??= 'none.own_intention';
    else if (PAST_OR_REPORT.test(clause)) skip ??= 'none.past_or_report';
  }
  if (skip) return { skip };
  return lower.endsWith('?') ? { skip: 'none.question_without_ask' } : {};
}

function splitClauses(sentence: string): string[] {
  return sentence
    .split(/[,;:]|\s+(?:and|but|so|then)\s+|\s+[-–—]\s+/)
    .map((clause) => clause.trim())
    .filter((clause) => clause !== '');
}

function matchRequest(clause: string): { type: RequestType; rule: string } | undefined {
  for (const candidate of REQUEST_PATTERNS) {
    const match = clause.match(candidate.pattern);
    if (!match) continue;
    if (candidate.verbGroup !== undefined) {
      const form = match[candidate.verbGroup] ?? '';
      const rest = clause.slice((match.index ?? 0) + match[0].length);
      return { type: typeForVerb(form, rest), rule: candidate.rule };
    }
    const type = candidate.type?.(match);
    if (type) return { type, rule: candidate.rule };
  }
  return undefined;
}
