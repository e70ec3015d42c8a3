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
