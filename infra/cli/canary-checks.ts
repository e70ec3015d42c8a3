import type { KillSwitch } from '../../shared/adapters/parameters/kill-switch.js';
import { hourKey, type Clock } from '../../shared/clock.js';
import type { CycleRepositories } from '../../shared/cycle/runtime.js';
import type { SendRequest } from '../../shared/domain/send-request.js';
import { actionTouchKey } from '../../shared/domain/touch.js';
import type { SendRecord } from '../../shared/storage/send-record-repository.js';
import {
  CANARY_CHECKS,
  CANARY_TENANT_ID,
  type CanaryCheck,
  type CanaryCheckId,
} from './canary-record.js';

/** The canary's verdict: every check in order, `passed` when none failed. */
export interface CanaryResult {
  readonly passed: boolean;
  readonly at: string;
  readonly tenantId: string;
  readonly checks: readonly CanaryCheck[];
}

/** Who the canary writes to: addresses the send-mode gate allows as internal for the canary tenant. */
export interface CanaryRecipients {
  /** The synthetic lead the cycle proposes a follow-up for. */
  readonly lead: string;
  /** The address of the send made while the kill switch is on. */
  readonly probe: string;
  /** The canary tenant's `internalDomains` (the domain of both addresses). */
  readonly internalDomain: string;
}

/** What the mail to the lead proves, as far as this target can see it. */
export type CanaryMail =
  | { readonly ok: true; readonly link: string; readonly detail: string }
  | { readonly ok: false; readonly detail: string };

/**
 * Where the canary runs: the embedded stack or a deployed stage. The checks are the same; only
 * how a cycle starts, how the sender is waited for, and where the unsubscribe link comes from and
 * goes to differ.
 */
export interface CanaryPipeline {
  readonly repos: Pick<
    CycleRepositories,
    'tenants' | 'contacts' | 'cards' | 'sendRecords' | 'suppressions' | 'audits'
  >;
  readonly killSwitch: KillSwitch;
  /** The clock the sender decides by (virtual on the embedded stack). */
  readonly clock: Clock;
  readonly recipients: CanaryRecipients;
  /** How long a kill-switch change takes to reach the sender (its parameter cache). */
  readonly killSwitchSettleMs: number;
  /** Runs the canary tenant's cycle through the deployed (or CDK-synthesized) state machine. */
  runCycle(input: {
    readonly tenantId: string;
    readonly hourKey: string;
    readonly executionName: string;
  }): Promise<{ readonly status: string; readonly error?: string }>;
  /** Puts a send request on the send queue the sender consumes. */
  enqueue(request: SendRequest): Promise<void>;
  /** Waits until the sender decided the key (a final status or timeout); the record then. */
  settle(tenantId: string, idempotencyKey: string): Promise<SendRecord | undefined>;
  /** The lead's mail: its unsubscribe link and what shows SES took it. */
  mailFor(record: SendRecord, now: Date): Promise<CanaryMail>;
  /** Mail SES accepted for `to` during this run, where the target can see it (local only). */
  mailCount?(to: string): Promise<number>;
  /** The RFC 8058 one-click POST to the link; the endpoint's HTTP status. */
  postUnsubscribe(link: string): Promise<number>;
  /** Deletes every item of the canary tenant but its audit trail; how many. */
  deleteItems(): Promise<number>;
  /** Releases what the pipeline made for this run (its own queues locally). */
  close(): Promise<void>;
}

class CheckFailed extends Error {}

const DAY_MS = 86_400_000;
const LEAD_CONTACT_ID = 'canary-lead';

/**
 * Runs the canary checks in order on a pipeline: seeds the `canary` tenant (internal_only, one
 * overdue lead at an internal address), runs its cycle (plan → policy → Act), waits for the sender
 * (gate → SES), POSTs the lead's one-click unsubscribe link, checks that a second send to the lead
 * is suppressed, that a send with the kill switch on is stopped (the switch is restored), then
 * deletes everything the canary wrote except its audit record, where the result is appended. The
 * first failing check stops the run; the checks after it are SKIP; cleanup always runs.
 */
export async function runCanaryChecks(pipeline: CanaryPipeline, now: Date): Promise<CanaryResult> {
  const { repos, killSwitch, recipients } = pipeline;
  const tenantId = CANARY_TENANT_ID;
  const checks = new Map<CanaryCheckId, CanaryCheck>();
  const pass = (id: CanaryCheckId, detail: string) =>
    checks.set(id, { id, status: 'PASS', detail });
  const fail = (id: CanaryCheckId, detail: string): never => {
    checks.set(id, { id, status: 'FAIL', detail });
    throw new CheckFailed(detail);
  };
  const stamp = now.getTime().toString(36);
  const at = () => pipeline.clock.now();

  try {
    const state = await killSwitch.read();
    if ('unreadable' in state) fail('kill_switch_readable', `unreadable: ${state.unreadable}`);
    if (!('unreadable' in state) && state.on)
      fail(
        'kill_switch_readable',
        'the kill switch is ON: no cycle would run (agentctl kill-switch off)',
      );
    pass('kill_switch_readable', 'kill switch readable and off');

    // A canary that died mid-run leaves its items behind: start from none.
    await pipeline.deleteItems();
    await repos.tenants.put(tenantId, {
      name: 'Canary (synthetic)',
      agentEnabled: true,
      sendMode: 'internal_only',
      internalDomains: [recipients.internalDomain],
      sending: { window: { enabled: false } },
    });
    await repos.contacts.put(tenantId, {
      contactId: LEAD_CONTACT_ID,
      email: recipients.lead,
      name: 'Canary Lead',
      lastTouchAt: new Date(now.getTime() - 30 * DAY_MS).toISOString(),
      createdAt: new Date(now.getTime() - 300 * DAY_MS).toISOString(),
    });

    const hour = hourKey(now);
    const execution = await pipeline.runCycle({
      tenantId,
      hourKey: hour,
      executionName: `canary-${hour}-${stamp}`,
    });
    const cards = await repos.cards.listForRun(tenantId, hour);
    const card = cards.find((c) => c.target.contactId === LEAD_CONTACT_ID);
    if (!card)
      fail(
        'plan',
        `no action proposed for the overdue lead (cycle ${execution.status}${execution.error ? `: ${execution.error}` : ''})`,
      );
    pass('plan', `${card!.type} proposed for ${recipients.lead} (cycle ${execution.status})`);
    if (card!.decision?.allowed !== true || card!.status !== 'done')
      fail(
        'policy',
        `card ${card!.status}: ${card!.decision?.violationType ?? ''} ${card!.decision?.reason ?? ''}`.trim(),
      );
    pass('policy', `allowed by ${card!.decision!.rule}, queued`);

    const touchKey = String(card!.result?.['touchKey'] ?? '');
    const record = touchKey ? await pipeline.settle(tenantId, touchKey) : undefined;
    if (record?.status !== 'sent')
      fail(
        'gate',
        `send record ${record ? `${record.status} (${record.reason ?? 'no reason'})` : 'missing'}`,
      );
    pass('gate', `gate allowed ${recipients.lead} in internal_only; send record sent`);
    const mail = await pipeline.mailFor(record!, at());
    if (!mail.ok) fail('ses', mail.detail);
    pass('ses', mail.detail);

    const status = await pipeline.postUnsubscribe((mail as { link: string }).link);
    const suppressed = await repos.suppressions.suppressedAmong(tenantId, [recipients.lead]);
    if (status !== 200 || suppressed.size === 0)
      fail(
        'unsubscribe_link',
        `one-click POST answered ${status}; address ${suppressed.size ? '' : 'not '}suppressed`,
      );
    pass('unsubscribe_link', 'one-click POST answered 200 and suppressed the lead');

    const mailed = pipeline.mailCount ? await pipeline.mailCount(recipients.lead) : undefined;
    const again = request(tenantId, `canary-after-unsubscribe-${stamp}`, recipients.lead, at());
    await pipeline.enqueue(again);
    const second = await pipeline.settle(tenantId, again.idempotencyKey);
    const mailedAgain = pipeline.mailCount ? await pipeline.mailCount(recipients.lead) : undefined;
    if (second?.status !== 'suppressed' || mailedAgain !== mailed)
      fail(
        'suppression_honoured',
        `a second send to the lead ended ${second?.status ?? 'unrecorded'}${second?.reason ? ` (${second.reason})` : ''}${mailedAgain !== mailed ? ', and a mail went out' : ''}`,
      );
    pass(
      'suppression_honoured',
      `a second send to the unsubscribed lead was suppressed (${second!.reason ?? 'suppressed'}), nothing mailed`,
    );

    const probe = request(tenantId, `canary-kill-switch-${stamp}`, recipients.probe, at());
    await killSwitch.set(true, {
      now: at(),
      reason: 'canary kill-switch probe',
      changedBy: 'agentctl canary',
    });
    let stopped: SendRecord | undefined;
    try {
      await sleep(pipeline.killSwitchSettleMs);
      await pipeline.enqueue(probe);
      stopped = await pipeline.settle(tenantId, probe.idempotencyKey);
    } finally {
      await killSwitch.set(false, {
        now: at(),
        reason: 'canary probe done',
        changedBy: 'agentctl canary',
      });
    }
    const probeMailed = pipeline.mailCount ? await pipeline.mailCount(recipients.probe) : 0;
    if (probeMailed > 0 || stopped?.status === 'sent')
      fail('kill_switch_honoured', 'a send went out while the kill switch was on');
    pass(
      'kill_switch_honoured',
      `with the kill switch on the send was stopped (${stopped?.reason ?? stopped?.status ?? 'not claimed'})`,
    );
  } catch (error) {
    if (!(error instanceof CheckFailed)) {
      const running = CANARY_CHECKS.find((id) => !checks.has(id)) ?? 'cleanup';
      checks.set(running, {
        id: running,
        status: 'FAIL',
        detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    }
  } finally {
    try {
      const removed = await pipeline.deleteItems();
      await pipeline.close();
      pass('cleanup', `removed ${removed} canary item(s); the audit record stays`);
    } catch (error) {
      checks.set('cleanup', { id: 'cleanup', status: 'FAIL', detail: (error as Error).message });
    }
  }
  const ordered = CANARY_CHECKS.map(
    (id) =>
      checks.get(id) ?? {
        id,
        status: 'SKIP' as const,
        detail: 'not reached: an earlier check failed',
      },
  );
  const result: CanaryResult = {
    passed: ordered.every((check) => check.status === 'PASS'),
    at: now.toISOString(),
    tenantId,
    checks: ordered,
  };
  await repos.audits.append(tenantId, {
    kind: 'canary',
    auditId: `canary.${stamp}`,
    at: result.at,
    actor: process.env['USER'] ?? 'agentctl',
    detail: { passed: result.passed, checks: ordered },
  });
  return result;
}

function request(tenantId: string, cardId: string, to: string, now: Date): SendRequest {
  return {
    version: 1,
    tenantId,
    idempotencyKey: actionTouchKey(tenantId, 'send_email', cardId),
    to,
    template: 'check_in',
    cardId,
    runId: 'canary',
    dueAt: now.toISOString(),
    enqueuedAt: now.toISOString(),
  };
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
