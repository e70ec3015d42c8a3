/** Builds a small RFC 822 message for tests; every header can be overridden or added. */
export function buildMessage(options: {
  from: string;
  to?: string;
  subject: string;
  body: string;
  messageId?: string;
  inReplyTo?: string;
  date?: string;
  headers?: Record<string, string>;
}): string {
  const headers: Record<string, string> = {
    From: options.from,
    To: options.to ?? 'team@northwind-appraisals.example',
    Subject: options.subject,
    Date: options.date ?? 'Mon, 5 Jan 2026 09:00:00 +0000',
    'Message-ID':
      options.messageId ?? `<${Math.abs(hash(options.subject + options.body))}@mail.example>`,
    ...(options.inReplyTo
      ? { 'In-Reply-To': options.inReplyTo, References: options.inReplyTo }
      : {}),
    'MIME-Version': '1.0',
    'Content-Type': 'text/plain; charset="UTF-8"',
    ...options.headers,
  };
  return `${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\r\n')}\r\n\r\n${options.body.replace(/\r?\n/g, '\r\n')}`;
}

function hash(text: string): number {
  let value = 0;
  for (const char of text) value = (Math.imul(value, 31) + char.charCodeAt(0)) | 0;
  return value;
}

/** A Message-ID the way SES writes ours. */
export const OUR_SES_MESSAGE_ID =
  '<0100019b7f3e2a10-5b6c7d8e-9f01-4a2b-8c3d-4e5f6a7b8c9d-000000@email.amazonses.com>';

/** One recipient block of a built delivery report. */
export interface ReportRecipient {
  readonly email: string;
  readonly action?: 'failed' | 'delayed' | 'delivered';
  readonly status?: string;
  readonly diagnostic?: string;
}

/**
 * Builds an RFC 3464 delivery report (`multipart/report; report-type=delivery-status`): a human
 * part, the `message/delivery-status` part with `Reporting-MTA` and one block per recipient, and
 * the returned original's headers (with `originalMessageId` when given).
 */
export function buildDeliveryReport(options: {
  from: string;
  reportingMta: string;
  recipients: readonly ReportRecipient[];
  originalMessageId?: string;
  to?: string;
  subject?: string;
  headers?: Record<string, string>;
}): string {
  const boundary = 'report-boundary-7f3a';
  const blocks = options.recipients.map((recipient) =>
    [
      `Final-Recipient: rfc822; ${recipient.email}`,
      `Action: ${recipient.action ?? 'failed'}`,
      `Status: ${recipient.status ?? '5.1.1'}`,
      `Diagnostic-Code: smtp; ${recipient.diagnostic ?? '550 5.1.1 User unknown'}`,
    ].join('\r\n'),
  );
  const headers: Record<string, string> = {
    'Return-Path': '<>',
    From: options.from,
    To: options.to ?? 'team@northwind-appraisals.example',
    Subject: options.subject ?? 'Undelivered Mail Returned to Sender',
    Date: 'Mon, 5 Jan 2026 10:00:00 +0000',
    'Message-ID': `<report-${Math.abs(hash(options.from + blocks.join()))}@${options.reportingMta}>`,
    'Auto-Submitted': 'auto-replied',
    'MIME-Version': '1.0',
    'Content-Type': `multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    ...options.headers,
  };
  const parts = [
    `--${boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nThis is the mail system at host ${options.reportingMta}.\r\n\r\nI'm sorry to have to inform you that your message could not be delivered to one or more recipients.\r\n`,
    `--${boundary}\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; ${options.reportingMta}\r\n\r\n${blocks.join('\r\n\r\n')}\r\n`,
    `--${boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: Northwind Appraisals <team@northwind-appraisals.example>\r\nTo: ${options.recipients[0]?.email ?? 'nobody@example.com'}\r\nSubject: Checking in from Northwind Appraisals\r\n${options.originalMessageId ? `Message-ID: ${options.originalMessageId}\r\n` : ''}\r\n`,
    `--${boundary}--\r\n`,
  ];
  return `${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\r\n')}\r\n\r\n${parts.join('')}`;
}
