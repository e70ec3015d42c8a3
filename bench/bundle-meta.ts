import { build } from 'esbuild';

/**
 * Prints the largest packages/folders of one function bundle from esbuild's metafile
 * (`node --import tsx bench/bundle-meta.ts <function> [top]`), built with the bench's options.
 */
const name = process.argv[2] ?? 'list-tenants';
const top = Number(process.argv[3] ?? 25);
const bundleSdk = process.env.BUNDLE_SDK === '1';
const result = await build({
  entryPoints: [`functions/${name}/handler.ts`],
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  mainFields: ['module', 'main'],
  minify: true,
  external: bundleSdk ? [] : ['@aws-sdk/*'],
  write: false,
  outdir: 'out',
  metafile: true,
  ...(process.env.CHARSET ? { charset: process.env.CHARSET as 'utf8' } : {}),
  logLevel: 'silent',
});
const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint);
const groups = new Map<string, number>();
for (const [path, input] of Object.entries(output?.inputs ?? {})) {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(
    path.split('node_modules/').length > 2 ? path.slice(path.lastIndexOf('node_modules/')) : path,
  );
  const key = m ? m[1]! : path.split('/').slice(0, 2).join('/');
  groups.set(key, (groups.get(key) ?? 0) + input.bytesInOutput);
}
console.log(`${name}: ${((output?.bytes ?? 0) / 1024).toFixed(1)} KiB`);
for (const [key, bytes] of [...groups.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${(bytes / 1024).toFixed(1).padStart(8)}  ${key}`);
}
