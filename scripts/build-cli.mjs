// Bundles agentctl (infra/cli/main.ts and what it imports) into dist/cli with esbuild, one chunk
// per lazily imported command, so the bin runs without a TypeScript loader. Dependencies stay
// in node_modules. dist/cli sits two levels below the root, like infra/cli, so paths computed
// from import.meta.url (the repository root, package.json) hold in both.
import { build } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Builds the bundle; resolves when dist/cli/main.js and its chunks are written. */
export async function buildCli() {
  rmSync(join(root, 'dist/cli'), { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    // The DynamoDB worker thread of the local stack (infra/local/dynamodb-thread.ts) is started
    // from its own file, written beside the chunks.
    entryPoints: {
      main: 'infra/cli/main.ts',
      'dynamodb-thread-worker': 'infra/local/dynamodb-thread-worker.ts',
    },
    outdir: 'dist/cli',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
    // CommonJS dependencies bundled by our code need require; ESM output has none by default.
    banner: {
      js: "import { createRequire as __agentctlCreateRequire } from 'node:module'; const require = __agentctlCreateRequire(import.meta.url);",
    },
  });
  writeFileSync(join(root, 'dist/cli/.built'), `${new Date().toISOString()}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildCli();
