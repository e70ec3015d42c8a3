import { synthesizeStateMachineDefinitions } from '../infra/local/state-machine-definitions.js';
import { PRICES } from './prices.js';
import type { CycleBenchResult } from './cycle.js';

/** One profile's monthly cost per tenant, and what it is made of (USD). */
export interface CostProfile {
  readonly name: string;
  /** Cycle executions a day (24 when every hour has work; 1 when only the daily run happens). */
  readonly executionsPerDay: number;
  readonly perTenantMonthUsd: Readonly<Record<'10' | '1000' | '10000', number>>;
  readonly breakdown: Readonly<Record<string, number>>;
}

/** The cost section of the bench. */
export interface CostBenchResult {
  readonly region: string;
  readonly pricesAsOf: string;
  /** State transitions of a cycle that runs to the end, read from the synthesized definition. */
  readonly transitionsPerCycle: number;
  /** Lambda duration per cycle step used (measured on the embedded stack: an upper bound). */
  readonly lambdaMsPerStep: number;
  /** Per tenant-month at default settings for the demo's tenants (the `demo` profile), 1,000 tenants. */
  readonly perTenantMonthUsd: number;
  readonly breakdown: Readonly<Record<string, number>>;
  readonly profiles: readonly CostProfile[];
  readonly assumptions: readonly string[];
}

type Definition = {
  StartAt: string;
  States: Record<
    string,
    { Type: string; Next?: string; Choices?: { Next: string }[]; Default?: string }
  >;
};

/** States entered on the path that takes every Choice's first rule (the proceed path). */
export function transitionsOnProceedPath(definition: Definition): {
  transitions: number;
  tasks: number;
} {
  let transitions = 0;
  let tasks = 0;
  let name: string | undefined = definition.StartAt;
  const seen = new Set<string>();
  while (name && !seen.has(name)) {
    seen.add(name);
    const state: Definition['States'][string] | undefined = definition.States[name];
    if (!state) break;
    transitions += 1;
    if (state.Type === 'Task') tasks += 1;
    name = state.Type === 'Choice' ? state.Choices?.[0]?.Next : state.Next;
  }
  return { transitions, tasks };
}

const DAYS_PER_MONTH = 30;
/** Fixed monthly account costs shared by every tenant (alarms, account-level metrics). */
const FIXED = { alarms: 15, customMetrics: 20 };
/** Log bytes per Lambda invocation (START/END/REPORT lines and ~3 structured Powertools lines). */
const LOG_BYTES_PER_INVOCATION = 1_500;
/** X-Ray sampling: the default rule records about 5 % of requests beyond the first each second. */
const XRAY_SAMPLE_RATE = 0.05;
const LAMBDA_MEMORY_GB = 0.5;

/** Request names as the document client or the low-level client reports them. */
const READS = new Set(
  ['Get', 'Query', 'BatchGet', 'Scan'].flatMap((op) => [`${op}Command`, `${op}ItemCommand`]),
);
const WRITES = new Set(
  ['Put', 'Update', 'Delete', 'BatchWrite'].flatMap((op) => [`${op}Command`, `${op}ItemCommand`]),
);

/**
 * The cost model: $/tenant-month at list prices ({@link PRICES}) from the synthesized cycle
 * definition (transitions and Lambda steps on the proceed path) and the cycle bench's measured
 * DynamoDB requests and step latency, for tenants that run every hour (`busy`), only once a day
 * (`idle`), and as often as the demo's tenants did (`demoExecutionsPerDay`, measured).
 */
export function benchCost(cycles: CycleBenchResult, demoExecutionsPerDay: number): CostBenchResult {
  const { cycle } = synthesizeStateMachineDefinitions();
  const path = transitionsOnProceedPath(cycle as unknown as Definition);
  const stepSeconds = cycles.cycleLatencyMs.median / 1_000 / Math.max(1, path.tasks);
  let reads = 0;
  let writes = 0;
  for (const [command, perCycle] of Object.entries(cycles.dynamodbRequestsByCommand)) {
    if (READS.has(command)) reads += perCycle;
    else if (WRITES.has(command)) writes += perCycle;
    else if (command.startsWith('TransactWrite')) writes += 2 * perCycle;
    else if (command.startsWith('TransactGet')) reads += 2 * perCycle;
  }
  const perCycle = {
    stepFunctions: path.transitions * PRICES.stepFunctionsStandardTransition,
    // The fan-out's EXPRESS child that starts the cycle: one request of ~100 ms at 64 MB.
    fanOutChild:
      PRICES.stepFunctionsExpressRequest + 0.1 * 0.064 * PRICES.stepFunctionsExpressGbSecond,
    lambda:
      path.tasks *
      (PRICES.lambdaRequest + stepSeconds * LAMBDA_MEMORY_GB * PRICES.lambdaArmGbSecond),
    dynamodb: reads * PRICES.dynamodbReadUnit + writes * PRICES.dynamodbWriteUnit,
    logs: (path.tasks * LOG_BYTES_PER_INVOCATION * PRICES.logsIngestGb) / 1024 ** 3,
    xray: XRAY_SAMPLE_RATE * PRICES.xrayTrace,
  };
  const cycleUsd = Object.values(perCycle).reduce((sum, usd) => sum + usd, 0);
  const fixedMonthly =
    FIXED.alarms * PRICES.alarmMonth +
    FIXED.customMetrics * PRICES.customMetricMonth +
    24 * DAYS_PER_MONTH * PRICES.schedulerInvocation;

  const profile = (name: string, executionsPerDay: number): CostProfile => {
    const cyclesPerMonth = executionsPerDay * DAYS_PER_MONTH;
    const breakdown = Object.fromEntries(
      Object.entries(perCycle).map(([part, usd]) => [part, round6(usd * cyclesPerMonth)]),
    );
    const variable = cycleUsd * cyclesPerMonth;
    const at = (tenants: number) => round4(variable + fixedMonthly / tenants);
    return {
      name,
      executionsPerDay: Math.round(executionsPerDay * 100) / 100,
      perTenantMonthUsd: { '10': at(10), '1000': at(1_000), '10000': at(10_000) },
      breakdown: { ...breakdown, fixedSharedAt1000Tenants: round6(fixedMonthly / 1_000) },
    };
  };
  const profiles = [profile('busy', 24), profile('demo', demoExecutionsPerDay), profile('idle', 1)];
  const demo = profiles[1]!;
  return {
    region: PRICES.region,
    pricesAsOf: PRICES.asOf,
    transitionsPerCycle: path.transitions,
    lambdaMsPerStep: Math.round(stepSeconds * 1_000),
    perTenantMonthUsd: demo.perTenantMonthUsd['1000'],
    breakdown: demo.breakdown,
    profiles,
    assumptions: [
      'Step Functions Standard cycle; transitions = states entered on the proceed path of the synthesized definition',
      `Lambda arm64 ${LAMBDA_MEMORY_GB * 1024} MB; step duration = measured cycle latency median / Task states (embedded stack, an upper bound)`,
      'DynamoDB: 1 read unit per Get/Query request, 1 write unit per write request (items under 4 KB / 1 KB); measured per tenant-cycle',
      `Logs ${LOG_BYTES_PER_INVOCATION} bytes per invocation; X-Ray ${XRAY_SAMPLE_RATE * 100} % of cycles traced`,
      `Fixed per account: ${FIXED.alarms} alarms, ${FIXED.customMetrics} custom metrics, the hourly schedule; shared by the tenants`,
      'SES, SQS and storage are left out: they grow with email volume, not with hours',
    ],
  };
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

function round6(value: number): number {
  return Math.round(value * 1_000_000) / 1_000_000;
}

/**
 * Cycle executions a day per enabled demo tenant: runs the demo fixture for `hours` on the
 * embedded stack and counts the executions the fan-out started (idle hours start none).
 */
export async function measureDemoExecutionsPerDay(hours = 24): Promise<number> {
  const { loadFixture } = await import('../infra/local/fixture.js');
  const { runSimulation } = await import('../infra/local/simulator.js');
  const fixture = await loadFixture('events/demo/demo.json');
  const report = await runSimulation({ fixture, hours });
  const enabled = report.tenants.filter((tenant) => tenant.agentEnabled).length;
  const { succeeded, failed } = report.simulation.executions;
  return ((succeeded + failed) / Math.max(1, enabled)) * (24 / hours);
}
