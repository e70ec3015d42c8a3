import { readFileSync } from 'node:fs';
import { Argument, Command, CommanderError, Option } from 'commander';
import { AgentError } from '../../shared/errors.js';
import { SEND_MODES } from '../../shared/domain/send-mode.js';
import { commaList, isoInstant, MAX_SIMULATED_HOURS, wholeNumber } from './usage.js';
import type { OperatorTarget } from './operator-context.js';
import type { RolloutCliOptions } from './rollout-commands.js';
import { registerGoLiveCommands } from './go-live-commands.js';

/** Where a command writes: stdout for data, stderr for progress, notes and errors. */
export interface CommandIo {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
  /** True when stderr is a terminal (progress redraws one line instead of printing many). */
  readonly tty: boolean;
}

/** The target flags every operator command takes. */
interface TargetOptions {
  local?: string;
  stack?: string;
  table?: string;
  app?: string;
  stage?: string;
}

const TARGET_HELP = `
Target (default AWS):
  --local DIR is a data dir written by "agentctl simulate --data-dir DIR" (a directory that is
  not one is refused and nothing is created). On AWS the table, kill-switch parameter, queues
  and alarm topic come from the outputs of the CloudFormation stack --stack NAME (default from
  --app/--stage: EngagementAgent-dev); --table or $TABLE_NAME overrides the table only. The
  region and credentials come from the usual AWS variables or profile.`;

const EXIT_HELP = `
Exit codes: 0 ok, 1 failure (or degraded / not ready), 2 bad usage or input (the message names
the field). "agentctl <command> --help" shows a command's options and examples.`;

/**
 * Runs agentctl with the given arguments and returns the exit code: 0 ok, 1 failure, 2 bad usage
 * or input (the message names the field). Command modules are imported only when their command
 * runs, so `--help` and usage errors answer without loading the simulator or the AWS SDK.
 */
export async function main(
  argv: readonly string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const io: CommandIo = { out, err, tty: err === process.stderr && process.stderr.isTTY === true };
  let exitCode = 0;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  if (argv.length === 0) {
    err.write(program.helpInformation());
    return 2;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    return reportError(error, err);
  }
}

function reportError(error: unknown, err: NodeJS.WritableStream): number {
  if (error instanceof CommanderError) {
    // Commander already printed its message; help and --version end with code 0.
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof AgentError) {
    err.write(`error: ${error.message}\n`);
    return 2;
  }
  const aws = describeAwsSetupError(error);
  if (aws) {
    err.write(`error: ${aws}\n`);
    return 2;
  }
  err.write(
    `error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`,
  );
  return 1;
}

/** Names a missing AWS region or credentials with the fix, for SDK errors raised mid-command. */
function describeAwsSetupError(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  if (/region is missing/i.test(error.message))
    return 'AWS_REGION: no AWS region configured — set AWS_REGION (or AWS_PROFILE with a region), or use --local DIR';
  if (error.name === 'CredentialsProviderError')
    return 'AWS credentials: none found — set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or use --local DIR';
  return undefined;
}

function packageVersion(): string {
  // Source (infra/cli) and bundle (dist/cli) both sit two levels below the repository root.
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

function buildProgram(io: CommandIo, setExitCode: (code: number) => void): Command {
  const program = new Command('agentctl')
    .description('Operate the engagement agent: simulate it locally, or steer a deployed stack.')
    .version(packageVersion(), '-V, --version', 'print the agentctl version')
    .helpOption('-h, --help', 'show help')
    .addHelpCommand(false)
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => io.out.write(text),
      writeErr: (text) => io.err.write(text),
    })
    .exitOverride()
    .addHelpText('after', `${TARGET_HELP}\n${EXIT_HELP}`);

  const run =
    <A extends unknown[]>(action: (...args: A) => Promise<number>) =>
    async (...args: A) => {
      setExitCode(await action(...args));
    };

  const command = (name: string, description: string, examples: readonly string[]) =>
    program
      .command(name)
      .summary(description.split(/(?<=\.) |;/)[0]!.replace(/\.$/, ''))
      .description(description)
      .exitOverride()
      .showHelpAfterError(`(see "agentctl ${name.split(' ')[0]} --help")`)
      .addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n`);

  const withTarget = (cmd: Command) =>
    cmd
      .option('--local <DIR>', 'a local data dir written by simulate --data-dir')
      .option('--stack <NAME>', 'the deployed CloudFormation stack (default from --app/--stage)')
      .option('--table <NAME>', "override the stack's TableName output (default $TABLE_NAME)")
      .option(
        '--app <NAME>',
        'app name of the default stack and Gmail secrets (default engagement-agent)',
      )
      .option('--stage <STAGE>', 'stage of the default stack and Gmail secrets (default dev)')
      .addHelpText('after', TARGET_HELP);

  command('simulate', 'Run the whole system locally on a virtual clock and print a report.', [
    'agentctl simulate --fixture events/demo/demo.json',
    'agentctl simulate --fixture events/demo/demo.json --hours 72 --json > report.json',
    'agentctl simulate --fixture events/demo/demo.json --html report.html --data-dir .local/demo',
  ])
    .requiredOption('--fixture <FILE>', 'the fixture JSON file (tenants, contacts, mailboxes)')
    .option(
      '--hours <N>',
      `simulated hours, 1 to ${MAX_SIMULATED_HOURS} (default: the fixture's, else 24)`,
      wholeNumber(1, MAX_SIMULATED_HOURS),
    )
    .option('--start <ISO>', 'virtual start instant (default: the fixture’s)', isoInstant)
    .addOption(new Option('--send-mode <MODE>', 'override the send mode').choices(SEND_MODES))
    .option('--json', 'print the JSON report instead of the text one')
    .option('--html <FILE>', 'also write a self-contained HTML page with charts to FILE')
    .option('--data-dir <DIR>', 'keep the table on disk for agentctl --local DIR afterwards')
    .addOption(
      new Option('--llm <MODE>', 'how emails are drafted (off: built-in templates, no drafting)')
        .choices(['mock', 'template', 'off'])
        .default('mock'),
    )
    .option('--no-progress', 'print no progress on stderr')
    .action(
      run(async (options: SimulateCliOptions) => {
        const { runSimulateCommand } = await import('./simulate-command.js');
        return runSimulateCommand(options, io);
      }),
    );

  withTarget(
    command('kill-switch', 'Flip or read the global stop (an SSM parameter on AWS).', [
      'agentctl kill-switch status --local .local/demo',
      'agentctl kill-switch on --reason "incident 42" --stage prod',
    ]),
  )
    .addArgument(new Argument('<action>', 'on, off or status').choices(['on', 'off', 'status']))
    .option('--reason <TEXT>', 'why (recorded with the change)')
    .option('--json', 'print the state as JSON')
    .action(
      run(async (action: 'on' | 'off' | 'status', options: TargetOptions & KillSwitchOptions) => {
        const { runKillSwitchCommand } = await import('./operator-commands.js');
        return runKillSwitchCommand(action, options, target(options), io);
      }),
    );

  withTarget(
    command('tenant', "Turn one tenant's autonomy on or off, or show its settings.", [
      'agentctl tenant show summit-lending --local .local/demo',
      'agentctl tenant disable summit-lending --local .local/demo --json',
    ]),
  )
    .addArgument(
      new Argument('<action>', 'enable, disable or show').choices(['enable', 'disable', 'show']),
    )
    .argument('<ID>', 'the tenant id')
    .option('--json', 'print the settings as JSON')
    .action(
      run(async (action: 'enable' | 'disable' | 'show', tenantId: string, options: JsonOptions) => {
        const { runTenantCommand } = await import('./operator-commands.js');
        return runTenantCommand(action, tenantId, options, target(options), io);
      }),
    );

  withTarget(
    command('messaging-pack', "Show or set a tenant's messaging pack (templates, tone, claims).", [
      'agentctl messaging-pack show summit-lending --local .local/demo',
      'agentctl messaging-pack set summit-lending --file pack.json --local .local/demo --json',
    ]),
  )
    .addArgument(new Argument('<action>', 'show or set').choices(['show', 'set']))
    .argument('<TENANT>', 'the tenant id')
    .option('--file <FILE>', 'the pack JSON (set)')
    .option('--json', 'print the pack as JSON')
    .action(
      run(
        async (
          action: 'show' | 'set',
          tenantId: string,
          options: TargetOptions & { file?: string; json?: boolean },
        ) => {
          const { runMessagingPackCommand } = await import('./messaging-pack-command.js');
          return runMessagingPackCommand(action, tenantId, options, target(options), io);
        },
      ),
    );

  withTarget(
    command('runs', "List a tenant's run records, newest first.", [
      'agentctl runs northwind-appraisals --local .local/demo',
      'agentctl runs northwind-appraisals --limit 5 --json --stack EngagementAgent-prod',
    ]),
  )
    .argument('<ID>', 'the tenant id')
    .option('--limit <N>', 'how many runs (1 to 500, default 24)', wholeNumber(1, 500))
    .option('--json', 'print the runs as JSON')
    .action(
      run(async (tenantId: string, options: RunsOptions) => {
        const { runRunsCommand } = await import('./operator-commands.js');
        return runRunsCommand(tenantId, options, target(options), io);
      }),
    );

  withTarget(
    command(
      'health',
      'Kill switch, tenants, last runs, stale locks, DLQ depths, firing alarms; exit 1 when degraded.',
      ['agentctl health --local .local/demo', 'agentctl health --json --stage prod'],
    ),
  )
    .option(
      '--at <ISO>',
      'evaluate as of this instant (default now; local: the data dir’s virtual time)',
    )
    .option('--json', 'print the checks as JSON')
    .action(
      run(async (options: Record<string, unknown>) => {
        const { runHealthCommand } = await import('./operations-commands.js');
        return runHealthCommand(kebabValues(options), target(options), io.out);
      }),
    );

  withTarget(
    command(
      'preflight',
      'The go-live checklist (SES/DKIM, DMARC, kill switch, Gmail, alarms); exit 1 when not ready.',
      [
        'agentctl preflight --local .local/demo',
        'agentctl preflight --identity mail.example.com --stage prod',
      ],
    ),
  )
    .option('--identity <DOMAIN>', 'the SES sending identity to check')
    .option('--configuration-set <NAME>', 'the SES configuration set to check')
    .option('--bedrock-model <ID>', 'the Bedrock model id drafting uses (checks model access)')
    .option(
      '--alarm-topic <ARN>',
      'the SNS alarm topic to check (default: the stack output AlarmTopicArn)',
    )
    .option('--json', 'print the checks as JSON')
    .action(
      run(async (options: Record<string, unknown>) => {
        const { runPreflightCommand } = await import('./operations-commands.js');
        return runPreflightCommand(kebabValues(options), target(options), io.out);
      }),
    );

  withTarget(
    command('dlq', 'Move dead-lettered messages back to their queue.', [
      'agentctl dlq redrive send --dry-run --local .local/demo',
      'agentctl dlq redrive ingest --limit 10 --json --stage prod',
    ]),
  )
    .addArgument(new Argument('<action>', 'redrive').choices(['redrive']))
    .argument('<NAME>', 'a queue (send, ingest) or its DLQ URL')
    .option('--dry-run', 'count what would move, move nothing')
    .option('--limit <N>', 'move at most N messages')
    .option('--json', 'print the result as JSON')
    .action(
      run(async (action: string, name: string, options: Record<string, unknown>) => {
        const { runDlqCommand } = await import('./operations-commands.js');
        return runDlqCommand(action, name, kebabValues(options), target(options), io.out);
      }),
    );

  withTarget(
    command(
      'approvals',
      'List open approvals (assisted phase), show one, or approve, reject or edit it; every decision is audited.',
      [
        'agentctl approvals list --local .local/demo',
        'agentctl approvals show summit-lending/p-3fa9c01b2d4e --local .local/demo',
        'agentctl approvals approve summit-lending/p-3fa9c01b2d4e --note "ok" --stage prod',
        'agentctl approvals edit summit-lending/p-3fa9c01b2d4e --subject "Quick check-in" --local .local/demo',
      ],
    ),
  )
    .addArgument(
      new Argument('<action>', 'list, show, approve, reject or edit').choices([
        'list',
        'show',
        'approve',
        'reject',
        'edit',
      ]),
    )
    .argument('[ID]', 'TENANT/p-… (list: an optional tenant id)')
    .option('--note <TEXT>', 'why (recorded with the decision)')
    .option('--by <NAME>', 'who decides (default $USER)')
    .option(
      '--at <ISO>',
      'decide as of this instant (default now; on a local data dir, the virtual time its last simulation reached)',
      isoInstant,
    )
    .option('--status <S1,S2>', 'list: these statuses (default awaiting,approved,executing)')
    .option('--subject <TEXT>', 'edit: the email subject')
    .option('--text <TEXT>', 'edit: the email text')
    .option('--template <ID>', 'edit: the email template')
    .option('--json', 'print JSON')
    .action(
      run(
        async (
          action: 'list' | 'show' | 'approve' | 'reject' | 'edit',
          id: string | undefined,
          options: TargetOptions & RolloutCliOptions,
        ) => {
          const { runApprovalsCommand } = await import('./rollout-commands.js');
          return runApprovalsCommand(action, id, options, target(options), io);
        },
      ),
    );

  withTarget(
    command(
      'review',
      "Record a reviewer's own decision on a proposal of the shadow or parallel phase (agreement per action type).",
      ['agentctl review summit-lending/p-3fa9c01b2d4e agree --local .local/demo'],
    ),
  )
    .argument('<ID>', 'TENANT/p-… (from agentctl approvals list --status recorded)')
    .addArgument(new Argument('<decision>', 'agree or disagree').choices(['agree', 'disagree']))
    .option('--note <TEXT>', 'why (recorded with the review)')
    .option('--by <NAME>', 'who reviews (default $USER)')
    .option(
      '--at <ISO>',
      'as of this instant (default now; local: the data dir’s virtual time)',
      isoInstant,
    )
    .option('--json', 'print JSON')
    .action(
      run(
        async (
          id: string,
          decision: 'agree' | 'disagree',
          options: TargetOptions & RolloutCliOptions,
        ) => {
          const { runReviewCommand } = await import('./rollout-commands.js');
          return runReviewCommand(id, decision, options, target(options), io);
        },
      ),
    );

  command(
    'classify',
    'Parse, classify and extract RFC 822 files exactly as the ingest Lambda does; exit 2 when a file cannot be read, 1 when one is malformed.',
    [
      'agentctl classify test/fixtures/mail/holdout-need-w9.eml',
      'agentctl classify --json --own-domain example.com test/fixtures/mail/*.eml',
    ],
  )
    .argument('<FILE...>', 'RFC 822 message files')
    .option('--json', 'print the results as JSON')
    .option('--own-domain <D1,D2>', 'our own domains (for forwarded chains)', commaList, [])
    .action(
      run(async (files: string[], options: { json?: boolean; ownDomain: string[] }) => {
        const { runClassifyCommand } = await import('./classify.js');
        return runClassifyCommand(
          files,
          { json: options.json === true, ownDomains: options.ownDomain },
          io.out,
          io.err,
        );
      }),
    );

  withTarget(
    command(
      'gmail',
      "Store the OAuth client, print the consent URL, store a tenant's token (never printed), show connection status.",
      [
        'agentctl gmail set-client --client-file client.json --local .local/demo',
        'agentctl gmail auth-url --local .local/demo',
        'agentctl gmail connect summit-lending --code 4/0Ab… --local .local/demo',
        'agentctl gmail status summit-lending --probe --json --local .local/demo',
      ],
    ),
  )
    .addArgument(
      new Argument('<action>', 'set-client, auth-url, connect or status').choices([
        'set-client',
        'auth-url',
        'connect',
        'status',
      ]),
    )
    .argument('[TENANT]', 'the tenant id (connect, status)')
    .option('--client-file <FILE>', 'the OAuth client JSON (set-client)')
    .option('--redirect-uri <URI>', 'the OAuth redirect URI')
    .option('--code <CODE>', 'the authorization code (connect)')
    .option('--probe', 'call Gmail to check the token (status)')
    .option('--json', 'print the status as JSON (status)')
    .action(
      run(
        async (action: string, tenantId: string | undefined, options: Record<string, unknown>) => {
          const { runGmailCommand } = await import('./gmail.js');
          return runGmailCommand(action, tenantId, kebabValues(options), target(options), io.out);
        },
      ),
    );

  registerGoLiveCommands({ io, command, withTarget, run, target });

  return program;
}

/** The options `simulate` receives from the command line. */
export interface SimulateCliOptions {
  readonly fixture: string;
  readonly hours?: number;
  readonly start?: Date;
  readonly sendMode?: (typeof SEND_MODES)[number];
  readonly json?: boolean;
  readonly html?: string;
  readonly dataDir?: string;
  readonly progress: boolean;
  /** How Act drafts: the deterministic mock (default), templates only, or no drafting. */
  readonly llm?: 'mock' | 'template' | 'off';
}

/** `--json` alone. */
export interface JsonOptions extends TargetOptions {
  readonly json?: boolean;
}

/** The options of `kill-switch`. */
export interface KillSwitchOptions extends JsonOptions {
  readonly reason?: string;
}

/** The options of `runs`. */
export interface RunsOptions extends JsonOptions {
  readonly limit?: number;
}

function target(options: TargetOptions): OperatorTarget {
  return {
    ...(options.local !== undefined ? { local: options.local } : {}),
    ...(options.stack !== undefined ? { stack: options.stack } : {}),
    ...(options.table !== undefined ? { table: options.table } : {}),
    ...(options.app !== undefined ? { app: options.app } : {}),
    ...(options.stage !== undefined ? { stage: options.stage } : {}),
  };
}

/** Commander's camelCase option values under their flag names (`dryRun` → `dry-run`). */
function kebabValues(
  options: Record<string, unknown>,
): Record<string, string | boolean | undefined> {
  const values: Record<string, string | boolean | undefined> = {};
  for (const [key, value] of Object.entries(options)) {
    if (typeof value === 'string' || typeof value === 'boolean')
      values[key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)] = value;
  }
  return values;
}
