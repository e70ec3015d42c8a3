import { readdir, stat, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';

/** Size and cold module-init time of one function bundle. */
export interface BundleFigure {
  readonly name: string;
  readonly bytes: number;
  readonly initMs: number;
}

const OUT_DIR = '.bench/bundles';

/**
 * Bundles every `functions/<name>/handler.ts` the way the house function construct does (ESM,
 * minified, `@aws-sdk/*` external) and measures its size and the time a fresh Node.js process
 * takes to import it (median of `runs`) — the module-init part of a cold start.
 */
export async function benchBundles(runs = 3): Promise<BundleFigure[]> {
  await rm(OUT_DIR, { recursive: true, force: true });
  await mkdir(OUT_DIR, { recursive: true });
  const names = (await readdir('functions', { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const figures: BundleFigure[] = [];
  for (const name of names) {
    const outfile = join(OUT_DIR, `${name}.mjs`);
    await build({
      entryPoints: [join('functions', name, 'handler.ts')],
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'esm',
      minify: true,
      external: ['@aws-sdk/*'],
      outfile,
      banner: {
        js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
      },
      logLevel: 'silent',
    });
    const bytes = (await stat(outfile)).size;
    const samples: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      const script = `const t = performance.now(); await import(${JSON.stringify(`../../${outfile}`)}); console.log(performance.now() - t);`;
      const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: OUT_DIR,
        env: {
          ...process.env,
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
    samples.sort((a, b) => a - b);
    figures.push({
      name,
      bytes,
      initMs: Math.round((samples[Math.floor(samples.length / 2)] ?? 0) * 10) / 10,
    });
  }
  return figures;
}
