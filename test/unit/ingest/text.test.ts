import { describe, expect, it } from 'vitest';
import { htmlToText } from '../../../shared/domain/ingest/html-to-text.js';
import { unwrapParagraphs } from '../../../shared/domain/ingest/mime.js';
import {
  normalizeMessageId,
  parseMessageIdList,
  domainMatches,
} from '../../../shared/domain/ingest/message-ids.js';
import { cleanDisplayName, extractSignature } from '../../../shared/domain/ingest/signature.js';
import { findEntityReferences } from '../../../shared/domain/ingest/links.js';

describe('Domain: htmlToText', () => {
  it('drops styles, breaks blocks into lines, decodes entities and marks quoted mail with ">"', () => {
    const html =
      '<html><head><style>p{}</style></head><body><p>Hi&nbsp;there &amp; welcome</p><div>Line&#160;two<br>three</div>' +
      '<div class="gmail_quote">On Mon wrote:<blockquote>Earlier &lt;mail&gt;</blockquote></div></body></html>';

    expect(htmlToText(html)).toBe(
      'Hi there & welcome\n\nLine two\nthree\n\n> On Mon wrote:\n> > Earlier <mail>',
    );
  });
});

describe('Domain: unwrapParagraphs', () => {
  it('joins hard-wrapped sentence lines but leaves short lines, quotes and header-like lines alone', () => {
    const text = [
      'We have three refinance files coming in next week. Could you give me a',
      'call tomorrow morning?',
      '',
      'Thanks,',
      'Marcus',
      'From: Someone <someone@example.com> on behalf of a very long display name here',
      'Sent: Monday',
    ].join('\n');

    expect(unwrapParagraphs(text).split('\n')).toEqual([
      'We have three refinance files coming in next week. Could you give me a call tomorrow morning?',
      '',
      'Thanks,',
      'Marcus',
      'From: Someone <someone@example.com> on behalf of a very long display name here',
      'Sent: Monday',
    ]);
  });
});

describe('Domain: message ids', () => {
  it('normalises brackets and case, and lists References in order without duplicates', () => {
    expect(normalizeMessageId(' <ABC@Mail.Example> ')).toBe('abc@mail.example');
    expect(parseMessageIdList('<a@x.example> <B@y.example>\r\n <a@x.example>')).toEqual([
      'a@x.example',
      'b@y.example',
    ]);
    expect(parseMessageIdList('bare@z.example')).toEqual(['bare@z.example']);
    expect(domainMatches('eu-west-1.amazonses.com', 'amazonses.com')).toBe(true);
    expect(domainMatches('notamazonses.com', 'amazonses.com')).toBe(false);
  });
});

describe('Domain: extractSignature', () => {
  it.each([
    {
      case: 'a pipe-separated title and company after a sign-off',
      text: 'Sounds good.\n\nBest,\nDana Whitfield\nSenior Loan Officer | Lakeshore Mortgage\nDirect: (312) 555-0142',
      expected: {
        name: 'Dana Whitfield',
        title: 'Senior Loan Officer',
        company: 'Lakeshore Mortgage',
        phone: '(312) 555-0142',
      },
    },
    {
      case: "a '-- ' block",
      text: 'Fine by me.\n\n-- \nTom Okafor\nChief Lending Officer\nPrairie Credit Union\nTel. +1 515 555 0101',
      expected: {
        name: 'Tom Okafor',
        title: 'Chief Lending Officer',
        company: 'Prairie Credit Union',
        phone: '+1 515 555 0101',
      },
    },
    {
      case: 'no signature at all',
      text: 'Can you call me?',
      expected: {},
    },
    {
      case: 'a signature only in quoted mail',
      text: 'Thanks!\n\nOn Mon, Jan 5, 2026 Dana wrote:\n> Best,\n> Dana Whitfield\n> (312) 555-0142',
      expected: {},
    },
  ])('reads $case', ({ text, expected }) => {
    expect(extractSignature(text, { name: 'Whitfield, Dana' })).toEqual(expected);
  });

  it('turns "Last, First" display names around and drops address-like names', () => {
    expect(cleanDisplayName('"Whitfield, Dana"')).toBe('Dana Whitfield');
    expect(cleanDisplayName('dana@x.example')).toBeUndefined();
    expect(cleanDisplayName('Dana Whitfield (via Google Docs)')).toBe('Dana Whitfield');
  });
});

describe('Domain: findEntityReferences', () => {
  it('finds order, deal and bid ids as the tenant writes them and "Order #" forms', () => {
    expect(findEntityReferences('Re: Order #1003 and deal-01', 'see bid-01 and ORD-1004')).toEqual({
      orderIds: ['ord-1004', 'ord-1003', '1003'],
      dealIds: ['deal-01'],
      bidIds: ['bid-01'],
    });
  });
});
