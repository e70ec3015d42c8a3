import { readFileSync } from 'node:fs';
import { benchCost, measureDemoExecutionsPerDay } from './cost.js';
import type { CycleBenchResult } from './cycle.js';

/**
 * `node --import tsx bench/cost-from-json.ts BENCH.json [EXECUTIONS_PER_DAY]`: the cost section
 * from another bench run's `cycles` figures; without a count, the demo's is measured.
 */
const [file, perDay] = process.argv.slice(2);
if (!file) throw new Error('usage: cost-from-json.ts BENCH.json [EXECUTIONS_PER_DAY]');
const bench = JSON.parse(readFileSync(file, 'utf8')) as { cycles: CycleBenchResult };
const executionsPerDay =
  perDay !== undefined ? Number(perDay) : await measureDemoExecutionsPerDay();
console.log(JSON.stringify(benchCost(bench.cycles, executionsPerDay), null, 2));
