import { Argument, type Command } from 'commander';
import type { CommandIo } from './main.js';
import type { OperatorTarget } from './operator-context.js';

/** The builders of main.ts a command group registers itself with. */
export interface CommandRegistrar {
  readonly io: CommandIo;
  command(name: string, description: string, examples: readonly string[]): Command;
  withTarget(cmd: Command): Command;
  run<A extends unknown[]>(action: (...args: A) => Promise<number>): (...args: A) => Promise<void>;
  target(options: Record<string, unknown>): OperatorTarget;
}

/**
 * Registers the go-live commands: `rollout status|advance TENANT` (both ladders in status, the
 * rollout phase in advance), `send-mode status|advance TENANT` (the send-mode ladder) and
 * `canary`. Their modules load only when the command runs.
 */
export function registerGoLiveCommands(r: CommandRegistrar): void {
  const ladder = (
    name: 'rollout' | 'send-mode',
    description: string,
    rungs: string,
    examples: string[],
  ) =>
    r
      .withTarget(r.command(name, description, examples))
      .addArgument(new Argument('<action>', 'status or advance').choices(['status', 'advance']))
      .argument('<TENANT>', 'the tenant id')
      .option('--to <RUNG>', `advance to this rung (${rungs}; default the next one)`)
      .option('--force', 'advance although criteria fail (needs --reason; audited)')
      .option('--reason <TEXT>', 'why the criteria are overridden')
      .option('--identity <DOMAIN>', 'the SES sending domain whose DKIM/DMARC count (AWS)')
      .option('--json', 'print the result as JSON')
      .action(
        r.run(
          async (
            action: 'status' | 'advance',
            tenantId: string,
            options: Record<string, unknown>,
          ) => {
            const { runLadderCommand } = await import('./ladder-command.js');
            return runLadderCommand(name, action, tenantId, options, r.target(options), r.io);
          },
        ),
      );

  ladder(
    'rollout',
    'Where a tenant stands on both ladders (rollout phase and send mode) and what the next rung needs; advance the phase only when the go-live criteria pass (exit 1 naming each failing one).',
    'shadow, parallel, assisted, autonomous',
    [
      'agentctl rollout status summit-lending --local .local/demo',
      'agentctl rollout advance summit-lending --to parallel --local .local/demo',
      'agentctl rollout advance summit-lending --force --reason "pilot sign-off, ticket 42" --stage prod',
    ],
  );
  ladder(
    'send-mode',
    "Advance a tenant's send mode (dry_run → internal_only → limited_live → production) when the go-live runbook's criteria pass (exit 1 naming each failing one); status shows both ladders.",
    'dry_run, internal_only, limited_live, production',
    [
      'agentctl send-mode advance summit-lending --local .local/demo',
      'agentctl send-mode advance summit-lending --to dry_run --stage prod',
    ],
  );

  r.withTarget(
    r.command(
      'canary',
      'Run a synthetic internal lead through the real pipeline (plan, policy, gate, SES, unsubscribe link, suppression, kill switch) and clean up; exit 1 naming the failing check.',
      [
        'agentctl canary --local .local/demo',
        'agentctl canary --local .local/demo --json',
        'agentctl canary --stage staging',
      ],
    ),
  )
    .option('--json', 'print the checks as JSON')
    .action(
      r.run(async (options: Record<string, unknown>) => {
        const { runCanaryCommand } = await import('./canary-command.js');
        return runCanaryCommand(options, r.target(options), r.io);
      }),
    );
}
