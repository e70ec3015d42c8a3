import type { CycleRuntime } from '../../shared/cycle/runtime.js';
import type { SendMode } from '../../shared/domain/send-mode.js';
import { loadEngagement } from '../../shared/cycle/engagement.js';
import { effectiveSendMode, resolveLimits } from '../../shared/domain/send-gate.js';
import { resolveSendingSettings } from '../../shared/domain/sending-settings.js';
import type { Fixture } from './fixture.js';
import { rolloutPhaseOf, type RolloutPhase } from '../../shared/domain/rollout/phase.js';
import { rolloutReport, type RolloutReport } from './rollout-report.js';
import { idleHours } from '../../shared/domain/wake.js';
import { hourKey as toHourKey } from '../../shared/clock.js';

/** One tenant's section of the simulation report (DESIGN.md section 7; names are a contract). */
export interface TenantReport {
  readonly tenantId: string;
  readonly name: string;
  readonly agentEnabled: boolean;
  /** The tenant's rollout phase (unset in its settings: autonomous). */
  readonly phase: RolloutPhase;
  /** Approvals (assisted phase) by status, one per touch however often it was re-proposed. */
  readonly approvals: RolloutReport['approvals'];
  /** Shadow/parallel proposals recorded as would-execute, and reviewers' agreement per action type. */
  readonly proposals: RolloutReport['proposals'];
  readonly cycles: {
    readonly hourKey: string;
    /** The run's cycle number; 0 for an hour skipped as idle (no run, no execution). */
    readonly cycleNumber: number;
    readonly status: string;
    readonly reason?: string;
    readonly error?: string;
    readonly counts: Readonly<Record<string, number>>;
    /** False for an hour skipped as idle: nothing was due, so no execution started. */
    readonly executionStarted?: false;
  }[];
  readonly emails: {
    readonly to: string;
    readonly status: string;
    readonly reason?: string;
    readonly at: string;
    /** The touch the email belongs to (its send key). */
    readonly touchKey?: string;
    /** The card that queued it; absent for a not-contactable contact reported by Plan. */
    readonly cardId?: string;
    readonly contactId?: string;
    /** For `awaiting_approval`: the approval to decide (`agentctl approvals approve TENANT/ID`). */
    readonly proposalId?: string;
    /** How the email was written: provider, the provider it fell back from, checks failed on the way. */
    readonly draft?: {
      readonly provider: string;
      readonly fallbackFrom?: string;
      readonly checks: readonly string[];
    };
  }[];
  readonly violations: {
    readonly type: string;
    readonly reason: string;
    readonly actionType: string;
    readonly at: string;
    readonly target: Readonly<Record<string, string>>;
  }[];
  readonly tasks: {
    readonly taskId: string;
    readonly title: string;
    readonly contactId?: string;
    /** The contact the task is about (name and address), when it names one. */
    readonly contact?: { readonly name?: string; readonly email: string };
    readonly evidence: string;
    /** The request the task answers, as the client wrote it (from the task's evidence). */
    readonly request?: string;
  }[];
  readonly orders: {
    readonly orderId: string;
    readonly status: string;
    readonly codes: string[];
    readonly fixes: number;
  }[];
  readonly actions: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** The send caps in force for the tenant in this run's mode (hour and day). */
  readonly caps: { readonly perHour: number; readonly perDay: number };
  /** The compliance rate each cycle's Reflect recorded, oldest first. */
  readonly complianceOverTime: { readonly hourKey: string; readonly complianceRate: number }[];
  /** Deferred action cards counted by the reason recorded on their decision or result. */
  readonly deferrals: Readonly<Record<string, number>>;
  readonly engagement: {
    /** Contactable contacts (suppressed, do-not-contact and discovered ones are left out). */
    readonly contacts: number;
    readonly compliant: number;
    readonly overdue: number;
    readonly complianceRate: number;
    /** Contacts the agent may not reach out to, by reason. */
    readonly notContactable: { readonly count: number; readonly reasons: Record<string, number> };
    /** Contacts whose queued touch has waited longer than the pending-send bound. */
    readonly stalePendingSends: number;
  };
  /** Sends whose SES answer was lost: settled from the event stream, or still unknown. */
  readonly sending: {
    /** Touches queued (one send record each; deferrals and retries of a touch are one). */
    readonly touches: number;
    readonly inDoubtSettled: number;
    readonly unknown: number;
    readonly pending: number;
  };
  readonly ingest: {
    readonly messages: number;
    readonly duplicates: number;
    readonly classified: Readonly<Record<string, number>>;
  };
  readonly queued: { readonly sendRequests: number };
}

/** The whole simulation report. */
export interface SimulationReport {
  readonly simulation: {
    readonly start: string;
    readonly end: string;
    readonly hours: number;
    readonly sendMode: SendMode;
    readonly killSwitch: 'on' | 'off';
    readonly executions: { readonly succeeded: number; readonly failed: number };
  };
  readonly tenants: TenantReport[];
  readonly metrics: Readonly<Record<string, number>>;
}

/**
 * Reads back what the simulation left in the table and builds the report, sorted so the same
 * input always yields the same report.
 */
export async function buildTenantReports(
  runtime: CycleRuntime,
  fixture: Fixture,
  start: Date,
  end: Date,
  sendMode: SendMode = 'dry_run',
): Promise<TenantReport[]> {
  const reports: TenantReport[] = [];
  for (const tenant of fixture.tenants) {
    const { repos } = runtime;
    const settings = await repos.tenants.require(tenant.id);
    const runs = [];
    let cursor: string | undefined;
    do {
      const page = await repos.runs.list(tenant.id, {
        oldestFirst: true,
        limit: 500,
        ...(cursor ? { cursor } : {}),
      });
      runs.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);

    const actions: Record<string, Record<string, number>> = {};
    const deferrals: Record<string, number> = {};
    let sendRequests = 0;
    const draftsByCard = new Map<string, NonNullable<TenantReport['emails'][number]['draft']>>();
    for (const run of runs) {
      for (const card of await repos.cards.listForRun(tenant.id, run.hourKey)) {
        const draft = draftOf(card.result);
        if (draft) draftsByCard.set(card.cardId, draft);
        const byStatus = (actions[card.type] ??= {});
        byStatus[card.status] = (byStatus[card.status] ?? 0) + 1;
        if (card.status === 'done' && card.result?.['queued'] === true) sendRequests += 1;
        if (card.status === 'deferred') {
          const reason = deferralReason(card.result, card.decision?.reason);
          deferrals[reason] = (deferrals[reason] ?? 0) + 1;
        }
      }
    }

    const outcomes = await repos.outcomes.listBetween(tenant.id, start, end);
    const orders = [];
    for await (const order of repos.orders.all(tenant.id)) {
      orders.push({
        orderId: order.orderId,
        status: order.status,
        codes: (order.exceptions ?? []).map((exception) => exception.code),
        fixes: order.fixes?.length ?? 0,
      });
    }
    const engagement = await loadEngagement(runtime, tenant.id, settings, end);
    const limits = resolveLimits(
      settings.tier ?? 'pro',
      resolveSendingSettings(settings.sending).caps,
      effectiveSendMode(sendMode, settings.sendMode),
    );
    const complianceOverTime = [];
    for (const run of runs) {
      const reflection = await repos.reflections.latestBefore(tenant.id, nextHourKey(run.hourKey));
      if (reflection?.hourKey === run.hourKey)
        complianceOverTime.push({
          hourKey: run.hourKey,
          complianceRate: reflection.metrics.complianceRate,
        });
    }

    const rollout = await rolloutReport(runtime, tenant.id);
    reports.push({
      tenantId: tenant.id,
      name: settings.name,
      agentEnabled: settings.agentEnabled,
      phase: rolloutPhaseOf(settings),
      approvals: rollout.approvals,
      proposals: rollout.proposals,
      cycles: [
        ...runs.map((run) => ({
          hourKey: run.hourKey,
          cycleNumber: run.cycleNumber,
          status: run.status,
          ...(run.reason ? { reason: run.reason } : {}),
          ...(run.status === 'FAILED' && run.error
            ? { error: `${run.error.phase ?? 'cycle'}: ${run.error.message}` }
            : {}),
          counts: run.counts,
        })),
        ...idleHours(runs, toHourKey(end)).map((idleHour) => ({
          hourKey: idleHour,
          cycleNumber: 0,
          status: 'SKIPPED',
          reason: 'idle',
          counts: {},
          executionStarted: false as const,
        })),
      ].sort((a, b) => a.hourKey.localeCompare(b.hourKey)),
      emails: [
        ...outcomes.flatMap((outcome) =>
          outcome.kind === 'send_result'
            ? [
                {
                  to: outcome.email,
                  status: outcome.status,
                  ...(outcome.reason ? { reason: outcome.reason } : {}),
                  at: outcome.at,
                  ...(outcome.touchKey ? { touchKey: outcome.touchKey } : {}),
                  ...(outcome.cardId ? { cardId: outcome.cardId } : {}),
                  ...(outcome.contactId ? { contactId: outcome.contactId } : {}),
                  ...(outcome.cardId && draftsByCard.has(outcome.cardId)
                    ? { draft: draftsByCard.get(outcome.cardId)! }
                    : {}),
                },
              ]
            : [],
        ),
        ...rollout.awaitingEmails,
      ],
      violations: (await repos.audits.listSince(tenant.id, start)).map((record) => ({
        type: record.type,
        reason: record.reason,
        actionType: record.actionType,
        at: record.at,
        target: record.target as Record<string, string>,
      })),
      tasks: await Promise.all(
        (await repos.tasks.list(tenant.id)).map(async (task) => {
          const contact = task.contactId
            ? await repos.contacts.get(tenant.id, task.contactId)
            : undefined;
          return {
            taskId: task.taskId,
            title: task.title,
            ...(task.contactId ? { contactId: task.contactId } : {}),
            ...(contact
              ? {
                  contact: {
                    ...(contact.name ? { name: contact.name } : {}),
                    email: contact.email,
                  },
                }
              : {}),
            evidence: task.evidence.kind,
            ...(task.evidence.text ? { request: task.evidence.text } : {}),
          };
        }),
      ),
      orders,
      actions,
      caps: { perHour: limits.perHour, perDay: limits.perDay },
      complianceOverTime,
      deferrals,
      engagement: {
        contacts: engagement.stats.contacts,
        compliant: engagement.stats.compliant,
        overdue: engagement.stats.overdue,
        complianceRate: Math.round(engagement.stats.complianceRate * 10_000) / 10_000,
        notContactable: {
          count: engagement.notContactable.count,
          reasons: { ...engagement.notContactable.reasons },
        },
        stalePendingSends: engagement.stalePendingSends.length,
      },
      sending: await sendingSummary(runtime, tenant.id),
      ingest: { messages: 0, duplicates: 0, classified: {} },
      queued: { sendRequests },
    });
  }
  return reports;
}

/** In-doubt sends of a tenant: settled from SES's events, still unknown, or waiting. */
async function sendingSummary(
  runtime: CycleRuntime,
  tenantId: string,
): Promise<TenantReport['sending']> {
  const records = await runtime.repos.sendRecords.list(tenantId);
  return {
    touches: records.length,
    inDoubtSettled: records.filter((record) => record.reconciledBy !== undefined).length,
    unknown: records.filter((record) => record.status === 'unknown').length,
    pending: records.filter((record) => record.status === 'in_doubt').length,
  };
}

/** The draft summary a card's result records (shared/cycle/act-drafting.ts), if any. */
function draftOf(
  result: Readonly<Record<string, unknown>> | undefined,
): TenantReport['emails'][number]['draft'] | undefined {
  const draft = result?.['draft'] as Record<string, unknown> | undefined;
  if (!draft || typeof draft['provider'] !== 'string') return undefined;
  return {
    provider: draft['provider'],
    ...(typeof draft['fallbackFrom'] === 'string' ? { fallbackFrom: draft['fallbackFrom'] } : {}),
    checks: Array.isArray(draft['checks']) ? draft['checks'].map(String) : [],
  };
}

/** The reason a deferred card gives: its result's `reason` or `deferReason`, else the decision's. */
function deferralReason(
  result: Readonly<Record<string, unknown>> | undefined,
  decisionReason: string | undefined,
): string {
  for (const key of ['reason', 'deferReason', 'deferredReason']) {
    const value = result?.[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return decisionReason ?? 'unspecified';
}

/** The hour key (`yyyyMMddHH`, UTC) one hour after `hourKey`. */
function nextHourKey(hourKey: string): string {
  const at = Date.UTC(
    Number(hourKey.slice(0, 4)),
    Number(hourKey.slice(4, 6)) - 1,
    Number(hourKey.slice(6, 8)),
    Number(hourKey.slice(8, 10)) + 1,
  );
  return new Date(at).toISOString().replace(/[-T:]/g, '').slice(0, 10);
}
