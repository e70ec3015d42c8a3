import { GetEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { StaticDnsZone } from '../../../shared/adapters/dns/dns-resolver.js';
import { SesIdentityDirectory } from '../../../shared/adapters/ses/identity-directory.js';
import { judgeDomainHealth, type DomainEvidence } from '../../../shared/domain/domain-health.js';
import { domainHealthCheck } from '../../../shared/sending/domain-health-check.js';

const READY: DomainEvidence = {
  domain: 'mail.acme.example',
  identity: {
    verified: true,
    dkim: 'SUCCESS',
    mailFromDomain: 'bounce.mail.acme.example',
    mailFromStatus: 'SUCCESS',
  },
  spf: { records: ['v=spf1 include:amazonses.com ~all'] },
  dmarc: { records: ['some other record', 'v=DMARC1; p=quarantine'] },
};

function statuses(evidence: DomainEvidence) {
  return Object.fromEntries(
    judgeDomainHealth(evidence).checks.map((check) => [check.name, check.status]),
  );
}

describe('Domain: sending domain health', () => {
  it('is healthy when DKIM is verified, the MAIL FROM SPF includes SES and one DMARC record exists', () => {
    // Act
    const health = judgeDomainHealth(READY);

    // Assess
    expect(health.healthy).toBe(true);
    expect(health.checks.map((check) => check.detail)).toEqual([
      'DKIM for mail.acme.example: verified',
      'SPF for mail.acme.example: MAIL FROM bounce.mail.acme.example: v=spf1 include:amazonses.com ~all',
      'DMARC for mail.acme.example: v=DMARC1; p=quarantine',
    ]);
  });

  it.each([
    ['a domain that is no SES identity', { identity: undefined }, { dkim: 'fail', spf: 'unknown' }],
    [
      'DKIM still pending',
      { identity: { verified: false, dkim: 'PENDING' } },
      { dkim: 'fail', spf: 'fail' },
    ],
    [
      'no custom MAIL FROM',
      { identity: { verified: true, dkim: 'SUCCESS' } },
      { dkim: 'pass', spf: 'fail' },
    ],
    [
      'an SPF record without the SES include',
      { spf: { records: ['v=spf1 -all'] } },
      { spf: 'fail' },
    ],
    [
      'two SPF records',
      { spf: { records: ['v=spf1 include:amazonses.com ~all', 'v=spf1 -all'] } },
      { spf: 'fail' },
    ],
    ['no DMARC record', { dmarc: { records: [] } }, { dmarc: 'fail' }],
    [
      'two DMARC records',
      { dmarc: { records: ['v=DMARC1; p=none', 'v=DMARC1; p=reject'] } },
      { dmarc: 'fail' },
    ],
    ['a DNS lookup that failed', { dmarc: { error: 'ETIMEOUT' } }, { dmarc: 'unknown' }],
    ['an SES read that failed', { identity: { error: 'AccessDenied' } }, { dkim: 'unknown' }],
  ] as const)('is not healthy with %s', (_case, change, expected) => {
    // Act
    const evidence = { ...READY, ...change } as DomainEvidence;

    // Assess
    expect(judgeDomainHealth(evidence).healthy).toBe(false);
    expect(statuses(evidence)).toMatchObject(expected);
  });

  it('names the record to publish in the fix of a failing check', () => {
    // Act
    const health = judgeDomainHealth({ ...READY, dmarc: { records: [] } });

    // Assess
    expect(health.checks[2]).toMatchObject({
      status: 'fail',
      detail: 'DMARC for mail.acme.example: no v=DMARC1 TXT record at _dmarc.mail.acme.example',
      fix: expect.stringContaining('TXT _dmarc.mail.acme.example "v=DMARC1'),
    });
  });
});

const ses = mockClient(SESv2Client);

// Workers are shared across files (isolate: false): give the class its real send back.
afterAll(() => {
  ses.restore();
});

afterEach(() => {
  ses.reset();
});

describe('Adapter: SES identity directory and the domain health check', () => {
  it('reads DKIM and MAIL FROM from GetEmailIdentity and SPF at the MAIL FROM domain', async () => {
    // Prepare
    ses.on(GetEmailIdentityCommand, { EmailIdentity: 'mail.acme.example' }).resolves({
      VerifiedForSendingStatus: true,
      DkimAttributes: { Status: 'SUCCESS' },
      MailFromAttributes: {
        MailFromDomain: 'bounce.mail.acme.example',
        MailFromDomainStatus: 'SUCCESS',
        BehaviorOnMxFailure: 'USE_DEFAULT_VALUE',
      },
    });
    const check = domainHealthCheck({
      identities: new SesIdentityDirectory(new SESv2Client({ region: 'eu-west-1' })),
      dns: new StaticDnsZone({
        'bounce.mail.acme.example': ['v=spf1 include:amazonses.com ~all'],
        '_dmarc.mail.acme.example': ['v=DMARC1; p=none'],
      }),
    });

    // Act
    const health = await check('mail.acme.example');

    // Assess
    expect(health.healthy).toBe(true);
  });

  it('reports a domain SES does not know as no identity, and an SES error as unknown without throwing', async () => {
    // Prepare
    ses
      .on(GetEmailIdentityCommand, { EmailIdentity: 'missing.example' })
      .rejects(Object.assign(new Error('not found'), { name: 'NotFoundException' }))
      .on(GetEmailIdentityCommand, { EmailIdentity: 'denied.example' })
      .rejects(Object.assign(new Error('no'), { name: 'AccessDeniedException' }));
    const check = domainHealthCheck({
      identities: new SesIdentityDirectory(new SESv2Client({ region: 'eu-west-1' })),
      dns: new StaticDnsZone({}),
    });

    // Act
    const [missing, denied] = await Promise.all([
      check('missing.example'),
      check('denied.example'),
    ]);

    // Assess
    expect(missing.checks[0]).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('not an SES identity'),
    });
    expect(denied.checks[0]).toMatchObject({
      status: 'unknown',
      detail: expect.stringContaining('AccessDeniedException'),
    });
  });
});
