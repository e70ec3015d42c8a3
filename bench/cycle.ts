import { performance } from 'node:perf_hooks';
import { VirtualClock, hourKey } from '../shared/clock.js';
import { seededRandom } from '../shared/ids.js';
import { KillSwitch } from '../shared/adapters/parameters/kill-switch.js';
import { MemoryParameterStore } from '../shared/adapters/parameters/parameter-store.js';
import { startLocalStack } from '../infra/local/local-stack.js';
import { LOCAL_KILL_SWITCH_PARAMETER, localCycleRuntime } from '../infra/local/local-runtime.js';
import { LocalExecutor } from '../infra/local/local-executor.js';
import { synthesizeStateMachineDefinitions } from '../infra/local/state-machine-definitions.js';
import { countRequests, printOrigins } from './request-counter.js';
import { profiled, selfTimeByPackage, workerThreadCpu, type ProfileShare } from './cpu-profile.js';

/** Figures of one cycle benchmark run. */
export interface CycleBenchResult {
  readonly tenants: number;
  readonly contactsPerTenant: number;
  readonly hours: number;
  readonly tenantCycles: number;
  readonly tenantCyclesPerSecond: number;
  /** CPU seconds (user + system, the whole process) per tenant-cycle: steadier than throughput on a shared machine. */
  readonly cpuSecondsPerTenantCycle: number;
  /** CPU seconds of the main thread (handlers, SDK, interpreter) per tenant-cycle; its inverse bounds the throughput. */
  readonly mainThreadCpuSecondsPerTenantCycle: number;
  /** CPU seconds of the worker threads (dynalite's) per tenant-cycle; the rest of the process's is the GC's and V8's helpers. */
  readonly workerThreadsCpuSecondsPerTenantCycle: number;
  readonly cycleLatencyMs: { readonly median: number; readonly p95: number; readonly max: number };
  readonly dynamodbRequestsPerTenantCycle: number;
  readonly dynamodbRequestsByCommand: Readonly<Record<string, number>>;
  /** Self time by package over the fan-outs, when `BENCH_CPU_PROFILE=FILE` asked for a profile. */
  readonly profile?: readonly ProfileShare[];
  /** Self time by package of each worker thread (dynalite's), by thread title, over the same window. */
  readonly workerProfiles?: Readonly<Record<string, readonly ProfileShare[]>>;
}

/**
 * Runs `hours` fan-outs over `tenants` seeded tenants on the embedded stack and measures
 * throughput, CPU time, per-cycle latency (wall clock, one cycle start to end) and DynamoDB
 * requests. `BENCH_CPU_PROFILE=FILE` profiles the fan-outs (not the set-up) into FILE.
 */
export async function benchCycles(options: {
  tenants: number;
  contactsPerTenant: number;
  hours: number;
}): Promise<CycleBenchResult> {
  const stack = await startLocalStack({ dynamoDbThread: true });
  try {
    const start = new Date('2026-03-02T08:00:00.000Z');
    const clock = new VirtualClock(start);
    const parameters = new MemoryParameterStore();
    await new KillSwitch(parameters, LOCAL_KILL_SWITCH_PARAMETER).set(false, { now: start });
    const runtime = localCycleRuntime({ stack, clock, parameters, random: seededRandom(1) });
    for (let t = 0; t < options.tenants; t += 1) {
      const tenantId = `bench-${String(t).padStart(4, '0')}`;
      await runtime.repos.tenants.put(tenantId, {
        name: tenantId,
        agentEnabled: true,
        followUpsPerCycle: 5,
      });
      await runtime.repos.accounts.put(tenantId, {
        accountId: 'acc',
        name: 'Account',
        status: 'active',
        annualValue: 50_000,
      });
      for (let c = 0; c < options.contactsPerTenant; c += 1) {
        const touched = new Date(start.getTime() - ((c * 7) % 45) * 86_400_000).toISOString();
        await runtime.repos.contacts.put(tenantId, {
          contactId: `c-${c}`,
          email: `p${c}@client${t}.example`,
          accountId: 'acc',
          lastTouchAt: touched,
          createdAt: touched,
        });
      }
    }

    const counter = countRequests(stack.clients.doc, {
      byOrigin: process.env['BENCH_DDB_ORIGINS'] === '1',
    });
    const latencies: number[] = [];
    const executor = new LocalExecutor({
      definitions: synthesizeStateMachineDefinitions(),
      runtime,
    });
    const originalRun = executor.runCycle.bind(executor);
    executor.runCycle = async (input) => {
      const began = performance.now();
      try {
        return await originalRun(input);
      } finally {
        latencies.push(performance.now() - began);
      }
    };

    const workersCpuBefore = await workerThreadCpu();
    const began = performance.now();
    const cpuBefore = process.cpuUsage();
    const threadCpuBefore = process.threadCpuUsage();
    const { profile, threads } = await profiled(process.env['BENCH_CPU_PROFILE'], async () => {
      for (let hour = 0; hour < options.hours; hour += 1) {
        const at = new Date(start.getTime() + hour * 3_600_000);
        clock.set(at);
        const result = await executor.runFanOut(at);
        if (result.started !== options.tenants)
          throw new Error(`hour ${hourKey(at)}: started ${result.started} of ${options.tenants}`);
      }
    });
    const cpu = process.cpuUsage(cpuBefore);
    const threadCpu = process.threadCpuUsage(threadCpuBefore);
    const seconds = (performance.now() - began) / 1000;
    let workersCpu = 0;
    for (const [title, used] of await workerThreadCpu())
      workersCpu += used - (workersCpuBefore.get(title) ?? 0);
    const tenantCycles = latencies.length;
    const sorted = [...latencies].sort((a, b) => a - b);
    const at = (q: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    const total = counter.total();
    printOrigins(counter, tenantCycles, 'tenant-cycle');
    return {
      ...options,
      tenantCycles,
      tenantCyclesPerSecond: round(tenantCycles / seconds),
      cpuSecondsPerTenantCycle: perCycle(cpu, tenantCycles),
      mainThreadCpuSecondsPerTenantCycle: perCycle(threadCpu, tenantCycles),
      workerThreadsCpuSecondsPerTenantCycle: perCycle(
        { user: workersCpu, system: 0 },
        tenantCycles,
      ),
      cycleLatencyMs: {
        median: round(at(0.5)),
        p95: round(at(0.95)),
        max: round(sorted.at(-1) ?? 0),
      },
      dynamodbRequestsPerTenantCycle: round(total / tenantCycles),
      dynamodbRequestsByCommand: Object.fromEntries(
        [...counter.byCommand.entries()].map(([k, v]) => [k, round(v / tenantCycles)]),
      ),
      ...(profile ? { profile: selfTimeByPackage(profile) } : {}),
      ...(threads
        ? {
            workerProfiles: Object.fromEntries(
              [...threads.workers].map(([title, worker]) => [title, selfTimeByPackage(worker)]),
            ),
          }
        : {}),
    };
  } finally {
    await stack.stop();
  }
}

function perCycle(usage: NodeJS.CpuUsage, tenantCycles: number): number {
  return Math.round((usage.user + usage.system) / tenantCycles / 1e3) / 1e3;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
