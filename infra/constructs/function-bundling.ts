import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';

/** Node.js 22, the pinned Lambda runtime, is what every function bundle targets. */
export const FUNCTION_BUNDLE_TARGET = 'node22';

/** Package entry fields in resolution order: the ESM build of a dependency first. */
export const FUNCTION_BUNDLE_MAIN_FIELDS = ['module', 'main'];

/** Gives the ESM bundle a `require` for the CommonJS dependencies esbuild inlines. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __agentCreateRequire } from 'node:module';" +
  'const require = __agentCreateRequire(import.meta.url);';

const SHIMS = join(dirname(fileURLToPath(import.meta.url)), 'builtin-shims');

/**
 * `node:http` and `node:https` resolved to CommonJS shims that return the built-in
 * (`process.getBuiltinModule`), so the bundle takes them through `require` instead of an ESM
 * import. Importing `node:http` as ESM builds its module namespace, which reads every export
 * including the lazy getters that load Node's bundled undici (~15 ms of CPU at every cold start);
 * `require` reads only what is used. Absolute paths: the construct bundles locally (esbuild is a
 * dev dependency), so the shims are read where they are.
 */
export const FUNCTION_BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  'node:http': join(SHIMS, 'node-http.cjs'),
  'node:https': join(SHIMS, 'node-https.cjs'),
};

/**
 * The esbuild options equivalent to the construct's NodejsFunction bundling (infra/constructs/
 * agent-function.ts): minified UTF-8 ESM for Node.js 22 with the AWS SDK bundled and a source map
 * without embedded sources, and {@link FUNCTION_BUNDLE_ALIASES}. The budget test and the bench build with these, so their bytes and
 * init figures are the deployed ones.
 */
export const FUNCTION_ESBUILD_OPTIONS: Readonly<BuildOptions> = {
  bundle: true,
  platform: 'node',
  target: FUNCTION_BUNDLE_TARGET,
  format: 'esm',
  mainFields: FUNCTION_BUNDLE_MAIN_FIELDS,
  banner: { js: ESM_REQUIRE_BANNER },
  minify: true,
  charset: 'utf8',
  sourcemap: true,
  sourcesContent: false,
  external: [],
  alias: { ...FUNCTION_BUNDLE_ALIASES },
};
