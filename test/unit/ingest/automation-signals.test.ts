import { describe, expect, it } from 'vitest';
import { automationSignals } from '../../../shared/domain/ingest/automation-signals.js';

const headers = (entries: Record<string, string>) =>
  new Map(Object.entries(entries).map(([name, value]) => [name, [value]]));

describe('Domain: ingest automation signals', () => {
  it('reads every machine-sent fact a delay notice states in its headers', () => {
    expect(
      automationSignals(
        headers({
          'auto-submitted': 'auto-replied',
          'content-type': 'multipart/report; report-type=delivery-status',
          'return-path': '<>',
        }),
        'MAILER-DAEMON@mx.example',
      ),
    ).toEqual(['auto_submitted', 'report', 'null_sender', 'daemon_sender']);
  });

  it("finds nothing in a person's mail, including Auto-Submitted: no", () => {
    expect(
      automationSignals(
        headers({
          'auto-submitted': 'no',
          'content-type': 'text/plain',
          'return-path': '<dana@x.example>',
        }),
        'dana@x.example',
      ),
    ).toEqual([]);
  });

  it('reads vendor auto-reply headers and Precedence', () => {
    expect(
      automationSignals(headers({ 'x-autoreply': 'yes', precedence: 'auto_reply' }), 'a@b.example'),
    ).toEqual(['autoreply_header', 'precedence']);
  });
});
