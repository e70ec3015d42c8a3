import { ValidationError } from '../../shared/errors.js';
import { startLocalStack } from '../local/local-stack.js';
import { startLocalSes } from '../local/ses-emulator.js';
import { runLocalCanary, type CanaryResult, type LocalCanaryDeps } from './canary.js';
import { requireDataDir } from './data-dir.js';
import type { CommandIo } from './main.js';
import type { OperatorTarget } from './operator-context.js';

/** Test seam: fault injection passed to the canary (a broken unsubscribe handler). */
export type CanaryOverrides = Pick<LocalCanaryDeps, 'wrapUnsubscribe'>;

/**
 * `agentctl canary --local DIR [--json]`: runs the canary on the data dir's embedded stack and
 * prints each check; exit 0 when all pass, 1 naming the failing check. On AWS it is refused
 * (exit 2): a deployed canary needs an inbox to read the mail's unsubscribe link from.
 */
export async function runCanaryCommand(
  options: { json?: unknown },
  target: OperatorTarget,
  io: CommandIo,
  overrides: CanaryOverrides = {},
): Promise<number> {
  if (!target.local)
    throw new ValidationError(
      '--local',
      'the canary runs on the embedded stack only (agentctl canary --local DIR); on AWS, run the canary steps of docs/RUNBOOK.md#go-live-gates-canary-and-graduation by hand',
    );
  await requireDataDir(target.local);
  const stack = await startLocalStack({ dataDir: target.local });
  const ses = await startLocalSes(stack.region);
  try {
    const result = await runLocalCanary({
      stack,
      ses,
      dataDir: target.local,
      now: new Date(),
      ...overrides,
    });
    io.out.write(
      options.json === true
        ? `${JSON.stringify(result, null, 2)}\n`
        : formatCanary(result, target.local),
    );
    return result.passed ? 0 : 1;
  } finally {
    await ses.stop();
    await stack.stop();
  }
}

function formatCanary(result: CanaryResult, dir: string): string {
  const lines = [`agentctl canary — local data dir ${dir} — ${result.at}`, ''];
  for (const check of result.checks)
    lines.push(`${check.status.padEnd(4)}  ${check.id}: ${check.detail}`);
  const failed = result.checks.filter((check) => check.status === 'FAIL').map((check) => check.id);
  lines.push('', result.passed ? 'CANARY PASSED' : `CANARY FAILED: ${failed.join(', ')}`);
  return `${lines.join('\n')}\n`;
}
