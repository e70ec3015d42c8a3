import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { lambdaLikeEnvironment } from './local-process.js';

/**
 * Builds one function (`node --import tsx bench/init-probe.ts <name> [sdk=external|bundled]`) and
 * prints its size and the median import time of 5 fresh processes; a spike tool beside bench/bundles.ts.
 */
const name = process.argv[2] ?? 'plan';
const sdk = process.argv[3] ?? 'external';
const outfile = `.bench/probe/${name}-${sdk}.mjs`;
await build({
  entryPoints: [`functions/${name}/handler.ts`],
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  mainFields: ['module', 'main'],
  charset: 'utf8',
  minify: true,
  external: sdk === 'external' ? ['@aws-sdk/*'] : [],
  outfile,
  logLevel: 'silent',
  banner: {
    js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  },
});
const samples: number[] = [];
for (let i = 0; i < 5; i += 1) {
  const script = `const t = performance.now(); await import(${JSON.stringify(`${process.cwd()}/${outfile}`)}); console.log(performance.now() - t);`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: '.bench/probe',
    env: {
      ...lambdaLikeEnvironment(),
      AWS_REGION: 'us-east-1',
      TABLE_NAME: 'bench-table',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
      SEND_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/bench',
      INGEST_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/bench-ingest',
      EMAIL_FROM_ADDRESS: 'bench@example.com',
      UNSUBSCRIBE_BASE_URL: 'https://unsubscribe.example/',
      UNSUBSCRIBE_SIGNING_SECRET: 'bench-signing-secret-with-at-least-32-characters',
    },
    encoding: 'utf8',
  });
  samples.push(Number(out.trim().split('\n').at(-1)));
}
samples.sort((a, b) => a - b);
console.log(
  `${name} sdk=${sdk}: ${(statSync(outfile).size / 1024).toFixed(1)} KiB, init median ${samples[2]!.toFixed(0)} ms (${samples.map((s) => s.toFixed(0)).join(' ')})`,
);
