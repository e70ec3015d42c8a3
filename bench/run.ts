import './local-process.js';
import { existsSync, writeFileSync } from 'node:fs';
import { benchCycles } from './cycle.js';
import { benchBundles } from './bundles.js';
import { formatClassifyBench, type ClassifyBenchResult } from './classify.js';
import { benchCli } from './cli.js';
import { benchCost, measureDemoExecutionsPerDay } from './cost.js';

/**
 * `npm run bench`: measures, never asserts. Prints figures as a table; `--json` prints them as
 * JSON, and `--json FILE` writes the JSON to FILE (and still prints the table).
 * Sections: cycle throughput and latency, DynamoDB requests per tenant-cycle, bundle sizes and
 * module init time per function, agentctl start-up (`cli.*`), plus the sending/ingest/classify
 * sections when those modules exist (drafting: mock draft p95 and checker throughput; classify: the labelled bounce corpus's figures and a 25 MB
 * body's classification time). `BENCH_ONLY=cycles,sending` runs only the named sections (cli,
 * cycles, bundles, cost, sending, ingest, classify, drafting); cost needs cycles.
 */
const jsonIndex = process.argv.indexOf('--json');
const json = jsonIndex >= 0;
const jsonFile = json ? process.argv[jsonIndex + 1] : undefined;
const tenants = Number(process.env['BENCH_TENANTS'] ?? 50);
const hours = Number(process.env['BENCH_HOURS'] ?? 3);

const only = new Set((process.env['BENCH_ONLY'] ?? '').split(',').filter(Boolean));
const wants = (section: string): boolean => only.size === 0 || only.has(section);

const results: Record<string, unknown> = {};
if (wants('cli')) results['cli'] = await benchCli();
if (wants('cycles'))
  results['cycles'] = await benchCycles({ tenants, contactsPerTenant: 20, hours });
if (wants('bundles')) results['bundles'] = await benchBundles();
if (wants('cost') && results['cycles'])
  results['cost'] = benchCost(
    results['cycles'] as Awaited<ReturnType<typeof benchCycles>>,
    await measureDemoExecutionsPerDay(Number(process.env['BENCH_DEMO_HOURS'] ?? 24)),
  );
for (const section of ['sending', 'ingest', 'classify', 'drafting'] as const) {
  if (!wants(section)) continue;
  const path = new URL(`./${section}.ts`, import.meta.url);
  if (!existsSync(path)) continue;
  const module = (await import(path.href)) as Record<string, unknown>;
  const run = Object.values(module).find(
    (value) => typeof value === 'function' && value.name.startsWith('bench'),
  ) as (() => Promise<unknown>) | undefined;
  if (run) results[section] = await run();
}

if (jsonFile && !jsonFile.startsWith('--')) {
  writeFileSync(jsonFile, `${JSON.stringify(results, null, 2)}\n`);
}
if (json && !jsonFile) {
  console.log(JSON.stringify(results, null, 2));
} else {
  printTable();
}

/** Prints the sections that ran as a human-readable table. */
function printTable(): void {
  const cycles = results['cycles'] as Awaited<ReturnType<typeof benchCycles>> | undefined;
  if (cycles) printCycles(cycles);
  const bundles = results['bundles'] as Awaited<ReturnType<typeof benchBundles>> | undefined;
  if (bundles) {
    console.log(
      'Bundles (ESM, minified; KiB without the AWS SDK / as deployed; init of the deployed bundle):',
    );
    for (const bundle of bundles) {
      console.log(
        `  ${bundle.name.padEnd(16)} ${(bundle.bytes / 1024).toFixed(0).padStart(6)} KiB ${(bundle.deployedBytes / 1024).toFixed(0).padStart(6)} KiB   init ${bundle.initMs} ms`,
      );
    }
  }
  const cost = results['cost'] as ReturnType<typeof benchCost> | undefined;
  if (cost) printCost(cost);
  const cli = results['cli'] as Awaited<ReturnType<typeof benchCli>> | undefined;
  if (cli) printCli(cli);
  for (const section of ['sending', 'ingest', 'drafting']) {
    if (results[section]) console.log(`${section}: ${JSON.stringify(results[section])}`);
  }
  if (results['classify'])
    console.log(formatClassifyBench(results['classify'] as ClassifyBenchResult));
}

function printCycles(cycles: Awaited<ReturnType<typeof benchCycles>>): void {
  console.log(
    `Cycles: ${cycles.tenantCycles} tenant-cycles (${cycles.tenants} tenants × ${cycles.hours} h, ${cycles.contactsPerTenant} contacts each)`,
  );
  console.log(
    `  throughput        ${cycles.tenantCyclesPerSecond} tenant-cycles/s on the embedded stack, ${cycles.cpuSecondsPerTenantCycle} CPU-s per tenant-cycle (main thread ${cycles.mainThreadCpuSecondsPerTenantCycle}, worker threads ${cycles.workerThreadsCpuSecondsPerTenantCycle})`,
  );
  if (cycles.profile)
    console.log(
      `  CPU self time     ${cycles.profile
        .slice(0, 12)
        .map((share) => `${share.group} ${share.percent} %`)
        .join(', ')}`,
    );
  for (const [title, shares] of Object.entries(cycles.workerProfiles ?? {}))
    console.log(
      `  ${title} ${shares
        .slice(0, 12)
        .map((share) => `${share.group} ${share.percent} %`)
        .join(', ')}`,
    );
  console.log(
    `  latency per cycle median ${cycles.cycleLatencyMs.median} ms, p95 ${cycles.cycleLatencyMs.p95} ms, max ${cycles.cycleLatencyMs.max} ms`,
  );
  console.log(
    `  DynamoDB requests ${cycles.dynamodbRequestsPerTenantCycle} per tenant-cycle ${JSON.stringify(cycles.dynamodbRequestsByCommand)}`,
  );
}

function printCost(cost: ReturnType<typeof benchCost>): void {
  console.log(
    `Cost (${cost.region} list prices of ${cost.pricesAsOf}, ${cost.transitionsPerCycle} transitions per cycle): ` +
      cost.profiles
        .map(
          (p) =>
            `${p.name} (${p.executionsPerDay} executions/day) $${p.perTenantMonthUsd['10']} / $${p.perTenantMonthUsd['1000']} / $${p.perTenantMonthUsd['10000']} per tenant-month at 10 / 1,000 / 10,000 tenants`,
        )
        .join('; '),
  );
}

function printCli(cli: Awaited<ReturnType<typeof benchCli>>): void {
  console.log(
    `agentctl start-up (median/max of ${cli.runs}; bare node ${cli.nodeStartMs.median}/${cli.nodeStartMs.max} ms): --help ${cli.helpMs.median}/${cli.helpMs.max} ms, usage error ${cli.usageErrorMs.median}/${cli.usageErrorMs.max} ms, --version ${cli.versionMs.median}/${cli.versionMs.max} ms`,
  );
}
