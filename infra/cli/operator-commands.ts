import { rolloutPhaseOf } from '../../shared/domain/rollout/phase.js';
import type { CommandIo, JsonOptions, KillSwitchOptions, RunsOptions } from './main.js';
import { gmailConnectionSource, gmailTargetSettings } from './gmail.js';
import { idleHours } from '../../shared/domain/wake.js';
import { openOperatorContext, type OperatorTarget } from './operator-context.js';
import { ensureSesTenant, formatSesTenantOutcome } from './ses-tenant.js';

/** `agentctl kill-switch on|off|status`: exit 0, or 1 when the state cannot be read. */
export async function runKillSwitchCommand(
  action: 'on' | 'off' | 'status',
  options: KillSwitchOptions,
  target: OperatorTarget,
  io: CommandIo,
): Promise<number> {
  const context = await openOperatorContext(target);
  try {
    if (action !== 'status') {
      await context.killSwitch.set(action === 'on', {
        now: context.clock.now(),
        ...(options.reason ? { reason: options.reason } : {}),
        changedBy: process.env['USER'] ?? 'agentctl',
      });
    }
    const state = await context.killSwitch.read();
    const where = { target: context.target, parameter: context.killSwitch.parameterName };
    if ('unreadable' in state) {
      io.out.write(
        options.json
          ? `${JSON.stringify({ on: true, unreadable: state.unreadable, ...where }, null, 2)}\n`
          : `kill switch: UNREADABLE (${state.unreadable}) — cycles treat this as ON\n`,
      );
      return 1;
    }
    if (options.json) {
      io.out.write(`${JSON.stringify({ ...state, ...where }, null, 2)}\n`);
      return 0;
    }
    io.out.write(
      `kill switch: ${state.on ? 'ON — all agent activity stops' : 'off'}${state.reason ? ` (reason: ${state.reason})` : ''}${state.changedAt ? ` [${state.changedAt}${state.changedBy ? ` by ${state.changedBy}` : ''}]` : ''} — ${context.target}, ${context.killSwitch.parameterName}\n`,
    );
    return 0;
  } finally {
    await context.close();
  }
}

/** `agentctl tenant enable|disable|show ID`: an unknown tenant exits 2 (TenantNotFoundError). */
export async function runTenantCommand(
  action: 'enable' | 'disable' | 'show',
  tenantId: string,
  options: JsonOptions,
  target: OperatorTarget,
  io: CommandIo,
): Promise<number> {
  const context = await openOperatorContext(target);
  try {
    const settings =
      action === 'show'
        ? await context.repos.tenants.require(tenantId)
        : await context.repos.tenants.setEnabled(tenantId, action === 'enable');
    const sesTenant = action === 'enable' ? await ensureSesTenant(context, settings) : undefined;
    let gmailConnection: string | undefined;
    if (action === 'show') {
      const gmail = gmailTargetSettings(target);
      try {
        gmailConnection = await gmailConnectionSource(context, gmail).connectionStatus(tenantId);
      } finally {
        gmail.close();
      }
    }
    const shown = {
      ...settings,
      phase: rolloutPhaseOf(settings),
      ...(gmailConnection ? { gmailConnection } : {}),
      ...(sesTenant ? { sesTenant } : {}),
    };
    if (options.json) {
      io.out.write(`${JSON.stringify(shown, null, 2)}\n`);
      return 0;
    }
    io.out.write(
      `tenant ${tenantId} (${settings.name}): agent ${settings.agentEnabled ? 'enabled' : 'DISABLED'}, rollout phase ${shown.phase}${settings.rollout ? '' : ' (unset)'}${gmailConnection ? `, gmail ${gmailConnection}` : ''} — ${context.target}\n`,
    );
    if (sesTenant) io.out.write(`  ${formatSesTenantOutcome(sesTenant)}\n`);
    for (const [key, value] of Object.entries(settings)) {
      if (key === 'tenantId' || key === 'name' || key === 'agentEnabled') continue;
      io.out.write(
        `  ${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}\n`,
      );
    }
    return 0;
  } finally {
    await context.close();
  }
}

/** `agentctl runs ID`: newest first; an unknown tenant exits 2 like every tenant command. */
export async function runRunsCommand(
  tenantId: string,
  options: RunsOptions,
  target: OperatorTarget,
  io: CommandIo,
): Promise<number> {
  const context = await openOperatorContext(target);
  try {
    await context.repos.tenants.require(tenantId);
    const page = await context.repos.runs.list(tenantId, { limit: options.limit ?? 24 });
    if (options.json) {
      io.out.write(`${JSON.stringify(page.items, null, 2)}\n`);
      return 0;
    }
    io.out.write(`runs of ${tenantId} (newest first, ${context.target}):\n`);
    // Hours between the listed runs that were skipped as idle have no record: say so in place.
    const idle = new Set(idleHours(page.items, page.items[0]?.hourKey ?? '1970010100'));
    const lines = [
      ...page.items.map((run) => {
        const counts = Object.entries(run.counts)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ');
        const wake = run.nextWakeAt ? ` next wake ${run.nextWakeAt}` : '';
        return {
          hourKey: run.hourKey,
          text: `  #${run.cycleNumber} ${run.hourKey} ${run.status.padEnd(9)} ${run.reason ?? ''}${run.error ? ` ${run.error.phase ?? ''} ${run.error.message}` : ''} ${counts}${wake}\n`,
        };
      }),
      ...[...idle].map((hourKey) => ({
        hourKey,
        text: `  -- ${hourKey} SKIPPED   idle: nothing due, no execution started\n`,
      })),
    ].sort((a, b) => b.hourKey.localeCompare(a.hourKey));
    for (const line of lines) io.out.write(line.text);
    if (page.items.length === 0) io.out.write('  (none)\n');
    return 0;
  } finally {
    await context.close();
  }
}
