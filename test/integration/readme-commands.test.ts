import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The first README line (inside a code block) that starts with `prefix`, without its comment. */
function readmeCommand(prefix: string): string[] {
  const line = README.split('\n').find((text) => text.startsWith(prefix));
  if (!line) throw new Error(`README prints no command starting with "${prefix}"`);
  return line.split('#')[0]!.split('>')[0]!.trim().split(/\s+/);
}

describe('Docs: the README stands alone and its commands work as printed', () => {
  it('prints the JSON report on stdout, parseable, through npm start as the README shows', () => {
    const [npm, ...args] = readmeCommand('npm start --silent --');
    // The same command with a shorter window (the README's 72 hours take minutes here).
    const hours = args.indexOf('--hours');
    if (hours >= 0) args[hours + 1] = '2';

    const result = spawnSync(npm!, args, { cwd: ROOT, encoding: 'utf8', timeout: 170_000 });
    const report = JSON.parse(result.stdout) as {
      simulation: { hours: number };
      tenants: unknown[];
    };

    expect(result.status).toBe(0);
    expect(report.simulation.hours).toBe(2);
    expect(report.tenants.length).toBeGreaterThan(0);
    expect(result.stderr).toContain('hour 2/2');
  }, 180_000);

  it('links only to files inside the repository, and every linked file exists', () => {
    const docs = [
      'README.md',
      ...readdirSync(join(ROOT, 'docs'))
        .filter((name) => name.endsWith('.md'))
        .map((name) => `docs/${name}`),
    ];
    const broken: string[] = [];
    for (const doc of docs) {
      const text = readFileSync(join(ROOT, doc), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)[^)]*\)/g)) {
        if (/^https?:/.test(target!)) continue;
        const path = resolve(ROOT, dirname(doc), target!);
        if (!path.startsWith(`${ROOT}/`) || !existsSync(path)) broken.push(`${doc} → ${target}`);
      }
      if (/\.\.\/shared|DESIGN\.md/.test(text)) broken.push(`${doc} → names a file outside`);
    }

    expect(broken).toEqual([]);
  });
});
