import { describe, expect, it } from 'vitest';
import {
  agentActionOf,
  bounceTypeOf,
  sisimaiReasonOf,
  smtpCommandOf,
} from '../../../shared/domain/ingest/bounce-reasons.js';

// Wordings written for this test (not copied from the corpus), one per rule family.
describe('Domain: Sisimai reason rules', () => {
  it.each([
    {
      family: 'a folded multiline reply (RFC 5321) is read as one sentence',
      status: '5.7.1',
      text: '550-5.7.1 This message has multiple 550-5.7.1 addresses in From: and is refused',
      reason: 'notcompliantrfc',
    },
    {
      family: 'the remote reply code outranks a generic local Status',
      status: '5.1.1',
      text: '550 5.7.1 Your sending address is on our blacklist',
      reason: 'blocked',
    },
    {
      family: 'qmail: a refused sender is rejected',
      status: '5.7.1',
      text: 'Connected to 198.51.100.7 but sender was rejected. Remote host said: 553 5.7.1 Not authorised',
      reason: 'rejected',
    },
    {
      family: 'a refusal at EHLO with no cause named is a block of the client',
      status: '5.0.0',
      text: 'SMTP error from remote mail server after EHLO relay.example.org: 554 Go away',
      reason: 'blocked',
    },
    {
      family: 'Postfix greeting refusal',
      status: '4.0.0',
      text: 'connect to mx.example.net[203.0.113.9]: server refused to talk to me: 554 not now',
      reason: 'blocked',
    },
    {
      family: "Exim's null-MX wording",
      status: undefined,
      text: 'an MX or SRV record indicated no SMTP service',
      reason: 'notaccept',
    },
    {
      family: 'Amazon SES wrapper around the remote reply',
      status: '5.0.0',
      text: "5.1.0 - Unknown address error 550-'5.2.2 <a@example.net>... Over quota' (delivery attempts: 0)",
      reason: 'mailboxfull',
    },
    {
      family: 'RFC 3463 x.5.3 too many recipients',
      status: '4.5.3',
      text: '452 4.5.3 Too many recipients in this session',
      reason: 'toomanyconn',
    },
    {
      family: 'x.2.3 administrative limit',
      status: '5.2.3',
      text: '552 5.2.3 Message exceeds the per-user limit',
      reason: 'exceedlimit',
    },
    {
      family: 'x.2.3 whose words say the message is too big',
      status: '5.2.3',
      text: '552 5.2.3 Message too big for this mailbox',
      reason: 'mesgtoolarge',
    },
    {
      family: 'a directory that does not list the user is an unknown user, not a blocklist',
      status: undefined,
      text: 'User jo (jo@example.org) not listed in the address directory',
      reason: 'userunknown',
    },
    {
      family: 'a blocked account is suspended',
      status: '5.2.1',
      text: '550 5.2.1 This account has been blocked by its owner',
      reason: 'suspend',
    },
    {
      family: 'a header refusal under a policy code',
      status: '5.7.0',
      text: '554 5.7.0 Header error',
      reason: 'policyviolation',
    },
    {
      family: 'qmail giving up after a connection failure',
      status: '4.4.1',
      text: "Sorry, I wasn't able to establish an SMTP connection. (#4.4.1) I'm not going to try again",
      reason: 'networkerror',
    },
    {
      family: 'a procmail failure quoting "no such user" is the mailer',
      status: '5.1.1',
      text: 'procmail: Unable to write /var/mail/x: No such user',
      reason: 'mailererror',
    },
    {
      family: 'words no rule places',
      status: undefined,
      text: 'Something went sideways here',
      reason: 'onhold',
    },
    {
      family: 'nothing said at all',
      status: undefined,
      text: '',
      reason: 'undefined',
    },
  ])('names $family as $reason', ({ status, text, reason }) => {
    expect(sisimaiReasonOf(status, text, 'failed')).toBe(reason);
  });

  it('reads a Google Groups notice with no diagnostic as a refusal of our sender', () => {
    const notice = 'Visit https://groups.google.com/support/ for help.\nGoogle Groups';

    expect(sisimaiReasonOf(undefined, '', 'failed', undefined, notice)).toBe('rejected');
  });

  it('keeps unknown-user wording after end of DATA a filter refusal, never a hard bounce', () => {
    const reason = sisimaiReasonOf(
      undefined,
      '550 No such user here (in reply to end of DATA command)',
      'failed',
    );

    expect(reason).toBe('filtered');
    expect(bounceTypeOf(reason, 'failed', undefined)).toBe('soft');
    expect(agentActionOf(reason, 'soft')).toBe('count_reputation');
  });

  it('never suppresses a delayed recipient whatever its reason', () => {
    const reason = sisimaiReasonOf('4.1.1', '450 4.1.1 User unknown', 'delayed');

    expect(reason).toBe('userunknown');
    expect(bounceTypeOf(reason, 'delayed', '4.1.1')).toBe('soft');
    expect(agentActionOf(reason, 'soft')).not.toBe('suppress');
  });

  it.each([
    ['Connected to 192.0.2.1 but sender was rejected.', 'MAIL'],
    ['Connected to 192.0.2.1 but my name was rejected.', 'EHLO'],
    ['SMTP error from remote mail server after initial connection:', 'CONN'],
    ['SMTP:RCPT host 192.0.2.8: 553 5.3.0 <x@example.org>... No such user', 'RCPT'],
  ])('finds the SMTP command in %j', (text, command) => {
    expect(smtpCommandOf(text)).toBe(command);
  });
});
