#!/usr/bin/env node
// agentctl entry point: runs the esbuild bundle in dist/cli (no TypeScript loader at run time).
// The bundle is (re)built here when it is missing or older than a source file, so a fresh clone
// and an edited tree both run the current code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// The embedded SQS emulator keeps a data dir's queues in node:sqlite, which Node 22 still flags as
// experimental on every --local command; that notice says nothing to an operator. Other warnings
// print as Node prints them.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name === 'ExperimentalWarning' && /SQLite/i.test(warning.message)) return;
  process.stderr.write(`${warning.name}: ${warning.message}\n`);
});
// A reader that stops early (`| head`) closes the pipe: stop quietly, like other Unix tools.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const stamp = join(root, 'dist', 'cli', '.built');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const sources = ['infra', 'shared', 'functions'].map((dir) => join(root, dir));
const builtAt = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
if (sources.some((dir) => existsSync(dir) && newestSource(dir) > builtAt)) {
  const { buildCli } = await import('../../scripts/build-cli.mjs');
  await buildCli();
}
const { main } = await import('../../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
