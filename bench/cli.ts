import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../infra/cli/bin.js', import.meta.url));

/** Wall time of `agentctl` start-up paths: the median and max of several runs, in ms. */
export interface CliBench {
  readonly runs: number;
  /** `node -e ''`: the floor on this machine, so a figure taken under load can be read. */
  readonly nodeStartMs: { readonly median: number; readonly max: number };
  readonly helpMs: { readonly median: number; readonly max: number };
  readonly usageErrorMs: { readonly median: number; readonly max: number };
  readonly versionMs: { readonly median: number; readonly max: number };
}

/**
 * Spawns the bin (`node infra/cli/bin.js`, the bundle already built) for `--help`, a usage error
 * (`simulate --hours -5`) and `--version`, `runs` times each, and times the whole process.
 */
export async function benchCli(runs = 7): Promise<CliBench> {
  spawnSync(process.execPath, [BIN, '--version']); // builds the bundle when it is stale
  return {
    runs,
    nodeStartMs: time(runs, ['-e', ''], 0, []),
    helpMs: time(runs, ['--help'], 0),
    usageErrorMs: time(runs, ['simulate', '--fixture', 'x.json', '--hours', '-5'], 2),
    versionMs: time(runs, ['--version'], 0),
  };
}

function time(runs: number, args: string[], expectedStatus: number, prefix = [BIN]) {
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    const result = spawnSync(process.execPath, [...prefix, ...args], { encoding: 'utf8' });
    samples.push(performance.now() - started);
    if (result.status !== expectedStatus)
      throw new Error(`agentctl ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  }
  samples.sort((a, b) => a - b);
  return {
    median: Math.round(samples[Math.floor(samples.length / 2)]!),
    max: Math.round(samples[samples.length - 1]!),
  };
}
