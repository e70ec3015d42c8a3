import { join } from 'node:path';
import { DeleteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteQueueCommand } from '@aws-sdk/client-sqs';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { VirtualClock } from '../../shared/clock.js';
import { KillSwitch } from '../../shared/adapters/parameters/kill-switch.js';
import { FileParameterStore } from '../../shared/adapters/parameters/parameter-store.js';
import { SqsMessageQueue } from '../../shared/adapters/queue/message-queue.js';
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
import { createLocalSender } from '../local/local-sender.js';
import type { LocalStack } from '../local/local-stack.js';
import { ensureQueues } from '../local/queues.js';
import type { LocalSes, StoredEmail } from '../local/ses-emulator.js';
import { synthesizeStateMachineDefinitions } from '../local/state-machine-definitions.js';
import { runCanaryChecks, type CanaryPipeline, type CanaryResult } from './canary-checks.js';
import { CANARY_TENANT_ID } from './canary-record.js';

export type { CanaryResult } from './canary-checks.js';

/** The canary lead's domain: internal by construction, allow-listed for the canary tenant only. */
export const CANARY_DOMAIN = 'canary.internal.example';
const LEAD_EMAIL = `lead@${CANARY_DOMAIN}`;
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

/**
 * Runs the canary on the embedded stack of a data dir ({@link runCanaryChecks}): the cycle runs
 * through the CDK-synthesized state machine, the real sender drains the canary's own send queue
 * into the SES emulator, and the unsubscribe link is read from the mail's `List-Unsubscribe`
 * header and POSTed to the real unsubscribe handler.
 */
export async function runLocalCanary(deps: LocalCanaryDeps): Promise<CanaryResult> {
  return runCanaryChecks(await localCanaryPipeline(deps), deps.now);
}

async function localCanaryPipeline(deps: LocalCanaryDeps): Promise<CanaryPipeline> {
  const { stack, ses, now } = deps;
  const clock = new VirtualClock(now);
  const parameters = new FileParameterStore(join(deps.dataDir, 'parameters.json'));
  const queues = (await ensureQueues(stack.clients.sqs, `canary-${now.getTime().toString(36)}`))
    .send;
  const runtime = {
    ...localCycleRuntime({ stack, clock, parameters }),
    sendQueue: new SqsMessageQueue(stack.clients.sqs, queues.url),
  };
  const executor = new LocalExecutor({ definitions: synthesizeStateMachineDefinitions(), runtime });
  const sender = createLocalSender({
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
  const unsubscribe = createUnsubscribeHandler({
    suppressions: runtime.repos.suppressions,
    signingKey: sender.signingKey,
    clock,
    metric: () => undefined,
    observability: localObservability('unsubscribe'),
  });
  const handler = deps.wrapUnsubscribe ? deps.wrapUnsubscribe(unsubscribe) : unsubscribe;
  // The emulator's store is shared in a process: only mail received during this run counts.
  const earlier = new Set((await ses.emails()).map((mail) => mail.messageId));
  const mailTo = async (to: string): Promise<StoredEmail[]> =>
    (await ses.emails()).filter(
      (mail) => mail.destination.to.includes(to) && !earlier.has(mail.messageId),
    );
  return {
    repos: runtime.repos,
    killSwitch: new KillSwitch(parameters, LOCAL_KILL_SWITCH_PARAMETER),
    clock,
    recipients: { lead: LEAD_EMAIL, probe: KILL_SWITCH_PROBE, internalDomain: CANARY_DOMAIN },
    killSwitchSettleMs: 0,
    runCycle: (input) => executor.runCycle(input),
    enqueue: async (request) => {
      await runtime.sendQueue.send(request);
    },
    settle: async (tenantId, key) => {
      await sender.drain.drainVisible();
      return runtime.repos.sendRecords.get(tenantId, key);
    },
    mailFor: async (record) => {
      const [mail] = await mailTo(record.to);
      const link = mail?.headers
        ?.find((header) => header.name === 'List-Unsubscribe')
        ?.value.replace(/^<|>$/g, '');
      if (!mail) return { ok: false, detail: 'SES received no mail for the lead' };
      if (!link) return { ok: false, detail: 'mail has no List-Unsubscribe header' };
      return { ok: true, link, detail: `SES accepted "${mail.subject}" with List-Unsubscribe` };
    },
    mailCount: async (to) => (await mailTo(to)).length,
    postUnsubscribe: async (link) =>
      (await handler(oneClickPost(link), localLambdaContext('unsubscribe', 'canary'))).statusCode,
    deleteItems: () => deleteCanaryItems(stack.clients.doc, stack.tableName),
    close: async () => {
      await Promise.allSettled([
        stack.clients.sqs.send(new DeleteQueueCommand({ QueueUrl: queues.url })),
        stack.clients.sqs.send(new DeleteQueueCommand({ QueueUrl: queues.dlqUrl })),
      ]);
    },
  };
}

/** The RFC 8058 one-click POST a mail client sends to the List-Unsubscribe URL. */
export function oneClickPost(url: string): LambdaFunctionURLEvent {
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

/** Deletes every item of the canary tenant's partition except its audit trail; how many. */
export async function deleteCanaryItems(
  doc: DynamoDBDocumentClient,
  tableName: string,
): Promise<number> {
  const pk = tenantPartition(CANARY_TENANT_ID);
  let removed = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ProjectionExpression: 'pk, sk',
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      if (String(item['sk']).startsWith(SK_PREFIX.audit)) continue;
      await doc.send(
        new DeleteCommand({ TableName: tableName, Key: { pk: item['pk'], sk: item['sk'] } }),
      );
      removed += 1;
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return removed;
}
