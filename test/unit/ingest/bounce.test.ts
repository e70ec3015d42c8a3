import { describe, expect, it } from 'vitest';
import {
  normalizeBounceReason,
  parseDeliveryStatus,
} from '../../../shared/domain/ingest/bounce.js';

describe('Domain: normalizeBounceReason', () => {
  it.each([
    {
      case: 'Gmail unknown user',
      status: '5.1.1',
      text: '550 5.1.1 The email account that you tried to reach does not exist',
      reason: 'user_unknown',
    },
    {
      case: 'Exchange recipient not found',
      status: '5.1.10',
      text: '550 5.1.10 RESOLVER.ADR.RecipientNotFound',
      reason: 'user_unknown',
    },
    {
      case: 'mailbox disabled',
      status: '5.2.1',
      text: '550 5.2.1 The email account that you tried to reach is disabled',
      reason: 'user_unknown',
    },
    {
      case: 'qmail without status',
      status: undefined,
      text: 'Sorry, no mailbox here by that name.',
      reason: 'user_unknown',
    },
    {
      case: 'Postfix mailbox full',
      status: '5.2.2',
      text: '552 5.2.2 Mailbox full',
      reason: 'over_quota',
    },
    {
      case: 'quota wording only',
      status: '4.2.0',
      text: '452 4.2.0 user over quota',
      reason: 'over_quota',
    },
    {
      case: 'domain not found',
      status: '5.4.4',
      text: 'Host or domain name not found',
      reason: 'domain_error',
    },
    {
      case: 'bad destination system',
      status: '5.1.2',
      text: '550 5.1.2 bad destination system address',
      reason: 'domain_error',
    },
    {
      case: 'unknown user at a domain that does not exist',
      status: '5.1.1',
      text: 'domain does not exist',
      reason: 'domain_error',
    },
    {
      case: 'spam rejection',
      status: '5.7.1',
      text: 'Message rejected as spam by Content Filtering',
      reason: 'spam_block',
    },
    {
      case: 'DMARC policy',
      status: '5.7.26',
      text: 'Unauthenticated email is not accepted due to DMARC policy',
      reason: 'spam_block',
    },
    {
      case: 'blocklist without a code',
      status: undefined,
      text: 'Client host blocked using Spamhaus',
      reason: 'spam_block',
    },
    { case: 'generic failure', status: '5.0.0', text: 'Remote server said no', reason: 'other' },
    { case: 'timeout delay', status: '4.4.1', text: 'Connection timed out', reason: 'other' },
  ])('reads $case as $reason', ({ status, text, reason }) => {
    expect(normalizeBounceReason(status, text)).toBe(reason);
  });
});

describe('Domain: parseDeliveryStatus', () => {
  it('reads per-recipient groups with folded diagnostics and lower-case field names', () => {
    const report = [
      'Reporting-MTA: dns; mx.example',
      '',
      'final-recipient: rfc822;one@a.example',
      'action: failed',
      'status: 5.1.1',
      'diagnostic-code: smtp; 550 5.1.1 user unknown,',
      '  try again never',
      '',
      'Final-Recipient: RFC822; <two@b.example>',
      'Action: delayed (will retry)',
      'Status: 4.4.7',
    ].join('\r\n');

    expect(parseDeliveryStatus(report)).toEqual([
      {
        recipient: 'one@a.example',
        action: 'failed',
        status: '5.1.1',
        diagnostic: '550 5.1.1 user unknown, try again never',
        diagnosticType: 'smtp',
      },
      { recipient: 'two@b.example', action: 'delayed', status: '4.4.7' },
    ]);
  });
});
