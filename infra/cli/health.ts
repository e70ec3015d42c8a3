import { rolloutPhaseOf } from '../../shared/domain/rollout/phase.js';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { RunRecord } from '../../shared/domain/entities.js';
import { SendRecordRepository } from '../../shared/storage/send-record-repository.js';
import { ContactRepository } from '../../shared/storage/contact-repository.js';
import { PENDING_SEND_STALE_MS, isPendingSendStale } from '../../shared/domain/touch.js';
import { keys } from '../../shared/storage/keys.js';
import { buildReport, type CheckReport, type CheckResult } from './check-report.js';
import type { AlarmReader } from './cloud-inspectors.js';
import type { OperatorContext } from './operator-context.js';
import { queueDepth } from './queue-directory.js';

/** A tenant without a finished or started cycle for this long is WARN (the schedule is hourly). */
export const STALE_RUN_MS = 2 * 3_600_000;
/** A lock held, or a run RUNNING, for longer than this is FAIL (the cycle times out after 50 min). */
export const HELD_TOO_LONG_MS = 3_600_000;
/** Above this many enabled tenants, only the tenants with findings get a line of their own. */
const TENANT_LINES_LIMIT = 25;

/** What `agentctl health` reads. */
export interface HealthDeps {
  readonly context: Pick<
    OperatorContext,
    'target' | 'repos' | 'killSwitch' | 'table' | 'queues' | 'local' | 'clock'
  >;
  /** The stack's CloudWatch alarms; absent on a local data dir (reported as SKIP). */
  readonly alarms?: AlarmReader;
}

/** Options of {@link checkHealth}. */
export interface HealthOptions {
  /**
   * The instant to judge staleness at. Default: now on AWS; on a local data dir, the latest run
   * activity recorded there (a simulation runs on a virtual clock), or now when there is none.
   */
  readonly at?: Date;
  /** The system clock (injectable for tests). */
  readonly now?: () => Date;
}

interface RawLock {
  readonly owner?: string;
  readonly acquiredAt?: string;
  readonly expiresAt?: string;
}

/**
 * `agentctl health`: the kill switch, the enabled tenants with their last run and its status,
 * stale locks, dead-letter queue depths and the stack's alarms in ALARM. The report is `degraded`
 * (exit 1) as soon as one line is WARN or FAIL.
 */
export async function checkHealth(
  deps: HealthDeps,
  options: HealthOptions = {},
): Promise<CheckReport> {
  const { context } = deps;
  const now = options.now ?? (() => context.clock.now());
  const checks: CheckResult[] = [];

  const killSwitch = await context.killSwitch.read();
  if ('unreadable' in killSwitch) {
    checks.push({
      id: 'kill-switch',
      status: 'FAIL',
      summary: `kill switch unreadable (${killSwitch.unreadable}); every cycle stops as if it were on`,
      fix: 'check the parameter exists and the caller may read it; agentctl kill-switch off to recreate it (docs/RUNBOOK.md#kill-switch)',
    });
  } else if (killSwitch.on) {
    checks.push({
      id: 'kill-switch',
      status: 'WARN',
      summary: `kill switch ON${killSwitch.reason ? ` (${killSwitch.reason})` : ''}${killSwitch.changedAt ? ` since ${killSwitch.changedAt}` : ''}: all agent activity is stopped`,
      fix: 'once the cause is fixed: agentctl kill-switch off --reason "…" (docs/RUNBOOK.md#kill-switch)',
    });
  } else {
    checks.push({ id: 'kill-switch', status: 'PASS', summary: 'kill switch off' });
  }

  const tenantIds: string[] = [];
  for await (const tenantId of context.repos.tenants.allEnabled()) tenantIds.push(tenantId);
  const tenants = await Promise.all(
    tenantIds.map(async (tenantId) => ({
      tenantId,
      lastRun: (await context.repos.runs.list(tenantId, { limit: 1 })).items[0],
      lock: await readLock(context, tenantId),
    })),
  );
  const at = options.at ?? (context.local ? latestActivity(tenants, now()) : now());

  checks.push(
    tenantIds.length === 0
      ? {
          id: 'tenants',
          status: 'WARN',
          summary: 'no enabled tenants: the hourly fan-out starts no cycle',
          fix: 'agentctl tenant enable ID',
        }
      : {
          id: 'tenants',
          status: 'PASS',
          summary: `${tenantIds.length} enabled tenant${tenantIds.length === 1 ? '' : 's'}`,
        },
  );

  const sendStates = await Promise.all(
    tenantIds.map((tenantId) => readSendState(context, tenantId, at)),
  );
  const phaseChecks = await Promise.all(
    tenantIds.map((tenantId) => rolloutPhaseCheck(context, tenantId, at)),
  );
  const tenantChecks = tenants.flatMap(({ tenantId, lastRun, lock }, index) => [
    lastRunCheck(tenantId, lastRun, at),
    ...lockCheck(tenantId, lock, at),
    ...sendPathChecks(tenantId, sendStates[index]!, at),
    phaseChecks[index]!,
  ]);
  const quiet = tenantChecks.filter((check) => check.status === 'PASS');
  if (tenants.length > TENANT_LINES_LIMIT) {
    checks.push(...tenantChecks.filter((check) => check.status !== 'PASS'));
    if (quiet.length > 0)
      checks.push({
        id: 'tenants:ok',
        status: 'PASS',
        summary: `${quiet.length} tenant checks passed (last run recent and not failed, no stale lock)`,
      });
  } else {
    checks.push(...tenantChecks);
  }
  if (!tenantChecks.some((check) => check.id.endsWith(':lock')))
    checks.push({ id: 'locks', status: 'PASS', summary: 'no stale or long-held tenant locks' });

  for (const queue of await context.queues.list()) {
    const depth = await queueDepth(context.queues.sqs, queue.deadLetterUrl);
    checks.push(
      depth > 0
        ? {
            id: `dlq:${queue.name}`,
            status: 'FAIL',
            summary: `dlq ${queue.name}: ${depth} message${depth === 1 ? '' : 's'} in the dead-letter queue`,
            fix: `find the cause (docs/RUNBOOK.md#deadlettermessages), then agentctl dlq redrive ${queue.name} --dry-run and agentctl dlq redrive ${queue.name}`,
          }
        : { id: `dlq:${queue.name}`, status: 'PASS', summary: `dlq ${queue.name}: empty` },
    );
  }

  if (!deps.alarms) {
    checks.push({
      id: 'alarms',
      status: 'SKIP',
      summary: 'alarms: CloudWatch alarms exist only on AWS, not on a local data dir',
    });
  } else {
    const firing = await deps.alarms.firing();
    checks.push(
      firing.length === 0
        ? { id: 'alarms', status: 'PASS', summary: 'alarms: none in ALARM' }
        : {
            id: 'alarms',
            status: 'FAIL',
            summary: `alarms in ALARM: ${firing.map((alarm) => `${alarm.name}${alarm.since ? ` (since ${alarm.since})` : ''}`).join(', ')}`,
            fix: 'open each alarm\'s runbook section (named in its description; docs/RUNBOOK.md "Alarms")',
          },
    );
  }

  return buildReport('health', context.target, at, checks);
}

/** A tenant's sends that need an operator's eye: unknown outcomes, overdue doubts, stale markers. */
interface SendState {
  readonly unknown: number;
  readonly overdueInDoubt: number;
  readonly stalePending: number;
  readonly oldestPendingAt?: string;
}

async function readSendState(
  context: HealthDeps['context'],
  tenantId: string,
  at: Date,
): Promise<SendState> {
  const table = { ...context.table, clock: { now: () => at } };
  const records = await new SendRecordRepository(table).list(tenantId);
  let stalePending = 0;
  let oldestPendingAt: string | undefined;
  for await (const contact of new ContactRepository(table).all(tenantId)) {
    if (!contact.pendingSend || !isPendingSendStale(contact.pendingSend, at)) continue;
    stalePending += 1;
    if (!oldestPendingAt || contact.pendingSend.enqueuedAt < oldestPendingAt)
      oldestPendingAt = contact.pendingSend.enqueuedAt;
  }
  return {
    unknown: records.filter((record) => record.status === 'unknown').length,
    overdueInDoubt: records.filter(
      (record) =>
        record.status === 'in_doubt' &&
        new Date(record.reconcileBy ?? record.decidedAt).getTime() < at.getTime(),
    ).length,
    stalePending,
    ...(oldestPendingAt ? { oldestPendingAt } : {}),
  };
}

/** WARN lines for sends whose outcome is unknown and touches queued too long. */
function sendPathChecks(tenantId: string, state: SendState, at: Date): CheckResult[] {
  const checks: CheckResult[] = [];
  if (state.unknown > 0 || state.overdueInDoubt > 0)
    checks.push({
      id: `tenant:${tenantId}:sends-unknown`,
      status: 'WARN',
      summary: `tenant ${tenantId}: ${state.unknown} send(s) with unknown outcome${state.overdueInDoubt > 0 ? `, ${state.overdueInDoubt} in doubt past the grace period` : ''} (SES gave no answer and no event settled them; counted as touches, never re-sent)`,
      fix: 'look the message up in the SES console / event history by its send_ref tag; see docs/RUNBOOK.md#sendsunknown',
    });
  if (state.stalePending > 0)
    checks.push({
      id: `tenant:${tenantId}:pending-sends`,
      status: 'WARN',
      summary: `tenant ${tenantId}: ${state.stalePending} touch(es) queued for more than ${PENDING_SEND_STALE_MS / 86_400_000} days (oldest since ${state.oldestPendingAt ?? '?'}, judged at ${at.toISOString()})`,
      fix: 'check the send queue and its DLQ (agentctl dlq redrive send --dry-run) and the caps; see docs/RUNBOOK.md#stalependingsends',
    });
  return checks;
}

async function readLock(
  context: HealthDeps['context'],
  tenantId: string,
): Promise<RawLock | undefined> {
  const { Item } = await context.table.doc.send(
    new GetCommand({
      TableName: context.table.tableName,
      Key: keys.cycleLock(tenantId),
      ConsistentRead: true,
    }),
  );
  return Item as RawLock | undefined;
}

/** The newest run start or end among the tenants' last runs (a data dir's virtual "now"). */
function latestActivity(
  tenants: readonly { readonly lastRun: RunRecord | undefined }[],
  fallback: Date,
): Date {
  const instants = tenants
    .flatMap(({ lastRun }) => [lastRun?.startedAt, lastRun?.endedAt])
    .filter((value): value is string => typeof value === 'string')
    .map((value) => new Date(value).getTime());
  return instants.length > 0 ? new Date(Math.max(...instants)) : fallback;
}

function lastRunCheck(tenantId: string, run: RunRecord | undefined, at: Date): CheckResult {
  const id = `tenant:${tenantId}:last-run`;
  if (!run)
    return {
      id,
      status: 'WARN',
      summary: `tenant ${tenantId}: no cycle has run yet`,
      fix: 'wait for the next hourly fan-out, or check the schedule is enabled (docs/RUNBOOK.md#cycle-issues)',
    };
  const label = `tenant ${tenantId}: last run ${run.hourKey} #${run.cycleNumber} ${run.status}`;
  const startedMs = new Date(run.startedAt).getTime();
  const lastMs = new Date(run.endedAt ?? run.startedAt).getTime();
  if (run.status === 'FAILED')
    return {
      id,
      status: 'FAIL',
      summary: `${label}${run.error?.phase ? ` in ${run.error.phase}` : ''}: ${run.error?.message ?? 'no error recorded'}`,
      fix: `agentctl runs ${tenantId}; the Step Functions execution ${run.executionName ?? run.runId} has the details (docs/RUNBOOK.md#cyclefailurerate)`,
    };
  if (run.status === 'RUNNING' && at.getTime() - startedMs > HELD_TOO_LONG_MS)
    return {
      id,
      status: 'FAIL',
      summary: `${label} since ${run.startedAt}: longer than a cycle may run, the execution died or hangs`,
      fix: `find execution ${run.executionName ?? run.runId} in the Step Functions console; stop it if still running (docs/RUNBOOK.md#statemachinetimedout)`,
    };
  if (at.getTime() - lastMs > STALE_RUN_MS)
    return {
      id,
      status: 'WARN',
      summary: `${label}, ${Math.floor((at.getTime() - lastMs) / 3_600_000)} h before ${at.toISOString()}: no recent cycle`,
      fix: 'check the schedule is enabled and the fan-out succeeds (docs/RUNBOOK.md#cycle-issues)',
    };
  if (run.status === 'SKIPPED' && run.reason === 'locked')
    return {
      id,
      status: 'WARN',
      summary: `${label} (locked): another run held the tenant's lock`,
      fix: `see the lock line; agentctl runs ${tenantId} (docs/RUNBOOK.md#tenantlockheld)`,
    };
  return {
    id,
    status: 'PASS',
    summary: `${label}${run.reason ? ` (${run.reason})` : ''}`,
  };
}

function lockCheck(tenantId: string, lock: RawLock | undefined, at: Date): CheckResult[] {
  if (!lock?.owner || !lock.expiresAt) return [];
  const id = `tenant:${tenantId}:lock`;
  const heldMs = lock.acquiredAt ? at.getTime() - new Date(lock.acquiredAt).getTime() : 0;
  if (new Date(lock.expiresAt).getTime() <= at.getTime())
    return [
      {
        id,
        status: 'WARN',
        summary: `tenant ${tenantId}: stale lock of run ${lock.owner} (acquired ${lock.acquiredAt ?? '?'}, lease expired ${lock.expiresAt}, never released): that run died`,
        fix: `the next cycle takes the lock over; find why run ${lock.owner} died: agentctl runs ${tenantId} (docs/RUNBOOK.md#tenantlockheld)`,
      },
    ];
  if (heldMs > HELD_TOO_LONG_MS)
    return [
      {
        id,
        status: 'FAIL',
        summary: `tenant ${tenantId}: lock held by run ${lock.owner} for ${Math.floor(heldMs / 60_000)} min (since ${lock.acquiredAt ?? '?'}, lease until ${lock.expiresAt})`,
        fix: `stop execution ${lock.owner} in the Step Functions console; the lease then expires by ${lock.expiresAt} (docs/RUNBOOK.md#tenantlockheld)`,
      },
    ];
  return [
    {
      id,
      status: 'PASS',
      summary: `tenant ${tenantId}: lock held by run ${lock.owner} (cycle in progress, lease until ${lock.expiresAt})`,
    },
  ];
}

/**
 * A tenant's rollout phase and, in assisted phase, its open approvals: WARN when one waits past
 * the SLA of its action type (approvers were notified; nothing executes until they answer).
 */
async function rolloutPhaseCheck(
  context: HealthDeps['context'],
  tenantId: string,
  at: Date,
): Promise<CheckResult> {
  const id = `tenant:${tenantId}:phase`;
  const phase = rolloutPhaseOf((await context.repos.tenants.get(tenantId)) ?? {});
  if (phase !== 'assisted')
    return { id, status: 'PASS', summary: `tenant ${tenantId}: rollout phase ${phase}` };
  const awaiting = await context.repos.proposals.listOpen(tenantId, 'awaiting');
  const late = awaiting.filter((p) => p.slaDueAt !== undefined && p.slaDueAt < at.toISOString());
  return late.length > 0
    ? {
        id,
        status: 'WARN',
        summary: `tenant ${tenantId}: rollout phase assisted, ${awaiting.length} approval(s) awaiting, ${late.length} past their SLA`,
        fix: `agentctl approvals list ${tenantId}`,
      }
    : {
        id,
        status: 'PASS',
        summary: `tenant ${tenantId}: rollout phase assisted, ${awaiting.length} approval(s) awaiting`,
      };
}
