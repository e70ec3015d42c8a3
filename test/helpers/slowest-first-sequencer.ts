import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Seconds each slow test file took in a measured run (`--reporter=json`, 2 cores), so a fresh
 * clone, which has no duration cache yet, still starts the long files first. Files not listed
 * count as short. Refresh the figures when a file's cost changes a lot; a stale figure only
 * changes the order, never what runs.
 */
const MEASURED_SECONDS: Readonly<Record<string, number>> = {
  'test/integration/sending/touch-once.test.ts': 60,
  'test/integration/fan-out.test.ts': 55,
  'test/integration/simulation.test.ts': 17,
  'test/integration/observability.test.ts': 11,
  'test/integration/sending/send-modes.test.ts': 8,
  'test/integration/sending/send-concurrency.test.ts': 7,
  'test/integration/ingest/inbound-trust.test.ts': 6,
  'test/integration/ingest/ingest-simulation.test.ts': 6,
  'test/integration/rollout/rollout-phases.test.ts': 5,
  'test/integration/cycle.test.ts': 5,
  'test/infra/agent-stack.test.ts': 13,
  'test/infra/workflows.test.ts': 12,
  'test/infra/observability.test.ts': 9,
  'test/infra/iam.test.ts': 5,
};

/** The order projects are queued in: the one holding the longest files first, unit last. */
const PROJECT_ORDER = ['integration', 'infra', 'unit'];

/**
 * Queues test files longest first, so that with several workers the long files start at once
 * and the short ones fill the tail. A file's length is its duration from vitest's cache of the
 * last run when there is one, else {@link MEASURED_SECONDS}, else zero (then the base
 * sequencer's order: larger files first); a file that failed last time goes first in its project.
 * Files stay grouped by project, so a worker of a
 * non-isolated project is reused across that project's files.
 */
export class SlowestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    const position = new Map(base.map((spec, index) => [spec, index]));
    const root = this.ctx.config.root;
    const seconds = (spec: TestSpecification): number => {
      const cached = this.ctx.cache.getTestSpecificationResult(spec);
      if (cached) return cached.duration / 1_000;
      return MEASURED_SECONDS[relative(root, spec.moduleId).replaceAll('\\', '/')] ?? 0;
    };
    const rank = (spec: TestSpecification): number => {
      const index = PROJECT_ORDER.indexOf(spec.project.name);
      return index === -1 ? PROJECT_ORDER.length : index;
    };
    const failed = (spec: TestSpecification): number =>
      this.ctx.cache.getTestSpecificationResult(spec)?.failed ? 1 : 0;
    return [...base].sort(
      (a, b) =>
        rank(a) - rank(b) ||
        failed(b) - failed(a) ||
        seconds(b) - seconds(a) ||
        position.get(a)! - position.get(b)!,
    );
  }
}
