import { describe, expect, it } from 'vitest';
import { analyseMessage } from '../../../shared/domain/ingest/analyse.js';
import { MAX_CLASSIFIED_TEXT_CHARS } from '../../../shared/domain/ingest/mime.js';
import { corpusMessage, largePlainTextMessage } from '../../helpers/mail-corpus.js';

const context = {
  ownDomains: ['northwind-appraisals.example', 'summitlending.example'],
  ownAddresses: ['team@northwind-appraisals.example', 'team@summitlending.example'],
};

function mail(headers: Record<string, string>, body: string): string {
  return [
    'From: Lena Hart <lena.hart@cedarbank.example>',
    'To: team@northwind-appraisals.example',
    'Date: Mon, 12 Jan 2026 15:02:11 +0000',
    'Message-ID: <m1@cedarbank.example>',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    'Content-Type: text/plain; charset="UTF-8"',
    '',
    body,
  ].join('\r\n');
}

describe('Domain: machine-written mail is never a request', () => {
  it('reads a delay notice that asks to call and to write to postmaster as a soft bounce, not a request', async () => {
    const { classification } = await analyseMessage(
      await corpusMessage({ file: 'dsn-delayed-still-retrying.eml' }),
      context,
    );

    expect(classification.class).toBe('bounce');
    expect(classification.automated).toBe(true);
    expect(classification.request).toBeUndefined();
    expect(classification.bounce?.delayOnly).toBe(true);
    expect(
      classification.bounce?.recipients.map((r) => [r.email, r.bounceType, r.agentAction]),
    ).toEqual([['lena.hart@cedarbank.example', 'soft', 'retry_later']]);
  });

  it('reads a text-only delay warning from MAILER-DAEMON as a delay, never a request', async () => {
    const raw = mail(
      { Subject: 'Warning: message still being retried', From: 'MAILER-DAEMON@mx.relay.example' },
      [
        'Your message has not yet been delivered to the following recipient and is still being retried:',
        '',
        '  lena.hart@cedarbank.example',
        '    451 4.4.1 Connection timed out',
        '',
        'Please send mail to postmaster@mx.relay.example if you need help. Could you call us?',
      ].join('\r\n'),
    ).replace('From: Lena Hart <lena.hart@cedarbank.example>\r\n', '');

    const { classification } = await analyseMessage(raw, context);

    expect(classification.class).toBe('bounce');
    expect(classification.bounce?.recipients.map((r) => [r.email, r.action, r.bounceType])).toEqual(
      [['lena.hart@cedarbank.example', 'delayed', 'soft']],
    );
  });

  it('reads an ARF feedback report as a feedback report naming the complainer, not a request', async () => {
    const { classification } = await analyseMessage(
      await corpusMessage({ file: 'arf-complaint-report.eml' }),
      context,
    );

    expect(classification.class).toBe('feedback_report');
    expect(classification.automated).toBe(true);
    expect(classification.feedback).toMatchObject({
      feedbackType: 'abuse',
      recipients: ['ellen.price@mailhost.example'],
      sourceIp: '203.0.113.25',
    });
  });

  it.each([
    { language: 'Polish', subject: '=?UTF-8?Q?[Automatyczna_odpowied=C5=BA]_Re:_Wycena?=' },
    { language: 'German', subject: 'Abwesenheitsnotiz: Re: Gutachten' },
    { language: 'French', subject: '=?UTF-8?Q?R=C3=A9ponse_automatique_:_Re:_Expertise?=' },
    { language: 'Spanish', subject: '=?UTF-8?Q?Respuesta_autom=C3=A1tica:_Re:_Tasaci=C3=B3n?=' },
    { language: 'Japanese', subject: '=?UTF-8?B?6Ieq5YuV5b+c562UOiBSZTog6YGL5Y+W?=' },
    { language: 'English, at the end', subject: 'Re: appraisal [Auto-Reply]' },
  ])(
    'reads a $language auto-reply subject as an auto-reply, never a request',
    async ({ subject }) => {
      const { classification } = await analyseMessage(
        mail({ Subject: subject }, 'Can you call me on Monday about the file?'),
        context,
      );

      expect(classification.class).toBe('auto_reply');
      expect(classification.request).toBeUndefined();
    },
  );

  it.each([
    { header: 'Auto-Submitted: auto-replied' },
    { header: 'X-Autoreply: yes' },
    { header: 'X-Autorespond: vacation' },
    { header: 'Precedence: auto_reply' },
  ])('reads "$header" (RFC 3834 and vendor headers) as an auto-reply', async ({ header }) => {
    const [name, value] = header.split(': ') as [string, string];
    const { classification } = await analyseMessage(
      mail({ Subject: 'Re: appraisal', [name]: value }, 'Please send me the quote.'),
      context,
    );

    expect(classification.class).toBe('auto_reply');
  });

  it('does not read X-Auto-Response-Suppress alone as an auto-reply (Outlook sets it on ordinary mail)', async () => {
    const { classification } = await analyseMessage(
      mail(
        { Subject: 'Re: appraisal', 'X-Auto-Response-Suppress': 'All' },
        'Can you call me tomorrow morning?',
      ),
      context,
    );

    expect(classification.class).toBe('explicit_request');
  });

  it('reads a challenge–response request as an auto-reply of kind challenge', async () => {
    const { classification } = await analyseMessage(
      mail(
        { Subject: 'Please verify your email address' },
        'I use a spam filter. To deliver your message, please confirm your email address by clicking https://verify.example/abc',
      ),
      context,
    );

    expect(classification.class).toBe('auto_reply');
    expect(classification.autoReplyKind).toBe('challenge');
  });
});

describe('Domain: HTML-only mail', () => {
  it('decodes entities in a German HTML-only mail and never leaks attributes into the text', async () => {
    const analysis = await analyseMessage(
      await corpusMessage({ file: 'html-only-german-entities.eml' }),
      context,
    );

    expect(analysis.message.bodySource).toBe('html');
    expect(analysis.classification.class).toBe('reply');
    const { parseMessage } = await import('../../../shared/domain/ingest/mime.js');
    const parsed = await parseMessage(
      await corpusMessage({ file: 'html-only-german-entities.eml' }),
    );
    expect(parsed.text).toContain('Mit freundlichen Grüßen');
    expect(parsed.text).toContain('Vielen Dank für die schnelle Rückmeldung');
    expect(parsed.text).not.toMatch(/&[a-z]+;|data-tracking|uid-8812/);
  });
});

describe('Domain: classifier text cap', () => {
  it('gives the classifier at most 256 KiB of a 25 MB plain-text body and says it cut it', async () => {
    const raw = largePlainTextMessage(25 * 1024 * 1024);

    const analysis = await analyseMessage(raw, context);

    expect(MAX_CLASSIFIED_TEXT_CHARS).toBe(256 * 1024);
    expect(analysis.message.textTruncated).toBe(true);
    expect(analysis.message.textChars).toBeGreaterThanOrEqual(25 * 1024 * 1024);
    expect(analysis.message.sizeBytes).toBeGreaterThan(25 * 1024 * 1024);
    expect(analysis.classification.class).toBe('other');
  });

  it('does not cut a body under the cap', async () => {
    const analysis = await analyseMessage(largePlainTextMessage(100 * 1024), context);

    expect(analysis.message.textTruncated).toBe(false);
    expect(analysis.message.textChars).toBeLessThan(MAX_CLASSIFIED_TEXT_CHARS);
  });
});
