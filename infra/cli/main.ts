import { parseArgs } from 'node:util';
import { AgentError } from '../../shared/errors.js';
import { isSendMode, SEND_MODES } from '../../shared/domain/send-mode.js';
import { loadFixture } from '../local/fixture.js';
import { runSimulation } from '../local/simulator.js';
import { formatReport } from './format-report.js';
import { openOperatorContext, type OperatorTarget } from './operator-context.js';
import { CLASSIFY_HELP, runClassifyCommand } from './classify.js';
import {
  GMAIL_HELP,
  gmailConnectionSource,
  gmailTargetSettings,
  runGmailCommand,
} from './gmail.js';
import {
  OPERATIONS_HELP,
  runDlqCommand,
  runHealthCommand,
  runPreflightCommand,
} from './operations-commands.js';

const HELP = `agentctl — operate the engagement agent

Usage:
  agentctl simulate --fixture FILE [--hours N] [--start ISO] [--send-mode MODE] [--json] [--data-dir DIR]
  agentctl kill-switch on|off|status [--reason TEXT]   [target]
  agentctl tenant enable|disable|show ID               [target]
  agentctl runs ID [--limit N] [--json]                [target]
${OPERATIONS_HELP}
${CLASSIFY_HELP}
${GMAIL_HELP}

Target (operator commands):
  --local DIR        a local data dir written by 'simulate --data-dir DIR'
  --table NAME       the DynamoDB table on AWS (default: $TABLE_NAME)
  --app NAME --stage STAGE   name the kill-switch parameter /<app>/<stage>/kill-switch
                     (defaults: engagement-agent, dev; or $KILL_SWITCH_PARAMETER)

Send modes: ${SEND_MODES.join(', ')}. Exit codes: 0 ok, 1 failure, 2 bad usage or input.`;

class UsageError extends Error {}

const options = {
  fixture: { type: 'string' },
  hours: { type: 'string' },
  start: { type: 'string' },
  'send-mode': { type: 'string' },
  json: { type: 'boolean' },
  'data-dir': { type: 'string' },
  reason: { type: 'string' },
  local: { type: 'string' },
  table: { type: 'string' },
  app: { type: 'string' },
  stage: { type: 'string' },
  limit: { type: 'string' },
  at: { type: 'string' },
  identity: { type: 'string' },
  'configuration-set': { type: 'string' },
  'alarm-topic': { type: 'string' },
  'dry-run': { type: 'boolean' },
  'own-domain': { type: 'string' },
  code: { type: 'string' },
  'client-file': { type: 'string' },
  'redirect-uri': { type: 'string' },
  probe: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs agentctl with the given arguments; returns the exit code. */
export async function main(
  argv: readonly string[],
  out = process.stdout,
  err = process.stderr,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    err.write(`error: ${(error as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    out.write(`${HELP}\n`);
    return values.help ? 0 : 2;
  }
  const target: OperatorTarget = {
    ...(values.local ? { local: values.local } : {}),
    ...(values.table ? { table: values.table } : {}),
    ...(values.app ? { app: values.app } : {}),
    ...(values.stage ? { stage: values.stage } : {}),
  };
  try {
    switch (command) {
      case 'simulate':
        return await simulate(values, out, err);
      case 'kill-switch':
        return await killSwitch(rest[0], values.reason, target, out);
      case 'tenant':
        return await tenant(rest[0], rest[1], target, out);
      case 'runs':
        return await runs(rest[0], values.limit, values.json ?? false, target, out);
      case 'health':
        return await runHealthCommand(values, target, out);
      case 'preflight':
        return await runPreflightCommand(values, target, out);
      case 'classify':
        if (rest.length === 0) throw new UsageError('classify needs one or more FILEs');
        return await runClassifyCommand(
          rest,
          {
            json: values.json ?? false,
            ownDomains: (values['own-domain'] ?? '').split(',').filter((d) => d.trim() !== ''),
          },
          out,
          err,
        );
      case 'gmail':
        return await runGmailCommand(rest[0], rest[1], values, target, out);
      case 'dlq':
        return await runDlqCommand(rest[0], rest[1], values, target, out);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      err.write(`error: ${error.message}\n\n${HELP}\n`);
      return 2;
    }
    if (error instanceof AgentError) {
      err.write(`error: ${error.message}\n`);
      return 2;
    }
    err.write(
      `error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`,
    );
    return 1;
  }
}

async function simulate(
  values: Record<string, string | boolean | undefined>,
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  const fixturePath = values['fixture'];
  if (typeof fixturePath !== 'string') throw new UsageError('simulate needs --fixture FILE');
  const hours = values['hours'] === undefined ? undefined : Number(values['hours']);
  if (hours !== undefined && (!Number.isInteger(hours) || hours < 1))
    throw new UsageError('--hours: expected a positive whole number');
  const start = typeof values['start'] === 'string' ? new Date(values['start']) : undefined;
  if (start && Number.isNaN(start.getTime()))
    throw new UsageError('--start: expected an ISO-8601 instant');
  const sendMode = values['send-mode'];
  if (sendMode !== undefined && !isSendMode(sendMode))
    throw new UsageError(`--send-mode: expected one of ${SEND_MODES.join(', ')}`);
  const json = values['json'] === true;

  const fixture = await loadFixture(fixturePath);
  const report = await runSimulation({
    fixture,
    ...(hours ? { hours } : {}),
    ...(start ? { start } : {}),
    ...(sendMode ? { sendMode } : {}),
    ...(typeof values['data-dir'] === 'string' ? { dataDir: values['data-dir'] } : {}),
    onHour: (p) => {
      if (!json)
        err.write(
          `[${String(p.hour).padStart(String(p.hours).length)}/${p.hours}] ${p.at.toISOString()}  cycles started: ${p.started}\n`,
        );
    },
  });
  out.write(json ? `${JSON.stringify(report, null, 2)}\n` : `\n${formatReport(report)}\n`);
  return 0;
}

async function killSwitch(
  action: string | undefined,
  reason: string | undefined,
  target: OperatorTarget,
  out: NodeJS.WritableStream,
): Promise<number> {
  if (action !== 'on' && action !== 'off' && action !== 'status')
    throw new UsageError('kill-switch needs on, off or status');
  const context = await openOperatorContext(target);
  try {
    if (action !== 'status') {
      await context.killSwitch.set(action === 'on', {
        now: new Date(),
        ...(reason ? { reason } : {}),
        changedBy: process.env['USER'] ?? 'agentctl',
      });
    }
    const state = await context.killSwitch.read();
    if ('unreadable' in state) {
      out.write(`kill switch: UNREADABLE (${state.unreadable}) — cycles treat this as ON\n`);
      return 1;
    }
    out.write(
      `kill switch: ${state.on ? 'ON — all agent activity stops' : 'off'}${state.reason ? ` (reason: ${state.reason})` : ''}${state.changedAt ? ` [${state.changedAt}${state.changedBy ? ` by ${state.changedBy}` : ''}]` : ''} — ${context.target}, ${context.killSwitch.parameterName}\n`,
    );
    return 0;
  } finally {
    await context.close();
  }
}

async function tenant(
  action: string | undefined,
  tenantId: string | undefined,
  target: OperatorTarget,
  out: NodeJS.WritableStream,
): Promise<number> {
  if (action !== 'enable' && action !== 'disable' && action !== 'show')
    throw new UsageError('tenant needs enable, disable or show');
  if (!tenantId) throw new UsageError(`tenant ${action} needs a tenant ID`);
  const context = await openOperatorContext(target);
  try {
    const settings =
      action === 'show'
        ? await context.repos.tenants.require(tenantId)
        : await context.repos.tenants.setEnabled(tenantId, action === 'enable');
    if (action === 'show') {
      const gmail = gmailTargetSettings(target);
      try {
        const gmailConnection = await gmailConnectionSource(context, gmail).connectionStatus(
          tenantId,
        );
        out.write(`${JSON.stringify({ ...settings, gmailConnection }, null, 2)}\n`);
      } finally {
        gmail.close();
      }
      return 0;
    }
    out.write(`${JSON.stringify(settings, null, 2)}\n`);
    return 0;
  } finally {
    await context.close();
  }
}

async function runs(
  tenantId: string | undefined,
  limitText: string | undefined,
  json: boolean,
  target: OperatorTarget,
  out: NodeJS.WritableStream,
): Promise<number> {
  if (!tenantId) throw new UsageError('runs needs a tenant ID');
  const limit = limitText === undefined ? 24 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError('--limit: expected a positive whole number');
  const context = await openOperatorContext(target);
  try {
    const page = await context.repos.runs.list(tenantId, { limit });
    if (json) {
      out.write(`${JSON.stringify(page.items, null, 2)}\n`);
      return 0;
    }
    out.write(`runs of ${tenantId} (newest first, ${context.target}):\n`);
    for (const run of page.items) {
      const counts = Object.entries(run.counts)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      out.write(
        `  #${run.cycleNumber} ${run.hourKey} ${run.status.padEnd(9)} ${run.reason ?? ''}${run.error ? ` ${run.error.phase ?? ''} ${run.error.message}` : ''} ${counts}\n`,
      );
    }
    if (page.items.length === 0) out.write('  (none)\n');
    return 0;
  } finally {
    await context.close();
  }
}

// Run directly (`tsx infra/cli/main.ts …`); bin.js imports main() instead.
if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
