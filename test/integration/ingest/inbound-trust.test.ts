import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestHarness, type IngestHarness } from '../../helpers/ingest-harness.js';
import { buildDeliveryReport, type ReportRecipient } from '../../helpers/mail-builder.js';
import { recordSend } from '../../helpers/sent-mail.js';

const TENANT = 'northwind';
const SES_ID = '0100019b9c0d1e2f-aaaa1111-2222-4333-8444-555566667777-000000';

describe('Function: ingest — inbound trust for delivery reports', () => {
  let harness: IngestHarness;
  let address: string;

  beforeAll(async () => {
    harness = await createIngestHarness();
    ({ address } = await harness.connectTenant(TENANT, [], {
      settings: { internalDomains: ['northwind-appraisals.example'] },
    }));
    const ctx = {
      doc: harness.stack.clients.doc,
      tableName: harness.stack.tableName,
      clock: harness.clock,
    };
    await recordSend(ctx, TENANT, 'dana@lakeshore.example', SES_ID);
    await recordSend(ctx, TENANT, 'soft@lakeshore.example', `${SES_ID}-soft`);
    await recordSend(ctx, TENANT, 'spoofed@lakeshore.example', `${SES_ID}-spoofed`);
    await recordSend(ctx, TENANT, 'complainer@lakeshore.example', `${SES_ID}-arf`);
    for (let index = 0; index < 500; index += 1)
      await recordSend(ctx, TENANT, `person${index}@bigcorp.example`, `${SES_ID}-${index}`);
  }, 120_000);

  afterAll(async () => {
    await harness.dispose();
  });

  /** Delivers a message to the tenant's mailbox, polls and drains; returns its record. */
  async function ingest(raw: string) {
    const id = harness.gmail.deliver(address, {
      receivedAt: harness.clock.now().toISOString(),
      raw,
    });
    await harness.poll();
    await harness.drain();
    return (await harness.runtime.repos.messages.get(TENANT, id))!;
  }

  async function bounceOutcomesFor(email: string) {
    const outcomes = await harness.runtime.repos.outcomes.listBetween(
      TENANT,
      new Date(0),
      harness.clock.now(),
    );
    return outcomes.filter((o) => o.kind === 'bounce' && o.email === email);
  }

  async function suppressed(): Promise<string[]> {
    return (await harness.runtime.repos.suppressions.list(TENANT)).map((s) => s.email);
  }

  /** An ARF feedback report (RFC 5965) about a message with `messageId`, from `from`. */
  function feedbackReport(from: string, recipient: string, messageId: string): string {
    return [
      `From: ${from}`,
      `To: ${address}`,
      'Subject: FW: complaint about message',
      `Message-ID: <arf-${Math.random().toString(36).slice(2)}@feedback.example>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=feedback-report; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'This is an email abuse report for an email message received from IP 192.0.2.1.',
      '',
      '--b1',
      'Content-Type: message/feedback-report',
      '',
      'Feedback-Type: abuse',
      'User-Agent: ExampleFBL/1.0',
      'Version: 1',
      `Original-Rcpt-To: ${recipient}`,
      '',
      '--b1',
      'Content-Type: text/rfc822-headers',
      '',
      `From: Northwind <agent@northwind-appraisals.example>`,
      `To: ${recipient}`,
      'Subject: Checking in',
      `Message-ID: <${messageId}>`,
      '',
      '--b1--',
      '',
    ].join('\r\n');
  }

  it('suppresses nothing for a forged report from an unrelated sender, and records why for each address', async () => {
    // Prepare: a stranger's "bounce" naming an address we mailed and one we never mailed.
    const forged = buildDeliveryReport({
      from: 'MAILER-DAEMON <mailer-daemon@evil.example>',
      reportingMta: 'mx.evil.example',
      recipients: [{ email: 'dana@lakeshore.example' }, { email: 'ceo@victim.example' }],
      originalMessageId: '<guessed-1234@email.amazonses.com>',
    });

    // Act
    const record = await ingest(forged);

    // Assess
    expect(record).toMatchObject({ status: 'done', classification: 'bounce' });
    expect(await suppressed()).toEqual([]);
    expect(await bounceOutcomesFor('dana@lakeshore.example')).toEqual([]);
    expect(record['bounced']).toEqual([
      expect.objectContaining({ email: 'dana@lakeshore.example', trust: 'untrusted_report' }),
      expect.objectContaining({ email: 'ceo@victim.example', trust: 'not_sent_by_us' }),
    ]);
    expect(record['report']).toMatchObject({ recipients: 2, untrusted: 2, suppressed: 0 });
    expect(harness.metrics.counts.get('IngestReportRecipientsUntrusted')).toBe(2);
  });

  it('does not believe a report from the recipient domain whose From the mailbox provider found forged (DMARC fail)', async () => {
    const spoofed = buildDeliveryReport({
      from: 'postmaster@lakeshore.example',
      reportingMta: 'mx.lakeshore.example',
      recipients: [{ email: 'spoofed@lakeshore.example' }],
      headers: {
        'Authentication-Results':
          'mx.google.com; spf=fail smtp.mailfrom=lakeshore.example; dmarc=fail (p=NONE) header.from=lakeshore.example',
      },
    });

    const record = await ingest(spoofed);

    expect(await suppressed()).toEqual([]);
    expect(record['bounced']).toEqual([
      expect.objectContaining({ email: 'spoofed@lakeshore.example', trust: 'untrusted_report' }),
    ]);
  });

  it('suppresses an address we sent to when the report names the Message-ID of our send to it', async () => {
    const genuine = buildDeliveryReport({
      from: 'Mail Delivery System <MAILER-DAEMON@relay.isp.example>',
      reportingMta: 'relay.isp.example',
      recipients: [{ email: 'dana@lakeshore.example', status: '5.1.1' }],
      originalMessageId: `<${SES_ID}@email.amazonses.com>`,
    });

    const record = await ingest(genuine);

    expect(await suppressed()).toEqual(['dana@lakeshore.example']);
    expect(record['bounced']).toEqual([
      expect.objectContaining({ trust: 'trusted', basis: 'our_message', bounceType: 'hard' }),
    ]);
    expect(await bounceOutcomesFor('dana@lakeshore.example')).toEqual([
      expect.objectContaining({ bounceType: 'hard' }),
    ]);
  });

  it('counts a delay notice from the recipient side as a soft bounce and never suppresses it', async () => {
    const delayed: ReportRecipient = {
      email: 'soft@lakeshore.example',
      action: 'delayed',
      status: '4.4.7',
      diagnostic: '421 4.4.7 still trying',
    };
    const record = await ingest(
      buildDeliveryReport({
        from: 'postmaster@mx1.lakeshore.example',
        reportingMta: 'mx1.lakeshore.example',
        recipients: [delayed],
        subject: 'Delivery delayed',
      }),
    );

    expect(await suppressed()).not.toContain('soft@lakeshore.example');
    expect(record['report']).toMatchObject({ soft: 1, hard: 0, suppressed: 0, untrusted: 0 });
    expect(await bounceOutcomesFor('soft@lakeshore.example')).toEqual([
      expect.objectContaining({ bounceType: 'soft' }),
    ]);
  });

  it('processes every one of 500 recipients of a report from their own domain and lists the first 50 with the rest counted', async () => {
    // Prepare: the recipients' own server reports all 500 of our sends as failed.
    const recipients = Array.from({ length: 500 }, (_, index) => ({
      email: `person${index}@bigcorp.example`,
    }));
    const before = new Set(await suppressed());

    // Act
    const record = await ingest(
      buildDeliveryReport({
        from: 'postmaster@bigcorp.example',
        reportingMta: 'mx.bigcorp.example',
        recipients,
        to: address,
      }),
    );

    // Assess
    const added = (await suppressed()).filter((email) => !before.has(email));
    expect(added.sort()).toEqual(recipients.map((r) => r.email).sort());
    expect(record['report']).toEqual({
      recipients: 500,
      hard: 500,
      soft: 0,
      suppressed: 500,
      untrusted: 0,
      notProcessed: 0,
      listedOmitted: 450,
    });
    expect(record['bounced']).toHaveLength(50);
    expect(JSON.stringify(record).length).toBeLessThan(16_000);
  }, 60_000);
  it('suppresses the complainer of a feedback report about our message as a complaint, and nobody a stranger reports', async () => {
    // Act
    const genuine = await ingest(
      feedbackReport(
        'Feedback Loop <fbl@lakeshore.example>',
        'complainer@lakeshore.example',
        `${SES_ID}-arf@email.amazonses.com`,
      ),
    );
    const forged = await ingest(
      feedbackReport(
        'abuse@evil.example',
        'neverwritten@victim.example',
        'guess@email.amazonses.com',
      ),
    );

    // Assess
    expect(genuine).toMatchObject({ classification: 'feedback_report' });
    expect(forged).toMatchObject({ classification: 'feedback_report' });
    expect(
      (await harness.runtime.repos.suppressions.list(TENANT)).filter((entry) =>
        ['complainer@lakeshore.example', 'neverwritten@victim.example'].includes(entry.email),
      ),
    ).toEqual([
      expect.objectContaining({ email: 'complainer@lakeshore.example', reason: 'complaint' }),
    ]);
    expect(await bounceOutcomesFor('complainer@lakeshore.example')).toEqual([
      expect.objectContaining({ bounceType: 'complaint' }),
    ]);
  });
});
