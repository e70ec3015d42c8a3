import { readdirSync } from 'node:fs';
import { build, type BuildOptions } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_ESBUILD_OPTIONS } from '../../infra/constructs/function-bundling.js';

const KIB = 1024;

/**
 * Byte ceilings per function, minified ESM. `deployed` is the bundle the function construct ships
 * (the AWS SDK bundled in: docs/DECISIONS.md "Bundles"); `own` is the same build with `@aws-sdk/*`
 * left out, which is what our code and its other dependencies weigh (issue 12's 300 KiB and, for
 * the Gmail functions, 500 KiB targets). Each holds today's size with a little room, so a
 * regression fails here. Tracing bundles no X-Ray SDK (docs/DECISIONS.md "Tracing without the
 * X-Ray SDK"), which took ~115 KiB off every function.
 */
const OWN_BUDGET_KIB: Readonly<Record<string, number>> = {
  // Act also carries the drafting chain, the content checker and the rollout stages.
  act: 250,
  'gmail-poller': 170,
  // MIME parsing, html-to-text and the entity tables of both (~190 KiB).
  ingest: 450,
  sender: 195,
  'ses-feedback': 150,
  unsubscribe: 125,
};
// The cycle steps: 165–178 KiB since tracing no longer bundles the X-Ray SDK.
const DEFAULT_OWN_BUDGET_KIB = 190;
// The Gmail functions and the sender also bundle the STS client of their tenant-scoped role.
const DEPLOYED_BUDGET_KIB: Readonly<Record<string, number>> = {
  act: 805,
  'gmail-poller': 650,
  ingest: 900,
  sender: 735,
  'ses-feedback': 510,
  unsubscribe: 475,
};
const DEFAULT_DEPLOYED_BUDGET_KIB = 670;

function functionNames(): string[] {
  return readdirSync('functions', { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

async function bundles(
  options: BuildOptions,
  inputs: string[] = [],
): Promise<Map<string, Uint8Array>> {
  const result = await build({
    entryPoints: Object.fromEntries(
      functionNames().map((name) => [name, `functions/${name}/handler.ts`]),
    ),
    outdir: 'out',
    write: false,
    logLevel: 'silent',
    metafile: true,
    ...options,
  });
  inputs.push(...Object.keys(result.metafile?.inputs ?? {}));
  return new Map(
    (result.outputFiles ?? [])
      .filter((file) => file.path.endsWith('.js'))
      .map((file) => [
        file.path.split('/').at(-1)?.replace(/\.js$/, '') ?? file.path,
        file.contents,
      ]),
  );
}

function overBudget(
  outputs: Map<string, Uint8Array>,
  budgets: Readonly<Record<string, number>>,
  fallback: number,
): string[] {
  return [...outputs.entries()]
    .filter(([name, code]) => code.byteLength > (budgets[name] ?? fallback) * KIB)
    .map(([name, code]) => `${name}: ${(code.byteLength / KIB).toFixed(1)} KiB`);
}

describe('Bundles: every function stays under its byte budget', () => {
  let deployed = new Map<string, Uint8Array>();
  let own = new Map<string, Uint8Array>();
  const deployedInputs: string[] = [];

  beforeAll(async () => {
    const options: BuildOptions = { ...FUNCTION_ESBUILD_OPTIONS };
    [deployed, own] = await Promise.all([
      bundles(options, deployedInputs),
      bundles({ ...options, external: ['@aws-sdk/*'] }),
    ]);
  }, 120_000);

  it('bundles every function', () => {
    expect([...deployed.keys()].sort()).toEqual(functionNames());
  });

  it('keeps each deployed bundle (AWS SDK included) at or under its budget', () => {
    expect(overBudget(deployed, DEPLOYED_BUDGET_KIB, DEFAULT_DEPLOYED_BUDGET_KIB)).toEqual([]);
  });

  it('keeps each bundle without the AWS SDK at or under its budget', () => {
    expect(overBudget(own, OWN_BUDGET_KIB, DEFAULT_OWN_BUDGET_KIB)).toEqual([]);
  });

  it('ships the AWS SDK inside the bundle rather than leaving it to the runtime', () => {
    // DynamoDB's client is in every function; leaving it to the runtime would cut ~450 KiB.
    const size = (outputs: Map<string, Uint8Array>) => outputs.get('plan')?.byteLength ?? 0;
    expect(size(deployed) - size(own)).toBeGreaterThan(300 * KIB);
  });

  it('bundles no X-Ray SDK (tracing is shared/observability/tracing)', () => {
    expect(deployedInputs.filter((path) => /aws-xray-sdk|cls-hooked/.test(path))).toEqual([]);
    expect(deployedInputs.some((path) => path.startsWith('shared/observability/tracing/'))).toBe(
      true,
    );
  });

  it('takes node:http and node:https through require, never an ESM import (which loads undici)', () => {
    for (const [name, code] of deployed) {
      const text = new TextDecoder().decode(code);
      expect({ name, esmHttp: /from\s*"node:https?"/.test(text) }).toEqual({
        name,
        esmHttp: false,
      });
    }
    expect(
      new TextDecoder().decode(deployed.get('plan')).includes('getBuiltinModule("node:http")'),
    ).toBe(true);
  });

  it('keeps zod classic out of every bundle (schemas use zod/mini through shared/zod.ts)', () => {
    // zod's method-chaining classes (`import * as z from 'zod'`) weigh ~97 KiB; zod/mini ~37 KiB.
    // Each schema class registers its name as a string, which minification keeps.
    for (const [name, code] of own) {
      const text = new TextDecoder().decode(code);
      expect({ name, classic: text.includes('"ZodString"') }).toEqual({ name, classic: false });
    }
    expect(new TextDecoder().decode(own.get('plan')).includes('"ZodMiniString"')).toBe(true);
  });
});
