import { describe, expect, it } from 'vitest';
import { ConfigError, ValidationError } from '../../../shared/errors.js';
import { loadIngestConfig } from '../../../shared/ingest/ingest-config.js';
import { keys } from '../../../shared/storage/keys.js';
import { contactIdForEmail } from '../../../shared/storage/contact-directory.js';

describe('Config: loadIngestConfig', () => {
  it('defaults the secret prefix to <app>/<stage>/gmail and the poll bounds to the documented values', () => {
    const config = loadIngestConfig({ TABLE_NAME: 'agent', STAGE: 'prod', APP_NAME: 'acme-agent' });

    expect(config).toMatchObject({
      gmailSecretPrefix: 'acme-agent/prod/gmail',
      gmailApiRootUrl: undefined,
      fullSyncDays: 7,
      fullSyncMaxMessages: 500,
      historyMaxPages: 20,
      pollConcurrency: 4,
      leaseSeconds: 120,
    });
  });

  it('names the variable that is out of range', () => {
    expect(() => loadIngestConfig({ TABLE_NAME: 'agent', GMAIL_FULL_SYNC_DAYS: '365' })).toThrow(
      ConfigError,
    );
    expect(() =>
      loadIngestConfig({ TABLE_NAME: 'agent', GMAIL_API_ROOT_URL: 'not a url' }),
    ).toThrow(/GMAIL_API_ROOT_URL/);
  });
});

describe('Storage: ingest keys', () => {
  it('keeps every ingest item in the tenant partition', () => {
    for (const key of [
      keys.gmailMessage('t1', '18c2f0a9b1d2e3f4'),
      keys.gmailCursor('t1'),
      keys.gmailConnection('t1'),
      keys.attachment('t1', '18c2f0a9b1d2e3f4', 3),
      keys.replyMarker('t1', '<ABC-1@Email.AmazonSES.com>'),
      keys.contactByEmail('t1', 'Dana@Example.com'),
    ]) {
      expect(key.pk).toBe('TENANT#t1');
    }
    expect(keys.attachment('t1', 'm1', 3).sk).toBe('ATTACHMENT#m1#003');
    expect(keys.replyMarker('t1', '<ABC-1@Email.AmazonSES.com>').sk).toBe(
      'REPLY#abc-1@email.amazonses.com',
    );
    expect(keys.contactByEmail('t1', 'Dana@Example.com').sk).toBe('CONTACTEMAIL#dana@example.com');
  });

  it('refuses Message-IDs with spaces or control characters and ids outside the entity pattern', () => {
    expect(() => keys.replyMarker('t1', 'a b@c')).toThrow(ValidationError);
    expect(() => keys.replyMarker('t1', 'a\u0007b@c')).toThrow(ValidationError);
    expect(() => keys.gmailMessage('t1', 'bad id')).toThrow(ValidationError);
  });

  it('gives a contact created from an address the same id however the address is written', () => {
    expect(contactIdForEmail(' Dana@Example.com ')).toBe(contactIdForEmail('dana@example.com'));
    expect(contactIdForEmail('dana@example.com')).toMatch(/^gm-[0-9a-f]{16}$/);
  });
});
