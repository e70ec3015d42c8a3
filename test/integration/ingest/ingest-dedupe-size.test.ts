import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFixture } from '../../../infra/local/fixture.js';
import { tenantPartition } from '../../../shared/storage/keys.js';
import { createIngestHarness, type IngestHarness } from '../../helpers/ingest-harness.js';
import { buildMessage, OUR_SES_MESSAGE_ID } from '../../helpers/mail-builder.js';
import { largeAttachmentMessage } from '../../helpers/mail-corpus.js';

const TENANT = 'northwind';
const at = (minutes: number) =>
  new Date(Date.parse('2026-01-05T07:00:00Z') + minutes * 60_000).toISOString();

describe('Function: ingest — dedupe by Gmail id and Message-ID, and large messages', () => {
  let harness: IngestHarness;

  beforeAll(async () => {
    harness = await createIngestHarness();
  });

  afterAll(async () => {
    await harness.dispose();
  });

  it('ingests one message seen under two Gmail ids and re-listed in history once, counting the rest as duplicates', async () => {
    // Prepare: the same reply under Gmail ids m-1 and m-2 (a copy), and m-1 listed again later.
    const raw = buildMessage({
      from: 'Dana Whitfield <dana.whitfield@lakeshoremortgage.example>',
      subject: 'Re: turn times',
      body: 'Thanks, that works for us.',
      messageId: '<CAF-same-message@mail.lakeshoremortgage.example>',
      inReplyTo: OUR_SES_MESSAGE_ID,
    });
    const { address } = await harness.connectTenant(
      TENANT,
      [
        { receivedAt: at(0), raw, gmailId: 'm-1', threadId: 't-1', labelIds: ['INBOX'] },
        { receivedAt: at(1), raw, gmailId: 'm-2', threadId: 't-1', labelIds: ['INBOX', 'UNREAD'] },
      ],
      { settings: { internalDomains: ['northwind-appraisals.example'] } },
    );
    await harness.poll();
    await harness.drain();
    harness.gmail.deliver(address, {
      receivedAt: harness.clock.now().toISOString(),
      raw,
      gmailId: 'm-1',
    });

    // Act: the next poll sees m-1 again in history.
    await harness.poll();
    await harness.drain();

    // Assess
    const records = await harness.runtime.repos.messages.list(TENANT);
    const outcomes = await harness.runtime.repos.outcomes.listBetween(
      TENANT,
      new Date(0),
      harness.clock.now(),
    );
    expect(harness.gmail.visibleMessageIds(address)).toEqual(['m-1', 'm-2']);
    // Whichever id was claimed first is the message; the other points at it.
    const ingested = records.filter((record) => record['duplicateOf'] === undefined);
    const copies = records.filter((record) => record['duplicateOf'] !== undefined);
    expect(records.map((record) => [record.messageId, record.status, record.threadId])).toEqual([
      ['m-1', 'done', 't-1'],
      ['m-2', 'done', 't-1'],
    ]);
    expect(ingested).toEqual([expect.objectContaining({ classification: 'reply' })]);
    expect(copies).toEqual([
      expect.objectContaining({
        duplicateOf: ingested[0]?.messageId,
        rfcMessageId: expect.any(String),
      }),
    ]);
    expect(copies[0]).not.toHaveProperty('classification');
    const reListed = records.reduce((sum, record) => sum + (record.duplicates ?? 0), 0);
    expect(reListed + copies.length).toBe(2);
    expect(outcomes.filter((o) => o.kind === 'inbound_message')).toHaveLength(1);
    expect(harness.metrics.counts.get('GmailMessagesProcessed')).toBe(1);
    expect(harness.metrics.counts.get('GmailMessagesDuplicate')).toBe(2);
  });

  it("ingests a message with a 25 MB attachment (Gmail's limit) and keeps its content out of every item", async () => {
    // Prepare: 25 MiB of attachment, about 34 MB encoded.
    const raw = largeAttachmentMessage(25 * 1024 * 1024);
    const id = harness.gmail.deliver('team@northwind-appraisals.example', {
      receivedAt: harness.clock.now().toISOString(),
      raw,
    });

    // Act
    await harness.poll();
    await harness.drain();

    // Assess
    const record = await harness.runtime.repos.messages.get(TENANT, id);
    expect(record).toMatchObject({
      status: 'done',
      classification: 'reply',
      sizeBytes: raw.length,
    });
    expect(await harness.runtime.repos.messages.listAttachments(TENANT, id)).toMatchObject([
      { type: 'application/pdf', size: 25 * 1024 * 1024 },
    ]);
    const items = await harness.stack.clients.doc.send(
      new QueryCommand({
        TableName: harness.stack.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': tenantPartition(TENANT) },
      }),
    );
    const largest = Math.max(...(items.Items ?? []).map((item) => JSON.stringify(item).length));
    expect(largest).toBeLessThan(8_000);
    expect(harness.runtime.settings.memoryBudgetBytes).toBeLessThan(512 * 1024 * 1024);
  }, 60_000);

  it('rejects a fixture that repeats a Gmail id with a different message, naming the entry', () => {
    const tenant = (mailbox: unknown[]) => ({
      tenants: [{ id: 'x', settings: { name: 'X' }, mailbox }],
    });
    const raw = buildMessage({ from: 'a@b.example', subject: 'One', body: 'one' });

    expect(() =>
      parseFixture(
        tenant([
          { receivedAt: at(0), raw, gmailId: 'g-1' },
          { receivedAt: at(1), raw: `${raw}changed`, gmailId: 'g-1' },
        ]),
      ),
    ).toThrow(/tenants\[0\]\.mailbox\[1\]\.raw.*g-1 is repeated/);
    expect(
      parseFixture(
        tenant([
          { receivedAt: at(0), raw, gmailId: 'g-1', threadId: 't-9', labelIds: ['INBOX'] },
          { receivedAt: at(1), raw, gmailId: 'g-1' },
        ]),
      ).tenants[0]?.mailbox,
    ).toHaveLength(2);
  });
});
