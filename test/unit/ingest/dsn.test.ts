import { describe, expect, it } from 'vitest';
import { analyseMessage } from '../../../shared/domain/ingest/analyse.js';
import { agentActionOf, bounceTypeOf } from '../../../shared/domain/ingest/bounce-reasons.js';
import { parseMessage } from '../../../shared/domain/ingest/mime.js';

/** A Postfix-style RFC 3464 report with one recipient group per entry. */
function dsn(
  groups: readonly string[][],
  from = 'MAILER-DAEMON@mx.relay.example (Mail Delivery System)',
): string {
  return [
    'Return-Path: <>',
    `From: ${from}`,
    'To: team@northwind-appraisals.example',
    'Subject: Delivery Status Notification',
    'Date: Mon, 12 Jan 2026 15:02:11 +0000',
    'Message-ID: <dsn-table@mx.relay.example>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain',
    '',
    'This is the mail system at host mx.relay.example.',
    '',
    '--b1',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.relay.example',
    '',
    ...groups.flatMap((group) => [...group, '']),
    '--b1--',
    '',
  ].join('\r\n');
}

describe('Domain: delivery status notifications (RFC 3464 Action × Status)', () => {
  it.each([
    {
      case: 'failed with 5.1.1',
      action: 'failed',
      status: '5.1.1',
      diag: '550 5.1.1 User unknown',
      bounce: true,
      type: 'hard',
      reason: 'userunknown',
      act: 'suppress',
    },
    {
      case: 'failed with 5.2.2',
      action: 'failed',
      status: '5.2.2',
      diag: '552 5.2.2 Mailbox full',
      bounce: true,
      type: 'soft',
      reason: 'mailboxfull',
      act: 'retry_later',
    },
    {
      case: 'failed with 5.7.1 spam block',
      action: 'failed',
      status: '5.7.1',
      diag: '550 5.7.1 Message rejected as spam',
      bounce: true,
      type: 'soft',
      reason: 'spamdetected',
      act: 'count_reputation',
    },
    {
      case: 'failed with a 4.x.x status',
      action: 'failed',
      status: '4.2.2',
      diag: '452 4.2.2 Mailbox full',
      bounce: true,
      type: 'soft',
      reason: 'mailboxfull',
      act: 'retry_later',
    },
    {
      case: 'failed with 4.x.x user unknown',
      action: 'failed',
      status: '4.1.1',
      diag: '450 4.1.1 User unknown',
      bounce: true,
      type: 'soft',
      reason: 'userunknown',
      act: 'retry_later',
    },
    {
      case: 'delayed with 4.4.7',
      action: 'delayed',
      status: '4.4.7',
      diag: 'Delivery time expired',
      bounce: true,
      type: 'soft',
      reason: 'expired',
      act: 'retry_later',
    },
    {
      case: 'delayed with a 5.x.x status',
      action: 'delayed',
      status: '5.1.1',
      diag: '550 5.1.1 User unknown',
      bounce: true,
      type: 'soft',
      reason: 'userunknown',
      act: 'retry_later',
    },
    {
      case: 'failed with no Status field',
      action: 'failed',
      status: undefined,
      diag: undefined,
      bounce: true,
      type: 'soft',
      reason: 'onhold',
      act: 'retry_later',
    },
    {
      case: 'no Action, 5.x.x status',
      action: undefined,
      status: '5.1.1',
      diag: undefined,
      bounce: true,
      type: 'hard',
      reason: 'userunknown',
      act: 'suppress',
    },
    {
      case: 'no Action, 4.x.x status',
      action: undefined,
      status: '4.4.1',
      diag: undefined,
      bounce: true,
      type: 'soft',
      reason: 'expired',
      act: 'retry_later',
    },
    {
      case: 'delivered with 2.1.5',
      action: 'delivered',
      status: '2.1.5',
      diag: '250 2.1.5 OK',
      bounce: false,
    },
    {
      case: 'relayed with 2.0.0',
      action: 'relayed',
      status: '2.0.0',
      diag: undefined,
      bounce: false,
    },
    {
      case: 'expanded with 2.0.0',
      action: 'expanded',
      status: '2.0.0',
      diag: undefined,
      bounce: false,
    },
    {
      case: 'no Action, 2.x.x status',
      action: undefined,
      status: '2.6.0',
      diag: undefined,
      bounce: false,
    },
  ])(
    'reads $case as bounce=$bounce $type $reason',
    async ({ action, status, diag, bounce, type, reason, act }) => {
      const group = [
        'Final-Recipient: rfc822; lena.hart@cedarbank.example',
        ...(action ? [`Action: ${action}`] : []),
        ...(status ? [`Status: ${status}`] : []),
        ...(diag ? [`Diagnostic-Code: smtp; ${diag}`] : []),
      ];

      const { classification } = await analyseMessage(dsn([group]));

      if (!bounce) {
        expect(classification.class).not.toBe('bounce');
        expect(classification.bounce).toBeUndefined();
        return;
      }
      expect(classification.class).toBe('bounce');
      expect(classification.bounce?.recipients).toHaveLength(1);
      expect(classification.bounce?.recipients[0]).toMatchObject({
        email: 'lena.hart@cedarbank.example',
        bounceType: type,
        sisimaiReason: reason,
        agentAction: act,
      });
    },
  );

  it('lists only the failed recipients of a mixed report and keeps the per-recipient fields', async () => {
    const { classification } = await analyseMessage(
      dsn([
        ['Final-Recipient: rfc822; ok@cedarbank.example', 'Action: delivered', 'Status: 2.0.0'],
        [
          'Final-Recipient: rfc822; gone@cedarbank.example',
          'Original-Recipient: rfc822; alias@cedarbank.example',
          'Action: failed',
          'Status: 5.1.1',
          'Remote-MTA: dns; mx.cedarbank.example',
          'Diagnostic-Code: smtp; 550 5.1.1 <gone@cedarbank.example>: Recipient address rejected',
        ],
        ['Final-Recipient: rfc822; slow@cedarbank.example', 'Action: delayed', 'Status: 4.4.1'],
      ]),
    );

    expect(classification.bounce?.recipients.map((r) => [r.email, r.action, r.bounceType])).toEqual(
      [
        ['gone@cedarbank.example', 'failed', 'hard'],
        ['slow@cedarbank.example', 'delayed', 'soft'],
      ],
    );
    expect(classification.bounce?.recipients[0]).toMatchObject({
      originalRecipient: 'alias@cedarbank.example',
      remoteMta: 'mx.cedarbank.example',
      replyCode: '550',
      status: '5.1.1',
    });
    expect(classification.bounce?.delayOnly).toBe(false);
  });

  it('returns all 500 recipients of a report that lists 500', async () => {
    const groups = Array.from({ length: 500 }, (_, i) => [
      `Final-Recipient: rfc822; user${i}@cedarbank.example`,
      'Action: failed',
      'Status: 5.1.1',
    ]);

    const { classification } = await analyseMessage(dsn(groups));

    expect(classification.bounce?.recipients).toHaveLength(500);
    expect(new Set(classification.bounce?.recipients.map((r) => r.email)).size).toBe(500);
    expect(classification.bounce?.recipients[499]?.email).toBe('user499@cedarbank.example');
  });

  it.each([
    { sender: 'the null path <>', from: '<>' },
    { sender: 'a bare MAILER-DAEMON', from: 'MAILER-DAEMON' },
    { sender: 'MAILER-DAEMON with an empty address', from: 'MAILER-DAEMON <>' },
    { sender: 'postmaster at a dotless host', from: 'postmaster@mailhost' },
    { sender: 'a missing From', from: undefined },
  ])('parses a bounce from $sender instead of calling it malformed', async ({ from }) => {
    const raw = dsn(
      [['Final-Recipient: rfc822; gone@cedarbank.example', 'Action: failed', 'Status: 5.1.1']],
      'X',
    );
    const message =
      from === undefined ? raw.replace('From: X\r\n', '') : raw.replace('From: X', `From: ${from}`);

    const { classification } = await analyseMessage(message);

    expect(classification.class).toBe('bounce');
    expect(classification.bounce?.recipients[0]?.email).toBe('gone@cedarbank.example');
  });

  it('still calls an ordinary message without a From malformed', async () => {
    await expect(
      parseMessage(
        'To: team@northwind-appraisals.example\r\nSubject: hello\r\n\r\nCan you call me?\r\n',
      ),
    ).rejects.toThrow('no From address');
  });
});

describe('Domain: bounce reasons → hard/soft → agent action', () => {
  it.each([
    ['userunknown', 'failed', '5.1.1', 'hard', 'suppress'],
    ['hostunknown', 'failed', undefined, 'hard', 'suppress'],
    ['userunknown', 'delayed', '4.1.1', 'soft', 'retry_later'],
    ['mailboxfull', 'failed', '5.2.2', 'soft', 'retry_later'],
    ['blocked', 'failed', '5.7.1', 'soft', 'count_reputation'],
    ['authfailure', 'failed', '5.7.26', 'soft', 'count_reputation'],
    ['expired', 'delayed', '4.4.7', 'soft', 'retry_later'],
  ] as const)('maps %s (%s, %s) to %s and %s', (reason, action, status, type, act) => {
    const bounceType = bounceTypeOf(reason, action, status);

    expect(bounceType).toBe(type);
    expect(agentActionOf(reason, bounceType)).toBe(act);
  });

  it('never suppresses for a success, a vacation notice or a delay', () => {
    expect(agentActionOf('delivered', 'soft')).toBe('none');
    expect(agentActionOf('vacation', 'soft')).toBe('none');
    expect(bounceTypeOf('hostunknown', 'delayed', undefined)).toBe('soft');
  });
});

describe('Domain: recipient addresses in reports', () => {
  it.each([
    {
      field: 'rfc822; <kijitora+2Bcat@cedarbank.example>',
      email: 'kijitora+2bcat@cedarbank.example',
    },
    { field: 'rfc822;=?utf-8?Q?x?=@cedarbank.example', email: undefined },
    { field: 'utf-8; j\\x{00FC}rgen@cedarbank.example', email: 'jürgen@cedarbank.example' },
  ])('reads Final-Recipient "$field" as $email, never as "=@host"', async ({ field, email }) => {
    const { classification } = await analyseMessage(
      dsn([[`Final-Recipient: ${field}`, 'Action: failed', 'Status: 5.1.1']]),
    );

    expect(classification.bounce?.recipients.map((r) => r.email) ?? []).toEqual(
      email ? [email] : [],
    );
  });
});
