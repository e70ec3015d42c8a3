import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SystemClock } from '../../shared/clock.js';
import { startLocalStack } from '../local/local-stack.js';
import { startLocalSes } from '../local/ses-emulator.js';
import { runLocalCanary, type CanaryResult, type LocalCanaryDeps } from './canary.js';
import { requireDataDir } from './data-dir.js';
import type { CommandIo } from './main.js';
import { openOperatorContext, type OperatorTarget } from './operator-context.js';
import { runAwsCanary } from './canary-aws.js';

/** Test seam: fault injection passed to the canary (a broken unsubscribe handler). */
export type CanaryOverrides = Pick<LocalCanaryDeps, 'wrapUnsubscribe'>;

/**
 * `agentctl canary [--local DIR] [--json]`: runs the canary on the data dir's embedded stack, or
 * on the deployed stack (`--stack`/`--stage`; its outputs name every resource) and prints each
 * check; exit 0 when all pass, 1 naming the failing check.
 */
export async function runCanaryCommand(
  options: { json?: unknown },
  target: OperatorTarget,
  io: CommandIo,
  overrides: CanaryOverrides = {},
): Promise<number> {
  const { result, where } = target.local
    ? {
        result: await localCanary(target.local, overrides),
        where: `local data dir ${target.local}`,
      }
    : await awsCanary(target);
  io.out.write(
    options.json === true ? `${JSON.stringify(result, null, 2)}\n` : formatCanary(result, where),
  );
  return result.passed ? 0 : 1;
}

async function localCanary(dataDir: string, overrides: CanaryOverrides): Promise<CanaryResult> {
  await requireDataDir(dataDir);
  const stack = await startLocalStack({ dataDir });
  const ses = await startLocalSes(stack.region);
  try {
    return await runLocalCanary({ stack, ses, dataDir, now: new Date(), ...overrides });
  } finally {
    await ses.stop();
    await stack.stop();
  }
}

async function awsCanary(target: OperatorTarget): Promise<{ result: CanaryResult; where: string }> {
  const context = await openOperatorContext(target);
  const sfn = new SFNClient({});
  const secrets = new SecretsManagerClient({});
  try {
    const result = await runAwsCanary(
      { context, sfn, secrets, clock: new SystemClock() },
      new Date(),
    );
    return { result, where: context.target };
  } finally {
    sfn.destroy();
    secrets.destroy();
    await context.close();
  }
}

function formatCanary(result: CanaryResult, where: string): string {
  const lines = [`agentctl canary — ${where} — ${result.at}`, ''];
  for (const check of result.checks)
    lines.push(`${check.status.padEnd(4)}  ${check.id}: ${check.detail}`);
  const failed = result.checks.filter((check) => check.status === 'FAIL').map((check) => check.id);
  lines.push('', result.passed ? 'CANARY PASSED' : `CANARY FAILED: ${failed.join(', ')}`);
  return `${lines.join('\n')}\n`;
}
