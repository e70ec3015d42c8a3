import { build } from 'esbuild';
import { statSync } from 'node:fs';
import { FUNCTION_ESBUILD_OPTIONS } from '../infra/constructs/function-bundling.js';
import { importTimesMs, median } from './bundles.js';

/**
 * Builds one function as the construct does (`node --import tsx bench/init-probe.ts <name>
 * [sdk=external|bundled]`) and prints its size and the import times of 5 fresh processes; a spike
 * tool beside bench/bundles.ts for A/B comparisons of one function.
 */
const name = process.argv[2] ?? 'plan';
const sdk = process.argv[3] ?? 'external';
const outfile = `.bench/probe/${name}-${sdk}.mjs`;
await build({
  ...FUNCTION_ESBUILD_OPTIONS,
  entryPoints: [`functions/${name}/handler.ts`],
  external: sdk === 'external' ? ['@aws-sdk/*'] : [],
  outfile,
  logLevel: 'silent',
});
const samples = importTimesMs(outfile, 5);
console.log(
  `${name} sdk=${sdk}: ${(statSync(outfile).size / 1024).toFixed(1)} KiB, init median ${median(samples).toFixed(0)} ms (${samples.map((s) => s.toFixed(0)).join(' ')})`,
);
