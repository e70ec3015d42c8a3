import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summariseOutcomes } from '../../../shared/domain/outcomes.js';
import { createCycleRepositories } from '../../../shared/cycle/create-runtime.js';
import type { CycleRepositories } from '../../../shared/cycle/runtime.js';
import { tenantPartition } from '../../../shared/storage/keys.js';
import { OUTCOME_FOLD_LAG_MS } from '../../../shared/storage/outcome-repository.js';
import { contactIdForEmail } from '../../../shared/storage/contact-directory.js';
import type { IngestRequest } from '../../../shared/domain/ingest/ingest-request.js';
import { QUEUE_DEFINITIONS } from '../../../shared/messaging/queue-definitions.js';
import {
  createIngestHarness,
  testRefreshToken,
  type IngestHarness,
} from '../../helpers/ingest-harness.js';
import { largeAttachmentMessage, MAIL_CORPUS_DIR } from '../../helpers/mail-corpus.js';
import { buildMessage, OUR_SES_MESSAGE_ID } from '../../helpers/mail-builder.js';
import { recordSend } from '../../helpers/sent-mail.js';

const TENANT = 'northwind';
const corpus = (file: string) => readFile(join(MAIL_CORPUS_DIR, file));

describe('Function: ingest (embedded stack, local Gmail, production Gmail client)', () => {
  let harness: IngestHarness;

  /** The `now` of a React that folds everything ingested so far (the inbox folds after a lag). */
  function afterFoldLag(): Date {
    return new Date(harness.clock.now().getTime() + OUTCOME_FOLD_LAG_MS);
  }
  let repos: CycleRepositories;
  let address: string;
  let ids: Record<string, string>;

  beforeAll(async () => {
    harness = await createIngestHarness();
    repos = createCycleRepositories({
      doc: harness.stack.clients.doc,
      tableName: harness.stack.tableName,
      clock: harness.clock,
    });
    const at = (minutes: number) =>
      new Date(Date.parse('2026-01-05T07:00:00Z') + minutes * 60_000).toISOString();
    const messages = [
      { name: 'request', file: 'multipart-alternative-call-request.eml' },
      { name: 'bounce', file: 'dsn-gmail-user-unknown.eml' },
      { name: 'unsubscribe', file: 'unsubscribe-reply-remove-me.eml' },
      { name: 'auto', file: 'ooo-exchange-automatic-reply.eml' },
      { name: 'newContact', file: 'iso-8859-1-new-inquiry.eml' },
      { name: 'quote', file: 'request-send-quote-order.eml' },
      { name: 'cc', file: 'reply-cc-contacts.eml' },
    ];
    const raws = await Promise.all(messages.map((message) => corpus(message.file)));
    const large = largeAttachmentMessage();
    ({ address } = await harness.connectTenant(
      TENANT,
      [
        ...raws.map((raw, index) => ({ receivedAt: at(index), raw })),
        { receivedAt: at(20), raw: large },
      ],
      { settings: { internalDomains: ['northwind-appraisals.example'] } },
    ));
    const visible = harness.gmail.visibleMessageIds(address);
    ids = Object.fromEntries(
      [...messages.map((m) => m.name), 'large'].map((name, index) => [name, visible[index]!]),
    );

    await repos.accounts.put(TENANT, {
      accountId: 'acc-lakeshore',
      name: 'Lakeshore Mortgage',
      domain: 'lakeshoremortgage.example',
    });
    await repos.accounts.put(TENANT, {
      accountId: 'acc-cafe',
      name: 'Café Realty',
      domain: 'caferealty.example',
    });
    await repos.contacts.put(TENANT, {
      contactId: 'c-002',
      email: 'marcus.lee@lakeshoremortgage.example',
      name: 'Marcus L. (sales lead)',
      accountId: 'acc-lakeshore',
      lastTouchAt: '2025-12-01T08:00:00Z',
    });
    await repos.contacts.put(TENANT, {
      contactId: 'c-012',
      email: 'zoe.patel@riverbendloans.example',
      name: 'Zoe Patel',
    });
    // The bounced check-in was ours: SES accepted it for Zoe under the Message-ID the report names.
    await recordSend(
      { doc: harness.stack.clients.doc, tableName: harness.stack.tableName, clock: harness.clock },
      TENANT,
      'zoe.patel@riverbendloans.example',
      '0100019b8b02aa17-5c0d9e8f-1a2b-4c3d-9e8f-0a1b2c3d4e5f-000000',
    );
    await repos.orders.put(TENANT, {
      orderId: 'ord-1003',
      accountId: 'acc-lakeshore',
      paymentMethod: 'invoice',
      productCode: 'FULL-1004',
      fee: 550,
      techFee: 25,
      total: 575,
      status: 'new',
      createdAt: '2026-01-05T05:00:00Z',
    });

    const poll = await harness.poll();
    expect(poll).toMatchObject({ polled: 1, enqueued: 8, fullSyncs: 1 });
    await harness.drain();
  }, 60_000);

  afterAll(async () => {
    await harness.dispose();
  });

  it('records every polled message as done with its classification', async () => {
    const records = await harness.runtime.repos.messages.list(TENANT);

    expect(records.map((r) => r.status)).toEqual(Array(8).fill('done'));
    expect(Object.fromEntries(records.map((r) => [r.messageId, r.classification]))).toEqual({
      [ids['request']!]: 'explicit_request',
      [ids['bounce']!]: 'bounce',
      [ids['unsubscribe']!]: 'unsubscribe',
      [ids['auto']!]: 'auto_reply',
      [ids['newContact']!]: 'other',
      [ids['quote']!]: 'explicit_request',
      [ids['cc']!]: 'reply',
      [ids['large']!]: 'reply',
    });
  });

  it('carries an explicit request to React as a request with the sentence and the contact, which is also a touch', async () => {
    const { outcomes } = await harness.runtime.repos.outcomes.pending(TENANT, afterFoldLag());
    const summary = summariseOutcomes(outcomes);

    expect(summary.requests).toContainEqual({
      messageId: ids['request'],
      contactId: 'c-002',
      text: 'Could you give me a call tomorrow morning to go over turn times?',
      sourceClass: 'explicit_request',
    });
    expect(summary.touches.map((t) => t.contactId)).toContain('c-002');
    // Auto-replies and bounces are no touch.
    expect(
      outcomes.find((o) => o.kind === 'inbound_message' && o.messageId === ids['auto']),
    ).not.toHaveProperty('contactId');
  });

  it('suppresses a hard-bounced recipient we sent to (the report names our send) and a stop request, and reports the bounce to React', async () => {
    const suppressions = await repos.suppressions.list(TENANT);
    const { outcomes } = await harness.runtime.repos.outcomes.pending(TENANT, afterFoldLag());

    expect(suppressions.map((s) => [s.email, s.reason]).sort()).toEqual([
      ['rita.moreno@prairiecu.example', 'unsubscribe'],
      ['zoe.patel@riverbendloans.example', 'hard_bounce'],
    ]);
    expect(summariseOutcomes(outcomes).bouncedEmails).toEqual(['zoe.patel@riverbendloans.example']);
    const bounceRecord = await harness.runtime.repos.messages.get(TENANT, ids['bounce']!);
    expect(bounceRecord?.['bounced']).toEqual([
      {
        email: 'zoe.patel@riverbendloans.example',
        contactId: 'c-012',
        reason: 'user_unknown',
        bounceType: 'hard',
        status: '5.1.1',
        trust: 'trusted',
        basis: 'our_message',
      },
    ]);
    expect(bounceRecord?.['report']).toEqual({
      recipients: 1,
      hard: 1,
      soft: 0,
      suppressed: 1,
      untrusted: 0,
      notProcessed: 0,
      listedOmitted: 0,
    });
  });

  it('enriches an existing contact without overwriting its name and creates a new one linked to its account by domain', async () => {
    const marcus = await repos.contacts.get(TENANT, 'c-002');
    const jose = (await repos.contacts.get(
      TENANT,
      contactIdForEmail('jose.muller@caferealty.example'),
    )) as Record<string, unknown>;

    expect(marcus).toMatchObject({
      name: 'Marcus L. (sales lead)',
      title: 'Processing Manager',
      phone: '312-555-0178',
    });
    expect(jose).toMatchObject({
      email: 'jose.muller@caferealty.example',
      name: 'José Müller',
      title: 'Owner',
      phone: '515-555-0123',
      company: 'Café Realty',
      accountId: 'acc-cafe',
    });
  });

  it('creates Cc and To people of an unknown company as discovered contacts and links a message to the order it names', async () => {
    const cc = await harness.runtime.repos.messages.get(TENANT, ids['cc']!);
    const quote = await harness.runtime.repos.messages.get(TENANT, ids['quote']!);
    const strangers = [
      contactIdForEmail('ivan.petrov@peakbank.example'),
      contactIdForEmail('wei.chen@peakbank.example'),
      // The message went to another mailbox's address too (it was written for Summit Lending).
      contactIdForEmail('team@summitlending.example'),
    ];

    expect(cc?.['otherContactIds']).toEqual(strangers);
    expect(cc?.['discoveredContactIds']).toEqual(strangers);
    expect(
      await repos.contacts.get(TENANT, contactIdForEmail('wei.chen@peakbank.example')),
    ).toMatchObject({
      name: 'Wei Chen',
      discovered: { via: 'cc', messageId: ids['cc'], at: expect.any(String) },
    });
    expect(
      await repos.contacts.get(TENANT, contactIdForEmail('team@summitlending.example')),
    ).toMatchObject({ discovered: { via: 'to' } });
    // The writer herself is a normal contact.
    expect(
      await repos.contacts.get(TENANT, contactIdForEmail('nora.blake@peakbank.example')),
    ).not.toHaveProperty('discovered');
    expect(quote?.links).toEqual({ orderIds: ['ord-1003'] });
  });

  it('marks our SES send as replied, keyed by its Message-ID', async () => {
    const marker = await harness.runtime.repos.replies.get(
      TENANT,
      '0100019b8b02aa17-5c0d9e8f-1a2b-4c3d-9e8f-0a1b2c3d4e5f-000000@email.amazonses.com',
    );

    expect(marker).toMatchObject({
      replyGmailMessageIds: [ids['request']],
      lastClassification: 'explicit_request',
      lastContactId: 'c-002',
    });
  });

  it('records attachment metadata (name, type, size) of a 10 MB attachment and keeps content out of every item', async () => {
    const attachments = await harness.runtime.repos.messages.listAttachments(TENANT, ids['large']);
    const items = await harness.stack.clients.doc.send(
      new QueryCommand({
        TableName: harness.stack.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': tenantPartition(TENANT) },
      }),
    );

    expect(attachments).toMatchObject([
      {
        name: 'Northwind-Engagement-Letter-2026.pdf',
        type: 'application/pdf',
        size: 10 * 1024 * 1024,
      },
    ]);
    const largest = Math.max(...(items.Items ?? []).map((item) => JSON.stringify(item).length));
    expect(largest).toBeLessThan(8_000);
    expect(JSON.stringify(items.Items)).not.toContain('JVBERi0'); // base64 of "%PDF-"
  });

  it('processes the same message delivered three times once and counts the other deliveries as duplicates', async () => {
    // Prepare: a new message, its id enqueued three times (redeliveries, a re-listing).
    const id = harness.gmail.deliver(address, {
      receivedAt: harness.clock.now().toISOString(),
      raw: buildMessage({
        from: 'Dana Whitfield <dana.whitfield@lakeshoremortgage.example>',
        subject: 'Re: hello',
        body: 'Thanks!',
        inReplyTo: OUR_SES_MESSAGE_ID,
      }),
    });
    const request: IngestRequest = {
      version: 1,
      tenantId: TENANT,
      messageId: id,
      source: 'history',
      enqueuedAt: harness.clock.now().toISOString(),
    };
    for (let copy = 0; copy < 3; copy += 1) {
      await harness.stack.clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: harness.stack.queues.ingest.url,
          MessageBody: JSON.stringify(request),
        }),
      );
    }
    const processedBefore = harness.metrics.counts.get('GmailMessagesProcessed') ?? 0;

    // Act
    await harness.drain();

    // Assess
    const record = await harness.runtime.repos.messages.get(TENANT, id);
    const outcomes = await harness.runtime.repos.outcomes.listBetween(
      TENANT,
      new Date(0),
      harness.clock.now(),
    );
    expect(record).toMatchObject({ status: 'done', duplicates: 2 });
    expect(outcomes.filter((o) => o.kind === 'inbound_message' && o.messageId === id)).toHaveLength(
      1,
    );
    expect((harness.metrics.counts.get('GmailMessagesProcessed') ?? 0) - processedBefore).toBe(1);
    expect(harness.metrics.counts.get('GmailMessagesDuplicate')).toBeGreaterThanOrEqual(2);
  });

  it('fails a malformed message alone, processes the rest of its batch and dead-letters it after maxReceiveCount with the reason', async () => {
    // Prepare
    const malformed = harness.gmail.deliver(address, {
      receivedAt: harness.clock.now().toISOString(),
      raw: await corpus('malformed-truncated.eml'),
    });
    const good = harness.gmail.deliver(address, {
      receivedAt: harness.clock.now().toISOString(),
      raw: buildMessage({
        from: 'Amy Chen <amy.chen@riverbendloans.example>',
        subject: 'Invoice',
        body: 'Please send the invoice for Maple Ave.',
      }),
    });
    const enqueuedAt = harness.clock.now().toISOString();
    for (const messageId of [malformed, good]) {
      const body: IngestRequest = {
        version: 1,
        tenantId: TENANT,
        messageId,
        source: 'history',
        enqueuedAt,
      };
      await harness.stack.clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: harness.stack.queues.ingest.url,
          MessageBody: JSON.stringify(body),
        }),
      );
    }
    const firstLine = harness.logLines.length;

    // Act
    const drained = await harness.drain();

    // Assess
    expect(drained.failed).toBe(QUEUE_DEFINITIONS.ingest.maxReceiveCount);
    expect(await harness.runtime.repos.messages.get(TENANT, good)).toMatchObject({
      status: 'done',
      classification: 'explicit_request',
    });
    expect(await harness.runtime.repos.messages.get(TENANT, malformed)).toMatchObject({
      status: 'failed',
      lastError: 'malformed: NUL byte in the header section',
      attempts: QUEUE_DEFINITIONS.ingest.maxReceiveCount,
    });
    const dlq = await harness.stack.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: harness.stack.queues.ingest.dlqUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );
    expect(
      (dlq.Messages ?? []).map((m) => (JSON.parse(m.Body ?? '{}') as IngestRequest).messageId),
    ).toEqual([malformed]);
    const lastLog = harness.logLines
      .slice(firstLine)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((l) => l['message_id'] === malformed)
      .at(-1);
    expect(lastLog).toMatchObject({
      level: 'ERROR',
      message: 'ingest failed; moving to the dead-letter queue',
      reason: 'malformed: NUL byte in the header section',
      receive_count: QUEUE_DEFINITIONS.ingest.maxReceiveCount,
    });
    expect(harness.metrics.counts.get('IngestMalformed')).toBe(
      QUEUE_DEFINITIONS.ingest.maxReceiveCount,
    );
  });

  it('rejects a queue message that is not an ingest request with the field named', async () => {
    const firstLine = harness.logLines.length;
    await harness.stack.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: harness.stack.queues.ingest.url,
        MessageBody: JSON.stringify({ version: 1, tenantId: TENANT }),
      }),
    );

    const drained = await harness.drain();

    expect(drained.failed).toBeGreaterThan(0);
    expect(harness.logLines.slice(firstLine).join('\n')).toContain('body.messageId');
  });

  it('never logs the refresh token, the client secret or an access token in any of the lines above', () => {
    const logs = harness.logLines.join('\n');

    expect(harness.logLines.length).toBeGreaterThan(20);
    for (const secret of [testRefreshToken(TENANT), 'local-client-secret', 'ya29.'])
      expect(logs).not.toContain(secret);
  });
});
