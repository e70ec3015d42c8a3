import { join } from 'node:path';
import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DeleteQueueCommand } from '@aws-sdk/client-sqs';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { hourKey, VirtualClock } from '../../shared/clock.js';
import { KillSwitch } from '../../shared/adapters/parameters/kill-switch.js';
import { FileParameterStore } from '../../shared/adapters/parameters/parameter-store.js';
import { SqsMessageQueue } from '../../shared/adapters/queue/message-queue.js';
import { actionTouchKey } from '../../shared/domain/touch.js';
import type { SendRequest } from '../../shared/domain/send-request.js';
import {
  createUnsubscribeHandler,
  type UnsubscribeHandler,
} from '../../shared/sending/unsubscribe-handler.js';
import { SK_PREFIX, tenantPartition } from '../../shared/storage/keys.js';
import { localLambdaContext } from '../local/lambda-context.js';
import { LocalExecutor } from '../local/local-executor.js';
import {
  LOCAL_KILL_SWITCH_PARAMETER,
  localCycleRuntime,
  localObservability,
} from '../local/local-runtime.js';
import { createLocalSender, type LocalSender } from '../local/local-sender.js';
import type { LocalStack } from '../local/local-stack.js';
import { ensureQueues } from '../local/queues.js';
import type { LocalSes, StoredEmail } from '../local/ses-emulator.js';
import { synthesizeStateMachineDefinitions } from '../local/state-machine-definitions.js';
import {
  CANARY_CHECKS,
  CANARY_TENANT_ID,
  type CanaryCheck,
  type CanaryCheckId,
} from './canary-record.js';

/** The canary lead's domain: internal by construction, allow-listed for the canary tenant only. */
export const CANARY_DOMAIN = 'canary.internal.example';
const LEAD = { contactId: 'canary-lead', email: `lead@${CANARY_DOMAIN}` };
const KILL_SWITCH_PROBE = `kill-switch-probe@${CANARY_DOMAIN}`;

/** What the local canary runs on: a data dir's embedded stack and an SES emulator. */
export interface LocalCanaryDeps {
  readonly stack: LocalStack;
  readonly ses: LocalSes;
  readonly dataDir: string;
  readonly now: Date;
  /** Fault injection for tests: wraps the real unsubscribe handler. */
  readonly wrapUnsubscribe?: (handler: UnsubscribeHandler) => UnsubscribeHandler;
}

/** The canary's verdict: every check in order, `passed` when none failed. */
export interface CanaryResult {
  readonly passed: boolean;
  readonly at: string;
  readonly tenantId: string;
  readonly checks: readonly CanaryCheck[];
}

class CheckFailed extends Error {}

/**
 * Runs the canary on the embedded stack of a data dir: seeds the `canary` tenant (internal_only,
 * one overdue lead at an internal address), runs its cycle through the CDK-synthesized state
 * machine (plan → policy → Act), drains its own send queue through the real sender (gate → SES
 * emulator), POSTs the one-click unsubscribe link from the mail's `List-Unsubscribe` header, checks
 * that a second send to the lead is suppressed, that a send with the kill switch on is stopped
 * (the switch is restored), then deletes everything the canary wrote except its audit record. The
 * first failing check stops the run; the checks after it are SKIP.
 */
export async function runLocalCanary(deps: LocalCanaryDeps): Promise<CanaryResult> {
  const { stack, ses, now } = deps;
  const clock = new VirtualClock(now);
  const parameters = new FileParameterStore(join(deps.dataDir, 'parameters.json'));
  const killSwitch = new KillSwitch(parameters, LOCAL_KILL_SWITCH_PARAMETER);
  const queues = (await ensureQueues(stack.clients.sqs, `canary-${now.getTime().toString(36)}`))
    .send;
  const runtime = {
    ...localCycleRuntime({ stack, clock, parameters }),
    sendQueue: new SqsMessageQueue(stack.clients.sqs, queues.url),
  };
  const tenantId = CANARY_TENANT_ID;
  const checks = new Map<CanaryCheckId, CanaryCheck>();
  const pass = (id: CanaryCheckId, detail: string) =>
    checks.set(id, { id, status: 'PASS', detail });
  const fail = (id: CanaryCheckId, detail: string): never => {
    checks.set(id, { id, status: 'FAIL', detail });
    throw new CheckFailed(detail);
  };
  let sender: LocalSender | undefined;
  // The emulator's store is shared in a process: only mail received during this run counts.
  const earlier = new Set((await ses.emails()).map((mail) => mail.messageId));
  const mailTo = async (to: string): Promise<StoredEmail[]> =>
    (await ses.emails()).filter(
      (mail) => mail.destination.to.includes(to) && !earlier.has(mail.messageId),
    );

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
    await deleteCanaryItems(stack);
    await runtime.repos.tenants.put(tenantId, {
      name: 'Canary (synthetic)',
      agentEnabled: true,
      sendMode: 'internal_only',
      internalDomains: [CANARY_DOMAIN],
      sending: { window: { enabled: false } },
    });
    await runtime.repos.contacts.put(tenantId, {
      ...LEAD,
      name: 'Canary Lead',
      lastTouchAt: new Date(now.getTime() - 30 * 86_400_000).toISOString(),
      createdAt: new Date(now.getTime() - 300 * 86_400_000).toISOString(),
    });

    const hour = hourKey(now);
    const executor = new LocalExecutor({
      definitions: synthesizeStateMachineDefinitions(),
      runtime,
    });
    const execution = await executor.runCycle({
      tenantId,
      hourKey: hour,
      executionName: `canary-${hour}-${now.getTime().toString(36)}`,
    });
    const cards = await runtime.repos.cards.listForRun(tenantId, hour);
    const card = cards.find((c) => c.target.contactId === LEAD.contactId);
    if (!card)
      fail(
        'plan',
        `no action proposed for the overdue lead (cycle ${execution.status}${execution.error ? `: ${execution.error}` : ''})`,
      );
    pass('plan', `${card!.type} proposed for ${LEAD.email} (cycle ${execution.status})`);
    if (card!.decision?.allowed !== true || card!.status !== 'done')
      fail(
        'policy',
        `card ${card!.status}: ${card!.decision?.violationType ?? ''} ${card!.decision?.reason ?? ''}`.trim(),
      );
    pass('policy', `allowed by ${card!.decision!.rule}, queued`);

    sender = createLocalSender({
      doc: stack.clients.doc,
      tableName: stack.tableName,
      sqs: stack.clients.sqs,
      queueUrl: queues.url,
      deadLetterQueueUrl: queues.dlqUrl,
      ses: ses.client,
      clock,
      parameters,
      sendMode: 'internal_only',
    });
    await sender.drain.drainVisible();
    const touchKey = String(card!.result?.['touchKey'] ?? '');
    const record = touchKey ? await runtime.repos.sendRecords.get(tenantId, touchKey) : undefined;
    if (record?.status !== 'sent')
      fail(
        'gate',
        `send record ${record ? `${record.status} (${record.reason ?? 'no reason'})` : 'missing'}`,
      );
    pass('gate', `gate allowed ${LEAD.email} in internal_only; send record sent`);
    const [mail] = await mailTo(LEAD.email);
    const link = mail?.headers
      ?.find((header) => header.name === 'List-Unsubscribe')
      ?.value.replace(/^<|>$/g, '');
    if (!mail || !link)
      fail(
        'ses',
        mail ? 'mail has no List-Unsubscribe header' : 'SES received no mail for the lead',
      );
    pass('ses', `SES accepted "${mail!.subject}" with List-Unsubscribe`);

    const unsubscribe = createUnsubscribeHandler({
      suppressions: runtime.repos.suppressions,
      signingKey: sender.signingKey,
      clock,
      metric: () => undefined,
      observability: localObservability('unsubscribe'),
    });
    const handler = deps.wrapUnsubscribe ? deps.wrapUnsubscribe(unsubscribe) : unsubscribe;
    const response = await handler(
      oneClickPost(link!),
      localLambdaContext('unsubscribe', 'canary'),
    );
    const suppressed = await runtime.repos.suppressions.suppressedAmong(tenantId, [LEAD.email]);
    if (response.statusCode !== 200 || suppressed.size === 0)
      fail(
        'unsubscribe_link',
        `one-click POST answered ${response.statusCode}; address ${suppressed.size ? '' : 'not '}suppressed`,
      );
    pass('unsubscribe_link', 'one-click POST answered 200 and suppressed the lead');

    const again = request(tenantId, 'canary-after-unsubscribe', LEAD.email, clock.now());
    await new SqsMessageQueue(stack.clients.sqs, queues.url).send(again);
    await sender.drain.drainVisible();
    const second = await runtime.repos.sendRecords.get(tenantId, again.idempotencyKey);
    if (second?.status !== 'suppressed' || (await mailTo(LEAD.email)).length !== 1)
      fail(
        'suppression_honoured',
        `a second send to the lead ended ${second?.status ?? 'unrecorded'}`,
      );
    pass(
      'suppression_honoured',
      'a second send to the unsubscribed lead was suppressed, nothing mailed',
    );

    const probe = request(tenantId, 'canary-kill-switch', KILL_SWITCH_PROBE, clock.now());
    await killSwitch.set(true, {
      now: clock.now(),
      reason: 'canary kill-switch probe',
      changedBy: 'agentctl canary',
    });
    try {
      await new SqsMessageQueue(stack.clients.sqs, queues.url).send(probe);
      await sender.drain.drainVisible();
    } finally {
      await killSwitch.set(false, {
        now: clock.now(),
        reason: 'canary probe done',
        changedBy: 'agentctl canary',
      });
    }
    const stopped = await runtime.repos.sendRecords.get(tenantId, probe.idempotencyKey);
    if ((await mailTo(KILL_SWITCH_PROBE)).length > 0 || stopped?.status === 'sent')
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
      const removed = await deleteCanaryItems(stack);
      await Promise.allSettled([
        stack.clients.sqs.send(new DeleteQueueCommand({ QueueUrl: queues.url })),
        stack.clients.sqs.send(new DeleteQueueCommand({ QueueUrl: queues.dlqUrl })),
      ]);
      pass('cleanup', `removed ${removed} canary item(s) and its queues; the audit record stays`);
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
  await runtime.repos.audits.append(tenantId, {
    kind: 'canary',
    auditId: `canary.${now.getTime().toString(36)}`,
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

/** The RFC 8058 one-click POST a mail client sends to the List-Unsubscribe URL. */
function oneClickPost(url: string): LambdaFunctionURLEvent {
  const parsed = new URL(url);
  return {
    version: '2.0',
    rawPath: parsed.pathname,
    rawQueryString: parsed.search.slice(1),
    queryStringParameters: Object.fromEntries(parsed.searchParams),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    requestContext: { http: { method: 'POST' } },
    body: 'List-Unsubscribe=One-Click',
    isBase64Encoded: false,
  } as unknown as LambdaFunctionURLEvent;
}

/** Deletes every item of the canary tenant's partition except its audit trail. */
async function deleteCanaryItems(stack: LocalStack): Promise<number> {
  const pk = tenantPartition(CANARY_TENANT_ID);
  let removed = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await stack.clients.doc.send(
      new QueryCommand({
        TableName: stack.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ProjectionExpression: 'pk, sk',
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      if (String(item['sk']).startsWith(SK_PREFIX.audit)) continue;
      await stack.clients.doc.send(
        new DeleteCommand({ TableName: stack.tableName, Key: { pk: item['pk'], sk: item['sk'] } }),
      );
      removed += 1;
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return removed;
}
