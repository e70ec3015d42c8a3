import { describe, expect, it } from 'vitest';
import { main } from '../../../infra/cli/main.js';

const dir = 'test/fixtures/mail';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    argv,
    { write: (s: string) => out.push(s) } as never,
    { write: (s: string) => err.push(s) } as never,
  );
  return { code, out: out.join(''), err: err.join('') };
}

describe('CLI: agentctl classify', () => {
  it('prints class, bounce recipient with status and normalised reason, and the extracted contact', async () => {
    const result = await run(
      'classify',
      `${dir}/dsn-postfix-mailbox-full.eml`,
      `${dir}/plain-reply-thanks.eml`,
    );

    expect(result.code).toBe(0);
    expect(result.out).toContain('class:    bounce');
    expect(result.out).toContain(
      'bounce:   ella.novak@prairiecu.example  failed 5.2.2  over_quota (soft)',
    );
    expect(result.out).toContain(
      'contact:  Dana Whitfield · <dana.whitfield@lakeshoremortgage.example> · Senior Loan Officer · Lakeshore Mortgage · (312) 555-0142',
    );
  });

  it('prints JSON with the same analysis the ingest Lambda computes', async () => {
    const result = await run(
      'classify',
      '--json',
      `${dir}/request-call-plain.eml`,
      `${dir}/dsn-gmail-user-unknown.eml`,
    );
    const parsed = JSON.parse(result.out) as Record<string, unknown>[];

    expect(result.code).toBe(0);
    expect(parsed[0]).toMatchObject({
      class: 'explicit_request',
      request: { kind: 'explicit_request', requestType: 'call', rule: 'request.modal_question' },
      contact: { email: 'jorge.castillo@riverbendloans.example', title: 'Loan Officer' },
    });
    expect(parsed[1]).toMatchObject({
      class: 'bounce',
      bounce: {
        recipients: [
          { email: 'zoe.patel@riverbendloans.example', status: '5.1.1', reason: 'user_unknown' },
        ],
      },
      contact: null,
    });
  });

  it('exits 2 when a file cannot be read and still reports the others', async () => {
    const result = await run('classify', `${dir}/no-such-file.eml`, `${dir}/unsubscribe-stop.eml`);

    expect(result.code).toBe(2);
    expect(result.out).toContain('class:    unsubscribe');
    expect(result.err).toContain('no-such-file.eml: cannot read');
  });

  it('exits 1 with the reason for a malformed message', async () => {
    const result = await run('classify', `${dir}/malformed-truncated.eml`);

    expect(result.code).toBe(1);
    expect(result.out).toContain('class:    malformed');
    expect(result.err).toContain('NUL byte in the header section');
  });

  it('exits 2 without files', async () => {
    expect((await run('classify')).code).toBe(2);
  });
});
