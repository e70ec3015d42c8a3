import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../shared/clock.js';
import { main } from '../../../infra/cli/main.js';
import { startLocalStack } from '../../../infra/local/local-stack.js';
import { openOperatorContext } from '../../../infra/cli/operator-context.js';
import { LocalGmailServer } from '../../../infra/local/gmail-server.js';

const CLIENT = {
  clientId: 'cli-test.apps.googleusercontent.example',
  clientSecret: 'GOCSPX-cli-test-client-secret',
};
const REFRESH_TOKEN = '1//0cli-test-refresh-token-SECRET-3e9a';

describe('agentctl gmail (local data dir, local Google endpoints)', () => {
  let dir: string;
  let gmail: LocalGmailServer;
  const saved: Record<string, string | undefined> = {};
  const output: string[] = [];

  async function run(...argv: string[]): Promise<{ code: number; out: string }> {
    const out: string[] = [];
    const sink = { write: (s: string) => (out.push(s), output.push(s), true) } as never;
    const code = await main([...argv, '--local', dir], sink, sink);
    return { code, out: out.join('') };
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'agentctl-gmail-'));
    gmail = await LocalGmailServer.start({
      clock: new VirtualClock('2026-01-05T08:00:00Z'),
      ...CLIENT,
    });
    gmail.addMailbox('team@acme.example', []);
    for (const [name, value] of [
      ['GMAIL_OAUTH_TOKEN_URL', gmail.tokenUrl],
      ['GMAIL_API_ROOT_URL', gmail.rootUrl],
    ] as const) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    // A data dir as `simulate --data-dir` leaves it (operator commands refuse any other directory).
    await (await startLocalStack({ dataDir: dir })).stop();
    const context = await openOperatorContext({ local: dir });
    await context.repos.tenants.put('acme', { name: 'Acme', agentEnabled: true });
    await context.close();
    await writeFile(
      join(dir, 'client.json'),
      JSON.stringify({
        web: {
          client_id: CLIENT.clientId,
          client_secret: CLIENT.clientSecret,
          redirect_uris: ['https://agent.example/oauth/callback'],
        },
      }),
    );
  }, 60_000);

  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await gmail.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('reports not_configured before anything is stored', async () => {
    const status = await run('gmail', 'status', 'acme');
    const show = await run('tenant', 'show', 'acme', '--json');

    expect(status).toMatchObject({ code: 1 });
    expect(status.out).toContain('gmail acme: not_configured');
    expect(JSON.parse(show.out)).toMatchObject({
      tenantId: 'acme',
      gmailConnection: 'not_configured',
    });
  });

  it("stores the OAuth client from Google's downloaded JSON and prints a consent URL for read-only access", async () => {
    const stored = await run('gmail', 'set-client', '--client-file', join(dir, 'client.json'));
    const url = await run('gmail', 'auth-url');

    expect(stored.out).toContain(
      `OAuth client ${CLIENT.clientId} stored in secret engagement-agent/dev/gmail/oauth-client`,
    );
    const consent = new URL(url.out.split('\n')[1] ?? '');
    expect(consent.searchParams.get('access_type')).toBe('offline');
    expect(consent.searchParams.get('scope')).toBe(
      'https://www.googleapis.com/auth/gmail.readonly',
    );
    expect(consent.searchParams.get('redirect_uri')).toBe('https://agent.example/oauth/callback');
  });

  it('exchanges an authorization code, stores the refresh token in the tenant secret (0600) and reports connected', async () => {
    const code = gmail.issueAuthorizationCode('team@acme.example', REFRESH_TOKEN);

    const connected = await run('gmail', 'connect', 'acme', '--code', code);
    const status = await run('gmail', 'status', 'acme', '--probe');
    const show = await run('tenant', 'show', 'acme', '--json');

    expect(connected).toMatchObject({ code: 0 });
    expect(connected.out).toContain(
      'gmail acme: connected (team@acme.example); refresh token stored in secret engagement-agent/dev/gmail/tenants/acme',
    );
    expect(status).toMatchObject({ code: 0 });
    expect(JSON.parse(show.out)).toMatchObject({ gmailConnection: 'connected' });
    const secrets = JSON.parse(await readFile(join(dir, 'secrets.json'), 'utf8')) as Record<
      string,
      { refreshToken?: string }
    >;
    expect(secrets['engagement-agent/dev/gmail/tenants/acme']?.refreshToken).toBe(REFRESH_TOKEN);
    expect((await stat(join(dir, 'secrets.json'))).mode & 0o777).toBe(0o600);
  });

  it('turns a revoked grant into token_expired when probed', async () => {
    gmail.revokeRefreshToken(REFRESH_TOKEN);

    const status = await run('gmail', 'status', 'acme', '--probe');

    expect(status).toMatchObject({ code: 1 });
    expect(status.out).toContain('gmail acme: token_expired');
    expect(status.out).toContain('invalid_grant');
  });

  it('refuses a bad authorization code with a clear error and exit code 2', async () => {
    const result = await run('gmail', 'connect', 'acme', '--code', '4/not-a-code');

    expect(result.code).toBe(2);
    expect(result.out).toContain('invalid_grant');
  });

  it('never prints the refresh token or the client secret', () => {
    const printed = output.join('');

    expect(printed).not.toContain(REFRESH_TOKEN);
    expect(printed).not.toContain(CLIENT.clientSecret);
    expect(printed).not.toContain('ya29.');
  });
});
