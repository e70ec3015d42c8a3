import { spawnSync } from 'node:child_process';
import { synthesizeStateMachineDefinitions } from '../../infra/local/state-machine-definitions.js';

/**
 * Before any test file runs: builds the agentctl bundle once (so no two spawned `agentctl`
 * processes rebuild it at the same time) and fills the synthesized state-machine cache (so the
 * workers read it instead of each synthesizing the CDK app).
 */
export function setup(): void {
  const build = spawnSync(process.execPath, ['scripts/build-cli.mjs'], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`building agentctl failed: ${build.stderr}`);
  synthesizeStateMachineDefinitions();
}
