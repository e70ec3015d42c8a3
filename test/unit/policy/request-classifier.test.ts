import { describe, expect, it } from 'vitest';
import {
  REQUEST_CLASSIFIER_RULES,
  detectExplicitRequest,
  stripQuotedText,
  type RequestType,
} from '../../../shared/domain/policy/request-classifier.js';

const GMAIL_QUOTE = [
  'Thanks, talk soon.',
  '',
  'On Mon, Jan 5, 2026 at 9:00 AM Jane Doe <jane@client.example> wrote:',
  '> Can you call me Thursday?',
  '> Jane',
].join('\n');

const GMAIL_WRAPPED_QUOTE = [
  'Sounds good.',
  '',
  'On Mon, Jan 5, 2026 at 9:00 AM Jane Doe <jane@client.example>',
  'wrote:',
  'Please send the revised quote by Friday.',
].join('\n');

const OUTLOOK_QUOTE = [
  'Noted, thank you.',
  '',
  '-----Original Message-----',
  'From: Bob Smith',
  'Sent: Monday, January 5, 2026 9:00 AM',
  'Please call me tomorrow.',
].join('\n');

const OUTLOOK_HEADER_ONLY = [
  'Got it.',
  '________________________________',
  'From: Bob Smith <bob@client.example>',
  'Sent: Monday, January 5, 2026 9:00 AM',
  'Subject: Quote',
  '',
  'Could you send the revised quote by Friday?',
].join('\n');

const FORWARDED = [
  'FYI',
  '---------- Forwarded message ----------',
  'From: Carol <carol@elsewhere.example>',
  'Can you call me Thursday?',
].join('\n');

const REQUEST_ABOVE_QUOTE = [
  'Hi Sam,',
  'Could you please schedule the delivery for Monday?',
  'Thanks',
  '',
  'On Fri, Jan 2, 2026 at 4:12 PM Sam <sam@us.example> wrote:',
  '> We will ship next week.',
].join('\n');

const SIGNATURE_ONLY_REQUEST = [
  'Thanks for the update.',
  '-- ',
  'Jane Doe | Please call me on 555-0100',
].join('\n');

interface RequestCase {
  readonly case: string;
  readonly text: string;
  readonly requestType: RequestType;
}

interface NoneCase {
  readonly case: string;
  readonly text: string;
  readonly rule?: string;
}

describe('Domain: detectExplicitRequest', () => {
  describe('explicit requests addressed to us', () => {
    it.each<RequestCase>([
      { case: 'a modal question to call', text: 'Can you call me Thursday?', requestType: 'call' },
      {
        case: 'a modal ask to send a document',
        text: 'Could you send the revised quote by Friday',
        requestType: 'send_document',
      },
      {
        case: 'a please-imperative',
        text: 'please send the revised quote by Friday',
        requestType: 'send_document',
      },
      { case: 'give me a call', text: 'Give me a call tomorrow', requestType: 'call' },
      { case: 'a wish to meet', text: "I'd like to schedule a meeting", requestType: 'meeting' },
      { case: "a let's proposal", text: "Let's set up a call next week", requestType: 'call' },
      { case: "let's talk", text: "Let's talk on Tuesday afternoon.", requestType: 'meeting' },
      {
        case: 'would you mind + -ing',
        text: 'Would you mind sending the W-9?',
        requestType: 'send_document',
      },
      {
        case: 'a polite conditional',
        text: 'If you could send the revised quote by Friday, that would be great.',
        requestType: 'send_document',
      },
      { case: 'we need you to', text: 'We need you to review the contract.', requestType: 'task' },
      {
        case: 'a bare imperative with object',
        text: 'Send me the contract when it is ready.',
        requestType: 'send_document',
      },
      { case: 'call me back', text: 'Call me back when you can.', requestType: 'call' },
      {
        case: 'a collaborative question',
        text: 'Shall we meet on Tuesday?',
        requestType: 'meeting',
      },
      {
        case: 'can we get a document',
        text: 'Can we get a copy of the invoice?',
        requestType: 'send_document',
      },
      {
        case: 'an availability question',
        text: 'Are you free for a call on Monday?',
        requestType: 'call',
      },
      {
        case: 'a stated need for a document',
        text: 'We need the revised quote by Friday.',
        requestType: 'send_document',
      },
      {
        case: 'a scheduling task',
        text: 'Could you please schedule the delivery for Monday?',
        requestType: 'task',
      },
      {
        case: "the idiom why don't you",
        text: "Why don't you call me tomorrow?",
        requestType: 'call',
      },
      {
        case: 'a request after a greeting and before quoted mail',
        text: REQUEST_ABOVE_QUOTE,
        requestType: 'task',
      },
      {
        case: 'a request signed with an accented name',
        text: 'Can you call me Thursday? Thanks, José',
        requestType: 'call',
      },
      {
        case: 'a request with curly apostrophes',
        text: 'I\u2019d like to set up a call with your team.',
        requestType: 'call',
      },
      {
        case: 'a request in the clause beside a negation',
        text: 'Please send the quote, no need to call.',
        requestType: 'send_document',
      },
      {
        case: 'a request after a report of the past',
        text: 'You sent the wrong invoice. Please send the corrected one.',
        requestType: 'send_document',
      },
      { case: 'a capitalised request', text: 'CAN YOU CALL ME ASAP?', requestType: 'call' },
    ])('detects $case', ({ text, requestType }) => {
      const detection = detectExplicitRequest(text);

      expect(detection.kind).toBe('explicit_request');
      expect(detection.requestType).toBe(requestType);
      expect(detection.rule).toMatch(/^request\./);
      expect(detection.matchedText).toBeDefined();
      expect(text.replace(/\u2019/g, "'")).toContain(detection.matchedText ?? '\u0000');
    });
  });

  describe('text that asks nothing of us', () => {
    it.each<NoneCase>([
      { case: 'our own intention', text: 'We should call them', rule: 'none.own_intention' },
      { case: 'a promise to call', text: 'I will call you', rule: 'none.own_intention' },
      { case: 'a promise to send', text: "I'll send it", rule: 'none.own_intention' },
      { case: 'a negated please', text: "Please don't call me", rule: 'none.negation' },
      { case: 'no need to', text: 'no need to call', rule: 'none.negation' },
      {
        case: 'you do not need to',
        text: "You don't need to send anything",
        rule: 'none.negation',
      },
      { case: 'a modal with not', text: 'Could you not call me at work?', rule: 'none.negation' },
      { case: 'a polite closing', text: "Please don't hesitate to call me." },
      {
        case: 'a counterfactual',
        text: 'If you had called, we would have signed.',
        rule: 'none.hypothetical',
      },
      { case: 'a would-have', text: 'You could have sent it earlier.', rule: 'none.hypothetical' },
      { case: 'a past event', text: 'You called me yesterday', rule: 'none.past_or_report' },
      {
        case: 'a thank-you for past work',
        text: 'Thanks for sending the quote.',
        rule: 'none.past_or_report',
      },
      {
        case: 'an info question',
        text: 'Did you get my email?',
        rule: 'none.question_without_ask',
      },
      {
        case: 'a rhetorical question',
        text: 'Can you believe it?',
        rule: 'none.question_without_ask',
      },
      { case: 'a question about attendance', text: 'Will you be at the conference?' },
      {
        case: 'a conditional offer',
        text: 'If you have any questions, please call me.',
        rule: 'none.conditional_offer',
      },
      { case: 'feel free', text: 'Feel free to call me anytime.', rule: 'none.conditional_offer' },
      { case: 'please find attached', text: 'Please find attached the signed contract.' },
      { case: 'an ask for information only', text: 'Please let me know the delivery date.' },
      { case: 'a noun that looks like a verb', text: 'Call went well, thanks.' },
      { case: "a let's that proposes nothing", text: "Let's hope the call goes well." },
      { case: 'an offer to call us', text: 'Can I call you tomorrow?' },
      {
        case: 'a newsletter',
        text: 'Our spring newsletter is here! Call us today. Unsubscribe | View in browser',
        rule: 'none.automated_text',
      },
      {
        case: 'an out-of-office reply',
        text: 'I am out of the office until Monday. Please call Mary at 555-0100.',
        rule: 'none.automated_text',
      },
      { case: 'empty text', text: '   \n  ', rule: 'none.empty' },
    ])('returns none for $case', ({ text, rule }) => {
      const detection = detectExplicitRequest(text);

      expect(detection.kind).toBe('none');
      expect(detection.requestType).toBeUndefined();
      if (rule) expect(detection.rule).toBe(rule);
    });
  });

  describe('quoted earlier mail', () => {
    it.each<NoneCase>([
      { case: 'a request under a Gmail attribution', text: GMAIL_QUOTE },
      { case: 'a request under a wrapped Gmail attribution', text: GMAIL_WRAPPED_QUOTE },
      { case: 'a request under an Outlook original-message rule', text: OUTLOOK_QUOTE },
      { case: 'a request under an Outlook From/Sent header', text: OUTLOOK_HEADER_ONLY },
      { case: 'a request in a forwarded message', text: FORWARDED },
      {
        case: 'a request only in >-quoted lines',
        text: '> Can you call me?\n> Please send the quote.',
        rule: 'none.quoted_only',
      },
      { case: 'a request only in the signature', text: SIGNATURE_ONLY_REQUEST },
    ])('ignores $case', ({ text, rule }) => {
      const detection = detectExplicitRequest(text);

      expect(detection.kind).toBe('none');
      if (rule) expect(detection.rule).toBe(rule);
    });

    it('keeps the new text and drops everything from the reply header on', () => {
      const stripped = stripQuotedText(GMAIL_QUOTE);

      expect(stripped).toBe('Thanks, talk soon.');
    });
  });

  describe('other languages', () => {
    it.each([
      {
        case: 'Spanish',
        text: '¿Puede llamarme el jueves, por favor?',
        rule: 'language.non_english',
      },
      {
        case: 'German',
        text: 'Können Sie mich bitte am Donnerstag anrufen?',
        rule: 'language.non_english',
      },
      {
        case: 'French',
        text: "Pouvez-vous m'appeler jeudi, s'il vous plaît ?",
        rule: 'language.non_english',
      },
      {
        case: 'Portuguese',
        text: 'Você pode me ligar na quinta-feira?',
        rule: 'language.non_english',
      },
      { case: 'Italian', text: 'Può chiamarmi giovedì, per favore?', rule: 'language.non_english' },
      {
        case: 'Russian',
        text: 'Не могли бы вы позвонить мне в четверг?',
        rule: 'language.non_latin_script',
      },
      { case: 'Chinese', text: '请在星期四给我打电话', rule: 'language.non_latin_script' },
      { case: 'Japanese', text: '木曜日に電話してください。', rule: 'language.non_latin_script' },
      {
        case: 'Spanish above quoted English',
        text: 'Hola, ¿puede enviarme la cotización?\n\nOn Mon, Jan 5, 2026 at 9:00 AM Sam <sam@us.example> wrote:\n> Here is the quote.',
        rule: 'language.non_english',
      },
    ])('reports $case as unsupported and never guesses', ({ text, rule }) => {
      const detection = detectExplicitRequest(text);

      expect(detection).toEqual({ kind: 'unsupported_language', rule });
    });
  });

  it('documents every rule id it can return', () => {
    const texts = [
      'Can you call me Thursday?',
      'We should call them',
      'Did you get my email?',
      '请在星期四给我打电话',
      '> quoted',
      '',
    ];

    const rules = texts.map((text) => detectExplicitRequest(text).rule);

    for (const rule of rules) expect(REQUEST_CLASSIFIER_RULES).toHaveProperty([rule]);
  });
});
