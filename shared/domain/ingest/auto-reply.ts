import { stripQuotedText } from '../policy/request-classifier.js';
import { headerValue, type ParsedMessage } from './mime.js';

/** Which evidence made a message an auto-reply. */
export type AutoReplyEvidence = 'header' | 'subject' | 'body';

// Subjects auto-responders write, in several providers' and languages' styles: Exchange/Outlook
// "Automatic reply:", Lotus Notes "Out of Office AutoReply:", Yahoo "Auto Response", Zimbra
// "Out of Office", German "Abwesenheitsnotiz"/"Automatische Antwort", French "Réponse automatique",
// Spanish "Respuesta automática", Dutch "Afwezigheidsbericht", Scandinavian "Autosvar"/"Frånvaro".
const AUTO_REPLY_SUBJECT =
  /^(?:\[?auto(?:matic|mated)?[- ]?(?:reply|response|responder|antwort)\]?|autoreply|auto-reply|out of (?:the )?office(?: autoreply| reply| notice)?|ooo\b|away from (?:the )?office|abwesenheitsnotiz|automatische antwort|abwesend|réponse automatique|absence du bureau|respuesta automática|fuera de la oficina|risposta automatica|resposta automática|afwezigheidsbericht|automatisch antwoord|autosvar|frånvaro|on vacation|vacation reply|on leave)\b/i;

const AWAY_PHRASE =
  /\b(?:i am|i'm|i will be|i'll be|i shall be)\s+(?:currently\s+|now\s+)?(?:out of (?:the )?office|away(?: from (?:the )?office)?|on (?:annual |parental |maternity |paternity |sick )?leave|on vacation|on holiday|travell?ing|out until|offline)\b/i;
const RETURN_PHRASE =
  /\b(?:return(?:ing)?|back (?:on|in|at)|limited access|until|no access to (?:e-?mail|my e-?mail))\b/i;

/**
 * Decides whether a message is an auto-reply or out-of-office notice: RFC 3834 `Auto-Submitted`
 * (anything but `no`), `X-Autoreply`/`X-Autorespond`/`X-Auto-Reply`, `Precedence: auto_reply`,
 * an auto-responder subject (see {@link AUTO_REPLY_SUBJECT}), or — for responders that set none
 * of these — a short own text saying the writer is away with a return date or limited access.
 * Call it after bounce detection: DSNs carry `Auto-Submitted` too.
 */
export function detectAutoReply(message: ParsedMessage): AutoReplyEvidence | undefined {
  const autoSubmitted = headerValue(message, 'auto-submitted')?.trim().toLowerCase();
  if (autoSubmitted && !autoSubmitted.startsWith('no')) return 'header';
  if (
    headerValue(message, 'x-autoreply') ??
    headerValue(message, 'x-autorespond') ??
    headerValue(message, 'x-auto-reply') ??
    headerValue(message, 'x-autoresponse')
  )
    return 'header';
  if (/^\s*auto[_-]?reply\s*$/i.test(headerValue(message, 'precedence') ?? '')) return 'header';
  if (
    /^\s*(?:AutoReply|OOF)\s*$/i.test(
      headerValue(message, 'x-ms-exchange-organization-autoreplytype') ?? '',
    )
  )
    return 'header';
  if (AUTO_REPLY_SUBJECT.test(message.subject)) return 'subject';
  const own = stripQuotedText(message.text);
  if (own.length < 1_200 && AWAY_PHRASE.test(own) && RETURN_PHRASE.test(own)) return 'body';
  return undefined;
}
