import { readdir, stat, mkdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { build, type BuildOptions } from 'esbuild';
import { lambdaLikeEnvironment } from './local-process.js';
import { FUNCTION_ESBUILD_OPTIONS } from '../infra/constructs/function-bundling.js';

/** Size and cold module-init time of one function bundle. */
export interface BundleFigure {
  readonly name: string;
  /** Minified bundle with `@aws-sdk/*` left out: our code and its other dependencies (issue 12's budget). */
  readonly bytes: number;
  /** The bundle the function construct ships (AWS SDK included). */
  readonly deployedBytes: number;
  /** Median time a fresh Node.js process takes to import the deployed bundle. */
  readonly initMs: number;
}

const OUT_DIR = '.bench/bundles';

/**
 * Bundles every `functions/<name>/handler.ts` the way the house function construct does (ESM,
 * minified, UTF-8, the AWS SDK bundled in, a source map without sources) and measures its size and
 * the time a fresh Node.js process with the construct's `--enable-source-maps` takes to import it
 * (median of `runs`) — the module-init part of a cold start — plus the size of the same bundle
 * with `@aws-sdk/*` left out.
 */
export async function benchBundles(runs = 7): Promise<BundleFigure[]> {
  await rm(OUT_DIR, { recursive: true, force: true });
  await mkdir(OUT_DIR, { recursive: true });
  const names = (await readdir('functions', { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const figures: BundleFigure[] = [];
  for (const name of names) {
    const outfile = join(OUT_DIR, `${name}.mjs`);
    const ownFile = join(OUT_DIR, `${name}.own.mjs`);
    const options: BuildOptions = {
      ...FUNCTION_ESBUILD_OPTIONS,
      entryPoints: [join('functions', name, 'handler.ts')],
      logLevel: 'silent',
    };
    await build({ ...options, outfile });
    await build({ ...options, external: ['@aws-sdk/*'], outfile: ownFile });
    const bytes = (await stat(ownFile)).size;
    const deployedBytes = (await stat(outfile)).size;
    const samples = importTimesMs(outfile, runs);
    figures.push({
      name,
      bytes,
      deployedBytes,
      initMs: Math.round(median(samples) * 10) / 10,
    });
  }
  return figures;
}

/**
 * Imports `outfile` in `runs` fresh Node.js processes with Lambda's environment and the
 * construct's `--enable-source-maps`, and returns each import's milliseconds, sorted.
 */
export function importTimesMs(outfile: string, runs: number): number[] {
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const script = `const t = performance.now(); await import(${JSON.stringify(resolve(outfile))}); console.log(performance.now() - t);`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: dirname(resolve(outfile)),
      env: {
        ...lambdaLikeEnvironment(),
        // The construct's NODE_OPTIONS: Node loads the bundle's source map at import.
        NODE_OPTIONS: '--enable-source-maps',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        AWS_REGION: 'us-east-1',
        TABLE_NAME: 'bench-table',
        SEND_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/bench',
        INGEST_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/bench-ingest',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        POWERTOOLS_METRICS_DISABLED: 'true',
        // Sending functions load their settings and signing key at cold start.
        EMAIL_FROM_ADDRESS: 'bench@example.com',
        UNSUBSCRIBE_BASE_URL: 'https://unsubscribe.example/',
        UNSUBSCRIBE_SIGNING_SECRET: 'bench-signing-secret-with-at-least-32-characters',
      },
      encoding: 'utf8',
    });
    samples.push(Number(output.trim().split('\n').at(-1)));
  }
  return samples.sort((a, b) => a - b);
}

/** The middle of sorted `samples` (0 for none). */
export function median(samples: readonly number[]): number {
  return samples[Math.floor(samples.length / 2)] ?? 0;
}
