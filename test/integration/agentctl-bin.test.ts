import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Runs `npx agentctl …` (the package bin, reached through npm's bin shim). */
function agentctl(...args: string[]) {
  return spawnSync('npx', ['--no-install', 'agentctl', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('CLI: the agentctl bin', () => {
  it('prints the usage with --help and exits 0', () => {
    const result = agentctl('--help');

    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: agentctl [options] [command]');
    expect(result.stdout).toMatch(/^ {2}simulate \[options\]/m);
    expect(result.stdout).toContain('Exit codes: 0 ok, 1 failure');
    expect(result.stderr).not.toContain('NodeVersionSupportWarning');
  });

  it("prints a command's own help with examples", () => {
    const result = agentctl('kill-switch', '--help');

    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: agentctl kill-switch [options] <action>');
    expect(result.stdout).toContain('$ agentctl kill-switch status --local .local/demo');
    expect(result.stdout).not.toContain('--fixture');
  });

  it('exits 2 with the reason for an unknown command', () => {
    const result = agentctl('bogus');

    expect(result.status).toBe(2);
    expect(result.stderr).toContain("unknown command 'bogus'");
  });
});
