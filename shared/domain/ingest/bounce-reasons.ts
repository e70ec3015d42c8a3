/**
 * Sisimai's reason vocabulary (https://libsisimai.org/en/reason/): why a delivery failed, named the
 * way the most complete open bounce classifier names it.
 */
export const BOUNCE_REASON_VOCABULARY_LIST = [
  'userunknown',
  'mailboxfull',
  'hostunknown',
  'hasmoved',
  'blocked',
  'spamdetected',
  'policyviolation',
  'rejected',
  'filtered',
  'expired',
  'suspend',
  'systemerror',
  'systemfull',
  'mailererror',
  'mesgtoolarge',
  'toomanyconn',
  'norelaying',
  'securityerror',
  'notaccept',
  'networkerror',
  'contenterror',
  'badreputation',
  'authfailure',
  'requireptr',
  'notcompliantrfc',
  'speeding',
  'syntaxerror',
  'ratelimited',
  'virusdetected',
  'exceedlimit',
  'emailtoolong',
  'undefined',
  'onhold',
  'delivered',
  'feedback',
  'vacation',
] as const;
export type SisimaiReason = (typeof BOUNCE_REASON_VOCABULARY_LIST)[number];
/** The vocabulary as a set, for membership tests. */
export const BOUNCE_REASON_VOCABULARY: ReadonlySet<string> = new Set(BOUNCE_REASON_VOCABULARY_LIST);

/**
 * What the agent does about one reported recipient: `suppress` (the address will never work),
 * `retry_later` (transient: try the touch again later), `count_reputation` (the receiving side
 * refused us, not the address: counts toward the sending identity's reputation pause), `none`.
 */
export type BounceAgentAction = 'suppress' | 'retry_later' | 'count_reputation' | 'none';

/** Reasons that say the address itself is gone (Sisimai's hard bounces). */
const ADDRESS_GONE = new Set<SisimaiReason>([
  'userunknown',
  'hostunknown',
  'hasmoved',
  'notaccept',
]);
const REPUTATION = new Set<SisimaiReason>([
  'blocked',
  'spamdetected',
  'policyviolation',
  'rejected',
  'filtered',
  'norelaying',
  'securityerror',
  'badreputation',
  'authfailure',
  'requireptr',
  'notcompliantrfc',
  'speeding',
  'ratelimited',
  'toomanyconn',
  'virusdetected',
  'contenterror',
]);

/**
 * Hard or soft, Sisimai's way: hard only when the delivery failed permanently (not `delayed`, no
 * 4.x.x status) and the reason says the address is gone (unknown user or host, moved, null MX).
 * Everything else — full mailbox, policy and reputation refusals, delays — is soft.
 */
export function bounceTypeOf(
  reason: SisimaiReason,
  action: 'failed' | 'delayed',
  status: string | undefined,
): 'hard' | 'soft' {
  if (action === 'delayed' || status?.startsWith('4') === true) return 'soft';
  return ADDRESS_GONE.has(reason) ? 'hard' : 'soft';
}

/** What the agent does about a recipient with this reason and hard/soft verdict (pure, total). */
export function agentActionOf(
  reason: SisimaiReason,
  bounceType: 'hard' | 'soft',
): BounceAgentAction {
  if (reason === 'delivered' || reason === 'vacation') return 'none';
  if (reason === 'feedback') return 'suppress';
  if (bounceType === 'hard') return 'suppress';
  if (REPUTATION.has(reason)) return 'count_reputation';
  return 'retry_later';
}

/** The coarse legacy reason (`BouncedRecipient.reason`) a Sisimai reason falls under. */
export function legacyReasonOf(
  reason: SisimaiReason,
): 'user_unknown' | 'over_quota' | 'domain_error' | 'spam_block' | 'other' {
  switch (reason) {
    case 'userunknown':
    case 'hasmoved':
    case 'suspend':
      return 'user_unknown';
    case 'mailboxfull':
      return 'over_quota';
    case 'hostunknown':
    case 'notaccept':
      return 'domain_error';
    case 'blocked':
    case 'spamdetected':
    case 'policyviolation':
    case 'badreputation':
    case 'authfailure':
    case 'requireptr':
    case 'securityerror':
    case 'virusdetected':
      return 'spam_block';
    default:
      return 'other';
  }
}

// Diagnostic wording families, most specific first. Each is a phrase family many MTAs share
// (Postfix, Sendmail, Exim, qmail, Exchange, Gmail, Yahoo, Japanese carriers …), not one server's line.
const TEXT_RULES: readonly (readonly [SisimaiReason, RegExp])[] = [
  // A local delivery agent's failure names the mailer even when it quotes "no such user".
  ['mailererror', /\bprocmail\b|pipe to \|/],
  [
    'rejected',
    /sender (address )?(rejected|denied|refused|blocked|verify failed|not (allowed|accepted))|(from|sender|envelope) .{0,30}(domain )?(must|does not) (resolve|exist)|sender (domain )?(is )?(invalid|unknown)|domain of sender|bad sender|sender verification|return path|mail from .{0,30}rejected|address .{0,20}rejected .{0,20}sender|from:? (domain|address) (is )?(invalid|not valid|unknown)|provide a valid from|purported responsible address|not a member of (this|the) (mailing )?list|non-?member (post|submission)s?\b/,
  ],
  ['policyviolation', /content presents a potential|violates? .{0,30}polic(y|ies)/],
  [
    'notcompliantrfc',
    /multiple addresses in (the )?from|rfc ?(2822|5322|822|5321|1123)(?![;\d])|not (rfc[- ]?)?compliant|duplicate (header|from|message-id)|multiple (from|sender|subject) headers/,
  ],
  [
    'notaccept',
    /no mx (record )?(found|for)|(mx|srv) record indicated no smtp service|(couldn't|could not|cannot) find a mail exchanger|null mx|does not accept (mail|email)|accepts no mail/,
  ],
  ['virusdetected', /\bvirus\b|malware|infected|\bworm\b/],
  [
    'authfailure',
    /\bdmarc\b|\bspf\b.{0,40}(fail|check|policy|record)|\bdkim\b|sender policy framework|authentication (checks? )?fail|not (pass|passing) authentication|unauthenticated (email|mail)\b|is not authorized to send|email authentication/,
  ],
  [
    'requireptr',
    /\bptr\b|reverse dns|reverse (lookup|hostname|name|mapping)|rdns|no (dns )?pointer|cannot find your hostname|client host .{0,40} (has no|without) (a )?(hostname|ptr)|unresolvable (address|host)|ip name lookup failed|does not resolve/,
  ],
  [
    'badreputation',
    /\breputation\b|sender score|poor reputation|temporarily rate limited due to ip|user complaints|unexpected volume/,
  ],
  [
    'spamdetected',
    /\bspam\b|\bjunk\b|bulk mail|\bu[bc]e\b|message content rejected|content rejected|content filter(ing)? (rejected|rejection)|message (was )?(rejected|classified|identified|considered|detected) (as|by) .{0,20}(spam|junk|suspicious)|scored too high|high (spam )?score|mail appears to be unsolicited|unsolicited|\bphish|suspicious (content|message)|(black|block)?listed (url|uri|link|domain)s? in (the )?message|\buribl\b|\bsurbl\b/,
  ],
  [
    'norelaying',
    /relay(ing)? (access )?(denied|not (allowed|permitted))|not permitted to relay|unable to relay|relay not permitted|we do not relay|no relaying|not a gateway|relaying denied|unauthorized relay|address is not verified/,
  ],
  // Connection-count and frequency limits (Postfix anvil "connection rate limit exceeded", QQ/Tencent
  // "frequency limited"); Sisimai files RFC 3463 x.5.3 "too many recipients" here too.
  [
    'toomanyconn',
    /too many (connections|concurrent|sessions|simultaneous|recipients)|connection (rate |count )?(limit|rate) (exceeded|reached)|too many hosts|maximum (number of )?connections|frequency limit/,
  ],
  // A blocked or locked account is a suspended mailbox (Yandex, Mail.ru, La Poste wording).
  ['suspend', /(account|mailbox) (is |has been )?(blocked|locked|frozen)/],
  [
    'blocked',
    /block(ed|list|ing)?\b|black ?list|\bdnsbl\b|\brbl\b|spamhaus|spamcop|barracuda|sorbs|(?<!not )listed (in|on|at)|client host rejected|connection (refused|rejected)|banned|refused to talk to me|open relay|not accepting connections|(smtp|mail) server of your (isp|provider)|use your (isp|provider)|messages from [\d.:a-f]+ weren'?t sent|dynamic (ip|address)|your (ip|address|host)[^.]{0,40}(rejected|denied|not allowed)|not allowed to send|ip .{0,20}(is )?not allowed/,
  ],
  [
    'speeding',
    /too many (messages|mails|emails)|sending (rate|quota)|exceeded .{0,20}(rate|sending) limit|rate limit|throttl|too fast|slow down|receiving mail at a rate/,
  ],
  ['hasmoved', /has (been )?moved|no longer (at|with|valid at)|address has changed|new address/],
  ['contenterror', /headers? (are |is )?too (large|long|big)|too many (headers|received)/],
  [
    'mesgtoolarge',
    /message (size|length) exceeds|message (is )?too (big|large)|size limit|exceeds? (the )?(maximum|max) (message )?size|mail size|message file too big|too large|size exceeds/,
  ],
  [
    'mailboxfull',
    /mailbox (is )?(full|over|exceed)|(over|exceeded?) (its |the |their )?(storage |disk |mailbox |mail )?quota|quota (exceeded|full|reached)|\bquota\b|insufficient (disk|storage|system storage)|mailbox size limit|(user|mail)box (has )?(exceeded|reached)|not enough (disk )?space|out of (disk )?space|mail ?box (is )?too full|storage (space|allocation|limit)|full mailbox|mailfolder is full|disk full|mailbox full/,
  ],
  ['exceedlimit', /exceed(s|ed)? .{0,20}(limit|maximum)|recipient limit/],
  [
    'systemfull',
    /system (is )?full|(mail|local) system (storage|disk) full|insufficient system resources|queue (is )?full/,
  ],
  [
    'suspend',
    /(account|mailbox|user|address|recipient)[^.]{0,40}(is |has been |was )?(disabled|suspended|deactivated|inactive|locked|frozen|closed|expired|not active|on hold)|(disabled|suspended|inactive|deactivated|closed) (account|mailbox|user)|temporarily disabled/,
  ],
  [
    'hostunknown',
    /host (or domain name )?(not found|unknown)|unknown host|domain (name )?(not found|does ?n[o']t exist|unknown)|no such (domain|host)|unrout(e)?able (mail )?domain|domain .{0,40}(couldn't|could not|cannot) be found|nxdomain|name service error|dns (error|failure)|unable to route|host not found|unknown domain|domain (is )?(invalid|not valid)|unresolvable domain|bad destination (system )?address|mail loops back|domain (is )?(not reachable|unreachable)|(?<![@\w.-])[a-z0-9-]+(?:\.[a-z0-9-]+)+ does ?n[o']t exist/,
  ],
  [
    'userunknown',
    /user(name)? (is )?unknown|address wasn'?t found|(was|wasn'?t|was not) found at the destination|unknown recipient or mailbox unavailable|mailbox unavailable|user (does )?not exist|invalid (final delivery )?user ?id|unknown (user|recipient|mailbox|address|local[- ]part)|no such (user|mailbox|recipient|address|account|local user)|(user|recipient|mailbox|address|account)[^.,]{0,30}(does ?n[o']t|did not|does not|doesn't) exist|recipient ?not ?found|recipientnotfound|not (a )?(valid|known) (recipient|user|mailbox)|invalid (recipient|mailbox|address|user)|mailbox (not found|unavailable|does not exist|not exist)|no mailbox here|address (couldn't|could not|cannot|can't) be found|(user|recipient|mailbox|address) (not|isn't|is not) (found|listed|known|recognized|recognised)|recipient name is not recognized|not listed in|user not found|unknown or illegal|no (such )?account|bad recipient|unknown address|undeliverable address|invalid address|is not a valid (mailbox|address)|addressee unknown|this user doesn't have|recipient rejected|does not have an? (account|mailbox)|nonexistent|non-existent|destination (address|mailbox) (is )?(invalid|unknown)|no valid recipients/,
  ],
  [
    'filtered',
    /filter(ed|ing)?\b|refused by .{0,20}(recipient|user)|(recipient|user) (has )?(refused|rejected|blocked)|not accepting (mail|messages|email) from|does not accept mail from|message (was )?refused/,
  ],
  [
    'policyviolation',
    /polic(y|ies)|prohibited|not (allowed|permitted) (by|due)|violat|forbidden|attachment .{0,30}(not allowed|blocked|prohibited)/,
  ],
  [
    'securityerror',
    /security|unauthenticated senders?|\btls\b|starttls|encrypt|certificate|authentication required|must (issue|use) (a )?(starttls|auth)|submission|not authenticated/,
  ],
  [
    'contenterror',
    /content (error|type|encoding)|header (error|syntax)|invalid (header|mime|content|character)|message (header|body) (is )?(invalid|malformed)|\bmime\b|8bit|line too long|character set/,
  ],
  [
    'notcompliantrfc',
    /rfc ?(2822|5322|822|5321|1123)(?![;\d])|not (rfc[- ]?)?compliant|duplicate (header|from|message-id)|multiple (from|sender|subject) headers/,
  ],
  [
    'syntaxerror',
    /syntax error|unrecognized command|command (not )?(recognized|implemented)|(command )?parameters? not (implemented|recognized)|bad sequence|command unrecognized|line too long/,
  ],
  [
    'networkerror',
    /(wasn'?t|was not|unable|not able|couldn'?t|could not|failed) (able )?to (establish|make) (an )?(smtp )?connection|(host )?name (server|lookup) (failure|failed|error)|name server: .{0,80}(failure|error)/,
  ],
  [
    'expired',
    /in the queue too long|not (been )?delivered within|did not accept our requests? to connect|(delivery|retry) (time|period) (expired|exceeded)|message expired|expired|too long in (the )?queue|could not be delivered (within|for) \d|gave up|giving up|retry timeout|timed out|time ?out|have not been able to deliver|has not (yet )?been delivered|not yet been delivered|still (being )?retr|will (continue|keep) (to )?(try|retr)|delivery (is |has been )?(delayed|deferred)|deferred|delayed|still trying/,
  ],
  [
    'networkerror',
    /connection (reset|closed|lost|timed out|dropped|refused)|network (error|unreachable)|no route to host|lost connection|host unreachable|could not connect|unable to connect|dns (lookup|query)|connect to .{0,60} failed|mail (loop|loops)|too many hops|routing loop/,
  ],
  [
    'mailererror',
    /x-unix;|pipe to \||command (died|failed)|procmail|program (error|exited|failed)|\bexit (status|code)|\bmailer error|local delivery failed|service unavailable.{0,20}pipe|unknown mailer/,
  ],
  [
    'systemerror',
    /system (error|failure)|internal (server )?error|server error|temporary (failure|error|problem)|local error|try again later|service (currently |temporarily )?(not available|unavailable)|transaction failed|(write|i\/o) error|resources temporarily|configuration error|misconfigur/,
  ],
  [
    'notaccept',
    /does not accept (mail|email)|not accepting (mail|any mail)|null mx|accepts no mail|no mail (is )?accepted/,
  ],
];

// Enhanced status codes (RFC 3463, plus RFC 7372/7505 additions) whose meaning names one reason.
const STATUS_REASONS: Readonly<Record<string, SisimaiReason>> = {
  '1.1': 'userunknown',
  '1.2': 'hostunknown',
  '1.3': 'userunknown',
  '1.4': 'userunknown',
  '1.6': 'hasmoved',
  '1.7': 'rejected',
  '1.8': 'rejected',
  // Exchange and Office 365 write 5.1.10 for "recipient not found"; RFC 7505's null MX says so in words.
  '1.10': 'userunknown',
  '2.1': 'suspend',
  '2.2': 'mailboxfull',
  // RFC 3463 x.2.3 "message length exceeds administrative limit": Sisimai's exceedlimit.
  '2.3': 'exceedlimit',
  '2.4': 'systemerror',
  '3.0': 'systemerror',
  '3.1': 'systemfull',
  '3.2': 'notaccept',
  '3.3': 'systemerror',
  '3.4': 'mesgtoolarge',
  '3.5': 'systemerror',
  '4.0': 'networkerror',
  '4.1': 'expired',
  '4.2': 'networkerror',
  '4.3': 'systemerror',
  '4.4': 'hostunknown',
  '4.5': 'toomanyconn',
  '4.6': 'networkerror',
  '4.7': 'expired',
  '5.0': 'syntaxerror',
  '5.1': 'syntaxerror',
  '5.2': 'syntaxerror',
  // RFC 3463 x.5.3 "too many recipients": Sisimai files it under toomanyconn.
  '5.3': 'toomanyconn',
  '5.4': 'syntaxerror',
  '5.5': 'syntaxerror',
  '6.0': 'contenterror',
  '6.1': 'contenterror',
  '6.2': 'contenterror',
  '6.3': 'contenterror',
  '6.4': 'contenterror',
  '6.5': 'contenterror',
  '7.0': 'securityerror',
  // RFC 3463 x.7.1 "delivery not authorized": the class default (Sisimai's securityerror); words
  // that name a blocklist, spam or policy decide first.
  '7.1': 'securityerror',
  '7.2': 'securityerror',
  '7.3': 'securityerror',
  '7.4': 'securityerror',
  '7.5': 'securityerror',
  '7.6': 'securityerror',
  '7.7': 'securityerror',
  '7.8': 'securityerror',
  '7.9': 'securityerror',
  '7.13': 'suspend',
  '7.14': 'securityerror',
  '7.20': 'authfailure',
  '7.21': 'authfailure',
  '7.22': 'authfailure',
  '7.23': 'authfailure',
  '7.24': 'authfailure',
  '7.25': 'requireptr',
  '7.26': 'authfailure',
  '7.27': 'notaccept',
  '7.28': 'spamdetected',
  '7.29': 'authfailure',
};

// Codes whose meaning is precise enough to win over wording (wording often quotes help text).
const DECISIVE_CODES = new Set([
  '1.1',
  '1.2',
  '1.6',
  '1.7',
  '1.8',
  '2.2',
  '2.3',
  // RFC 3463 x.4.3 "directory server failure": the receiving system's own fault.
  '4.3',
  '7.25',
  '7.26',
  '7.13',
]);
// Reasons too vague to stand against what the SMTP command says.
const WEAK = new Set<SisimaiReason>(['undefined', 'onhold', 'securityerror', 'systemerror']);

/**
 * Whole-notice conventions of one server family, read when the recipient's own words name no
 * reason. Google Groups' notice (every language) says the group is missing or we may not post;
 * list managers (fml, Mailman, Majordomo) refuse posts from non-members: both refuse our sender.
 */
const NOTICE_RULES: readonly (readonly [SisimaiReason, RegExp])[] = [
  ['rejected', /groups\.google\.com\/support|not a member of (this|the) (mailing )?list/i],
];

/**
 * Names the reason of one failed or delayed recipient from its enhanced status code and the
 * remote server's words. A precise code (x.1.1 unknown user, x.2.2 full mailbox, x.7.26 DMARC …)
 * decides unless the words name something narrower of the same family; otherwise the words decide
 * (phrase families shared across MTAs), then the code's class, then `expired` for a delay and
 * `onhold`/`undefined` when nothing says.
 *
 * @example
 * sisimaiReasonOf('5.1.1', '550 5.1.1 <a@b.example>... User unknown', 'failed'); // 'userunknown'
 */
export function sisimaiReasonOf(
  status: string | undefined,
  diagnostic: string | undefined,
  action: 'failed' | 'delayed',
  diagnosticType?: string,
  context = '',
): SisimaiReason {
  // Amazon SES wraps every remote reply as "5.1.0 - Unknown address error <reply>": not the reason.
  diagnostic = diagnostic?.replace(/\b[245]\.\d\.\d+ - unknown address error\s*/i, '');
  const reply = replyStatusOf(diagnostic ?? '');
  // The remote server's own enhanced code outranks the reporting MTA's Status when they disagree
  // (Sendmail and SES write a generic local Status over the reply they quote).
  const effective =
    reply && reply !== status && !reply.startsWith('2') && !reply.endsWith('.0.0') ? reply : status;
  const [reason, source] = reasonBeforeCommand(effective, diagnostic, action, diagnosticType);
  const command = smtpCommandOf(diagnostic ?? '') ?? smtpCommandOf(context);
  const code = effective?.split('.').slice(1).join('.');
  // An unknown-user wording (without an address code, x.1.x, that settles it) after the message
  // was accepted (end of DATA) or under a policy-class code is a content filter's refusal.
  if (
    reason === 'userunknown' &&
    !(code?.startsWith('1.') ?? false) &&
    (command === 'DATA' || (code?.startsWith('7') ?? false) || /\b5\.7\.\d+/.test(diagnostic ?? ''))
  )
    return 'filtered';
  // A refusal of MAIL FROM is about our sender (qmail: "sender was rejected") unless its words
  // name another cause; an unknown user or host there is our own address or domain.
  if (
    command === 'MAIL' &&
    (source !== 'text' || reason === 'userunknown' || reason === 'hostunknown')
  )
    return 'rejected';
  // Refused at the greeting or EHLO/HELO: the client (our IP or name) is blocked.
  if (
    (command === 'EHLO' || command === 'CONN') &&
    (source !== 'text' || WEAK.has(reason) || reason === 'expired')
  )
    return 'blocked';
  if (reason === 'undefined' || reason === 'onhold') {
    const family = NOTICE_RULES.find(([, pattern]) => pattern.test(context))?.[0];
    if (family) return family;
  }
  return reason;
}

/** The enhanced status code the remote server put after its reply code (`550 5.7.1`, `550-'5.7.1`). */
function replyStatusOf(diagnostic: string): string | undefined {
  return /\b[245]\d\d[ -]['"]?([245]\.\d{1,3}\.\d{1,3})\b/.exec(diagnostic)?.[1];
}

/**
 * The SMTP command a refusal answered, from the wordings MTAs use: Postfix "(in reply to end of
 * DATA command)", Exim "after end of data" / "after RCPT TO", Sendmail transcripts (`>>> DATA`).
 */
export function smtpCommandOf(
  text: string,
): 'CONN' | 'EHLO' | 'MAIL' | 'RCPT' | 'DATA' | undefined {
  const t = text.replace(/\s+/g, ' ');
  const match =
    /in reply to (?:end of )?(DATA|RCPT|MAIL|EHLO|HELO)\b/i.exec(t) ??
    /after (end of data|RCPT TO|MAIL FROM|DATA|EHLO|HELO|initial connection)\b/i.exec(t) ??
    /(?:^|\s)>>> (DATA|RCPT TO|MAIL FROM|EHLO|HELO)\b/i.exec(t) ??
    /SMTP command\s*:?\s*(DATA|RCPT|MAIL)\b/i.exec(t) ??
    /\bSMTP:(RCPT|MAIL|DATA)\b/i.exec(t);
  // qmail: "Connected to … but sender was rejected" (MAIL), "… but my name was rejected" (HELO);
  // Postfix: "… refused to talk to me" and "during greeting" (the connection's banner).
  if (!match && /but sender was rejected/i.test(t)) return 'MAIL';
  if (!match && /but my name was rejected/i.test(t)) return 'EHLO';
  if (!match && /refused to talk to me|greeting (wait|failure)/i.test(t)) return 'CONN';
  const word = match?.[1]?.toUpperCase();
  if (!word) return undefined;
  if (word.startsWith('END OF DATA') || word === 'DATA') return 'DATA';
  if (word.startsWith('RCPT')) return 'RCPT';
  if (word.startsWith('MAIL')) return 'MAIL';
  if (word.startsWith('INITIAL')) return 'CONN';
  return 'EHLO';
}

function reasonBeforeCommand(
  status: string | undefined,
  diagnostic: string | undefined,
  action: 'failed' | 'delayed',
  diagnosticType?: string,
): readonly [SisimaiReason, 'text' | 'code' | 'none'] {
  const text = unfoldReply((diagnostic ?? '').toLowerCase().replace(/\s+/g, ' '));
  const code = status ? status.split('.').slice(1).join('.') : undefined;
  const fromCode = code ? STATUS_REASONS[code] : undefined;
  // A local program's failure (X-Unix) is the mailer's, unless a permanent status names another reason.
  if (
    /^x-(unix|local)/i.test(diagnosticType ?? '') &&
    !/quota|full/.test(text) &&
    !(fromCode && status?.startsWith('5') === true)
  )
    return ['mailererror', 'text'];
  let fromText = TEXT_RULES.find(([, pattern]) => pattern.test(text))?.[0];
  // RFC 3463 x.7.x is the security/policy class: a header refusal under it is a policy decision.
  if (fromText === 'contenterror' && code?.startsWith('7') === true) fromText = 'policyviolation';
  if (fromCode && code && DECISIVE_CODES.has(code)) {
    if (
      fromCode === 'userunknown' &&
      (fromText === 'hostunknown' ||
        fromText === 'suspend' ||
        fromText === 'mailboxfull' ||
        fromText === 'mailererror' ||
        fromText === 'filtered')
    )
      return [fromText, 'text'];
    // x.2.3 is a limit exceeded; "too large/too big" in its words is the message's size itself.
    if (fromCode === 'exceedlimit' && /too (large|big)/.test(text)) return ['mesgtoolarge', 'text'];
    // A precise code is as explicit as words.
    return [fromCode, 'text'];
  }
  if (fromText) {
    return [fromText, 'text'];
  }
  if (fromCode) return [fromCode, 'code'];
  // RFC 5321: 500-504 are syntax or sequence errors.
  if (/^\s*50[0-4]\b/.test(text)) return ['syntaxerror', 'code'];
  // RFC 5321 4yz is transient: a report that gave up after one is the retry period running out.
  if (
    action === 'delayed' ||
    status?.startsWith('4') ||
    /(?:^|[\s:;(])4[0-5]\d(?=[\s,.;:)-]|$)/.test(text)
  )
    return ['expired', 'code'];
  // Sisimai: `onhold` when the server said something no rule places, `undefined` when nothing.
  return [text.trim() ? 'onhold' : 'undefined', 'none'];
}

/** Drops the repeated `550-5.7.1 ` / `550 5.7.1 ` prefixes of a folded multiline SMTP reply (RFC 5321 §4.2.1). */
function unfoldReply(text: string): string {
  const prefix = /(?:^|\s)([245]\d\d)-([245]\.\d{1,3}\.\d{1,3} )?/.exec(text);
  if (!prefix) return text;
  const [reply, enhanced = ''] = [prefix[1] ?? '', prefix[2] ?? ''];
  const repeated = new RegExp(`(?<=\\S\\s)${reply}[ -]${enhanced.replace(/\./g, '\\.')}`, 'g');
  return text.replace(repeated, '');
}
