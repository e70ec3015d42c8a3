import { readdirSync } from 'node:fs';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

const KIB = 1024;

/**
 * Byte ceilings per function bundle (minified ESM, the AWS SDK left to the runtime: see
 * docs/DECISIONS.md "Bundles"). They hold today's sizes with a little room so a regression fails
 * here; issue 12's targets are 300 KiB and 500 KiB: lower these as the bundles get there.
 */
const BUNDLE_BUDGET_KIB: Readonly<Record<string, number>> = {
  // Act also carries the drafting chain, the content checker and the rollout stages (+54 KiB),
  // and the batched working-set reads and phase write that cut a cycle's DynamoDB requests.
  act: 411,
  'gmail-poller': 900,
  ingest: 1_040,
};
const DEFAULT_BUDGET_KIB = 360;

describe('Bundles: every function stays under its byte budget', () => {
  const sizes = new Map<string, number>();

  beforeAll(async () => {
    const names = readdirSync('functions', { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    // The options of infra/constructs/agent-function.ts's NodejsFunction bundling.
    const result = await build({
      entryPoints: Object.fromEntries(names.map((name) => [name, `functions/${name}/handler.ts`])),
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'esm',
      mainFields: ['module', 'main'],
      minify: true,
      external: ['@aws-sdk/*'],
      outdir: 'out',
      write: false,
      logLevel: 'silent',
    });
    for (const file of result.outputFiles) {
      const name = file.path.split('/').at(-1)?.replace(/\.js$/, '') ?? file.path;
      sizes.set(name, file.contents.byteLength);
    }
  }, 120_000);

  it('bundles every function', () => {
    expect([...sizes.keys()].sort()).toEqual(
      readdirSync('functions', { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort(),
    );
  });

  it('keeps each bundle at or under its budget', () => {
    const over = [...sizes.entries()]
      .filter(([name, bytes]) => bytes > (BUNDLE_BUDGET_KIB[name] ?? DEFAULT_BUDGET_KIB) * KIB)
      .map(([name, bytes]) => `${name}: ${(bytes / KIB).toFixed(1)} KiB`);
    expect(over).toEqual([]);
  });

  it('leaves zod locale tables out of every bundle (zod is imported as a namespace)', () => {
    // 258 KiB of locales came with `import { z } from 'zod'`; a cycle step is far below that now.
    expect(sizes.get('plan')).toBeLessThan(400 * KIB);
  });
});
