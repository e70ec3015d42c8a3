import { agentctl } from '../helpers/agentctl.js';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack } from '../../infra/local/local-stack.js';
import { createCycleRepositories } from '../../shared/cycle/create-runtime.js';
import { SystemClock } from '../../shared/clock.js';

/** Runs `fn` with the given environment variables set (undefined = unset), then restores them. */
async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>) {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(vars);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}

describe('CLI: agentctl exit codes (0 ok, 1 failure, 2 bad usage or input naming the field)', () => {
  let work: string;
  let dataDir: string;
  let notADataDir: string;
  let emptyFile: string;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'agentctl-exit-'));
    dataDir = join(work, 'data');
    notADataDir = join(work, 'plain');
    await mkdir(notADataDir);
    await writeFile(join(notADataDir, 'notes.txt'), 'not a data dir');
    emptyFile = join(work, 'empty.json');
    await writeFile(emptyFile, '{}');
    const stack = await startLocalStack({ dataDir });
    try {
      const repos = createCycleRepositories({
        doc: stack.clients.doc,
        tableName: stack.tableName,
        clock: new SystemClock(),
      });
      await repos.tenants.put('known', { name: 'Known', agentEnabled: true });
    } finally {
      await stack.stop();
    }
  }, 60_000);

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  const missing = () => join(work, 'does-not-exist');

  describe.each([
    // [command, argv, expected code, text stderr must contain]
    [
      'simulate: a missing fixture file',
      () => ['simulate', '--fixture', missing()],
      2,
      '--fixture',
    ],
    ['simulate: a directory as fixture', () => ['simulate', '--fixture', work], 2, '--fixture'],
    [
      'simulate: a fixture that fails validation',
      () => ['simulate', '--fixture', emptyFile],
      2,
      'tenants',
    ],
    ['simulate: no --fixture', () => ['simulate'], 2, "'--fixture <FILE>' not specified"],
    [
      'simulate: negative hours',
      () => ['simulate', '--fixture', emptyFile, '--hours', '-5'],
      2,
      "'--hours <N>' argument '-5' is invalid",
    ],
    [
      'simulate: hours past the bound',
      () => ['simulate', '--fixture', emptyFile, '--hours', '100000'],
      2,
      'from 1 to 8760',
    ],
    [
      'simulate: a bad start',
      () => ['simulate', '--fixture', emptyFile, '--start', 'soon'],
      2,
      "'--start <ISO>'",
    ],
    [
      'simulate: a bad send mode',
      () => ['simulate', '--fixture', emptyFile, '--send-mode', 'loud'],
      2,
      "'--send-mode <MODE>'",
    ],
    [
      'simulate: an unknown flag',
      () => ['simulate', '--fixture', emptyFile, '--hour', '2'],
      2,
      "unknown option '--hour'",
    ],
    [
      'simulate: --html into a missing directory',
      () => ['simulate', '--fixture', emptyFile, '--html', join(missing(), 'r.html')],
      2,
      '--html',
    ],
    [
      'simulate: --data-dir on a directory that is not one',
      () => ['simulate', '--fixture', emptyFile, '--data-dir', notADataDir],
      2,
      '--data-dir',
    ],
    [
      'kill-switch: a missing --local dir',
      () => ['kill-switch', 'status', '--local', missing()],
      2,
      '--local',
    ],
    [
      'kill-switch: a directory that is not a data dir',
      () => ['kill-switch', 'on', '--local', notADataDir],
      2,
      'not an agentctl data dir',
    ],
    [
      'kill-switch: a bad action',
      () => ['kill-switch', 'maybe', '--local', dataDir],
      2,
      "argument 'action'",
    ],
    [
      'kill-switch: an unknown flag',
      () => ['kill-switch', 'status', '--reson', 'x'],
      2,
      "unknown option '--reson'",
    ],
    [
      'tenant: an unknown tenant',
      () => ['tenant', 'show', 'nobody', '--local', dataDir],
      2,
      'Tenant nobody does not exist',
    ],
    [
      'tenant: enabling an unknown tenant',
      () => ['tenant', 'enable', 'nobody', '--local', dataDir],
      2,
      'Tenant nobody does not exist',
    ],
    ['tenant: a missing ID', () => ['tenant', 'show'], 2, "missing required argument 'ID'"],
    [
      'tenant: an unknown flag',
      () => ['tenant', 'show', 'known', '--jsn'],
      2,
      "unknown option '--jsn'",
    ],
    [
      'runs: an unknown tenant',
      () => ['runs', 'nobody', '--local', dataDir],
      2,
      'Tenant nobody does not exist',
    ],
    [
      'runs: a bad limit',
      () => ['runs', 'known', '--limit', '0', '--local', dataDir],
      2,
      "'--limit <N>'",
    ],
    ['health: a bad --at', () => ['health', '--at', 'yesterday', '--local', dataDir], 2, '--at'],
    ['health: an unknown flag', () => ['health', '--verbose'], 2, "unknown option '--verbose'"],
    ['preflight: a missing --local dir', () => ['preflight', '--local', missing()], 2, '--local'],
    ['dlq: an unknown queue', () => ['dlq', 'redrive', 'nope', '--local', dataDir], 2, 'nope'],
    ['dlq: a bad action', () => ['dlq', 'purge', 'send'], 2, "argument 'action'"],
    ['classify: a missing file', () => ['classify', missing()], 2, 'does-not-exist'],
    ['classify: a directory', () => ['classify', work], 2, 'EISDIR'],
    ['classify: no file', () => ['classify'], 2, "missing required argument 'FILE'"],
    [
      'gmail: an unknown tenant',
      () => ['gmail', 'status', 'nobody', '--local', dataDir],
      2,
      'Tenant nobody does not exist',
    ],
    [
      'gmail: a missing client file',
      () => ['gmail', 'set-client', '--client-file', missing(), '--local', dataDir],
      2,
      '--client-file',
    ],
    ['an unknown command', () => ['bogus'], 2, "unknown command 'bogus'"],
    ['no command at all', () => [], 2, 'Usage: agentctl'],
  ] as const)('%s', (_name, argv, expected, message) => {
    it(`exits ${expected} and says why on stderr`, async () => {
      const result = await agentctl(...argv());

      expect(result.err).toContain(message);
      expect(result.code).toBe(expected);
      // classify lists every file's result on stdout, unreadable ones included; nothing else
      // prints data when it fails.
      if (argv()[0] === 'classify' && argv().length > 1) expect(result.out).toContain('unreadable');
      else expect(result.out).toBe('');
    });
  });

  it('answers --help and --version with exit 0 on stdout', async () => {
    const help = await agentctl('simulate', '--help');
    const version = await agentctl('--version');

    expect(help.code).toBe(0);
    expect(help.out).toContain('Examples:');
    expect(help.out).toContain('--fixture <FILE>');
    expect(version).toMatchObject({ code: 0, out: '0.1.0\n' });
  });

  it('creates nothing when an operator command is pointed at a missing --local dir', async () => {
    const target = join(work, 'typo');

    for (const argv of [
      ['kill-switch', 'on', '--reason', 'x', '--local', target],
      ['kill-switch', 'status', '--local', target],
      ['tenant', 'show', 'known', '--local', target],
      ['health', '--local', target],
    ]) {
      expect((await agentctl(...argv)).code).toBe(2);
    }
    expect(existsSync(target)).toBe(false);
    expect(await readdir(notADataDir)).toEqual(['notes.txt']);
  });

  it('names a missing AWS region with the fix', async () => {
    const result = await withEnv(
      {
        AWS_REGION: undefined,
        AWS_DEFAULT_REGION: undefined,
        AWS_PROFILE: undefined,
        AWS_CONFIG_FILE: missing(),
        AWS_SHARED_CREDENTIALS_FILE: missing(),
      },
      () => agentctl('tenant', 'show', 'known', '--table', 'engagement-agent-dev'),
    );

    expect(result.code).toBe(2);
    expect(result.err).toContain('AWS_REGION: no AWS region configured — set AWS_REGION');
  });

  it('names missing AWS credentials with the fix', async () => {
    const result = await withEnv(
      {
        AWS_REGION: 'eu-west-1',
        AWS_PROFILE: undefined,
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_SESSION_TOKEN: undefined,
        AWS_CONFIG_FILE: missing(),
        AWS_SHARED_CREDENTIALS_FILE: missing(),
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
        AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
        AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
      },
      () => agentctl('runs', 'known', '--table', 'engagement-agent-dev'),
    );

    expect(result.code).toBe(2);
    expect(result.err).toContain('AWS credentials: none found');
  });
});
