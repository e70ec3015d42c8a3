import {
  DescribeExecutionCommand,
  StartExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SqsMessageQueue } from '../../shared/adapters/queue/message-queue.js';
import type { Clock } from '../../shared/clock.js';
import { ConfigError } from '../../shared/errors.js';
import { loadSigningKeys, SIGNING_KEY_VARIABLES } from '../../shared/sending/signing-key-source.js';
import { unsubscribeLinkFor } from '../../shared/sending/unsubscribe-token.js';
import type { SendRecord } from '../../shared/storage/send-record-repository.js';
import { runCanaryChecks, type CanaryPipeline, type CanaryResult } from './canary-checks.js';
import { deleteCanaryItems } from './canary.js';
import type { OperatorContext } from './operator-context.js';
import { CANARY_STACK_OUTPUTS, queueOutputKeys, type StackOutputs } from './stack-outputs.js';

/**
 * The SES mailbox simulator: SES accepts and "delivers" to it without a real inbox, bounce or
 * reputation cost. The canary tenant lists it as its only internal domain.
 */
export const SES_SIMULATOR_DOMAIN = 'simulator.amazonses.com';

/** How long the AWS canary waits for the cycle and for each send, and how often it looks. */
export interface CanaryWaits {
  readonly cycleMs: number;
  readonly sendMs: number;
  readonly pollMs: number;
  /** The sender's kill-switch cache (KILL_SWITCH_CACHE_SECONDS) plus a margin. */
  readonly killSwitchSettleMs: number;
}

const DEFAULT_WAITS: CanaryWaits = {
  cycleMs: 5 * 60_000,
  sendMs: 2 * 60_000,
  pollMs: 2_000,
  killSwitchSettleMs: 7_000,
};

/** What the deployed canary runs with: the operator context of the stack and the AWS clients it adds. */
export interface AwsCanaryDeps {
  /** An AWS operator context (its `stack` outputs name every resource). */
  readonly context: OperatorContext;
  readonly sfn: SFNClient;
  readonly secrets: SecretsManagerClient;
  readonly clock: Clock;
  /** The HTTP client the one-click POST goes through. @default global fetch */
  readonly fetch?: typeof fetch;
  readonly waits?: Partial<CanaryWaits>;
}

/** The deployed resources the canary uses, from the stack outputs. */
export interface CanaryEndpoints {
  readonly cycleStateMachineArn: string;
  readonly sendQueueUrl: string;
  readonly unsubscribeUrl: string;
  readonly signingSecretArn: string;
}

/**
 * Finds the canary's resources in the stack outputs (a {@link ConfigError} naming the missing
 * output and the redeploy that adds it).
 */
export function canaryEndpoints(outputs: StackOutputs): CanaryEndpoints {
  return {
    cycleStateMachineArn: outputs.require(CANARY_STACK_OUTPUTS.cycleStateMachine),
    sendQueueUrl: outputs.require(queueOutputKeys('send').url),
    unsubscribeUrl: outputs.require(CANARY_STACK_OUTPUTS.unsubscribeUrl),
    signingSecretArn: outputs.require(CANARY_STACK_OUTPUTS.signingSecret),
  };
}

/**
 * Runs the canary on a deployed stage ({@link runCanaryChecks}): the lead is the SES mailbox
 * simulator (`success@simulator.amazonses.com`, internal for the canary tenant only), the cycle is
 * an execution of the deployed cycle state machine, the deployed sender consumes the send queue,
 * and — there being no inbox to read — the unsubscribe link is built exactly as the sender builds
 * it ({@link unsubscribeLinkFor}) with the signing key read from Secrets Manager with the
 * operator's credentials (kept in memory, never printed), then POSTed to the deployed unsubscribe
 * Function URL.
 */
export async function runAwsCanary(deps: AwsCanaryDeps, now: Date): Promise<CanaryResult> {
  if (!deps.context.stack)
    throw new ConfigError('--stack', 'the AWS canary needs the outputs of a deployed stack');
  const endpoints = canaryEndpoints(deps.context.stack);
  const keys = await loadSigningKeys(
    { [SIGNING_KEY_VARIABLES.secretArn]: endpoints.signingSecretArn },
    { secrets: deps.secrets },
  );
  return runCanaryChecks(awsCanaryPipeline(deps, endpoints, keys), now);
}

function awsCanaryPipeline(
  deps: AwsCanaryDeps,
  endpoints: CanaryEndpoints,
  keys: Awaited<ReturnType<typeof loadSigningKeys>>,
): CanaryPipeline {
  const { context, sfn, clock } = deps;
  const waits = { ...DEFAULT_WAITS, ...deps.waits };
  const post = deps.fetch ?? fetch;
  const queue = new SqsMessageQueue(context.queues.sqs, endpoints.sendQueueUrl);
  const until = async <T>(
    ms: number,
    probe: () => Promise<T | undefined>,
  ): Promise<T | undefined> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await probe();
      if (value !== undefined || Date.now() >= deadline) return value;
      await new Promise((resolve) => setTimeout(resolve, waits.pollMs));
    }
  };
  return {
    repos: context.repos,
    killSwitch: context.killSwitch,
    clock,
    recipients: {
      lead: `success@${SES_SIMULATOR_DOMAIN}`,
      probe: `success+kill-switch-probe@${SES_SIMULATOR_DOMAIN}`,
      internalDomain: SES_SIMULATOR_DOMAIN,
    },
    killSwitchSettleMs: waits.killSwitchSettleMs,
    runCycle: async (input) => {
      const { executionArn } = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: endpoints.cycleStateMachineArn,
          name: input.executionName,
          input: JSON.stringify(input),
        }),
      );
      const done = await until(waits.cycleMs, async () => {
        const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
        return execution.status === 'RUNNING' ? undefined : execution;
      });
      if (!done) return { status: `still RUNNING after ${waits.cycleMs / 1_000} s` };
      const error = [done.error, done.cause].filter(Boolean).join(': ');
      return { status: done.status ?? 'UNKNOWN', ...(error ? { error } : {}) };
    },
    enqueue: async (request) => {
      await queue.send(request);
    },
    settle: (tenantId, key) =>
      until(waits.sendMs, async () => {
        const record = await context.repos.sendRecords.get(tenantId, key);
        return record && decided(record) ? record : undefined;
      }),
    mailFor: async (record, at) =>
      record.messageId
        ? {
            ok: true,
            link: unsubscribeLinkFor(
              { tenantId: record.tenantId, email: record.to },
              endpoints.unsubscribeUrl,
              keys,
              at,
            ),
            detail: `SES accepted message ${record.messageId} for ${record.to} (mailbox simulator; the link is signed as the sender signs it)`,
          }
        : { ok: false, detail: 'the send record is sent but carries no SES message id' },
    postUnsubscribe: async (link) =>
      (
        await post(link, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'List-Unsubscribe=One-Click',
        })
      ).status,
    deleteItems: () => deleteCanaryItems(context.table.doc, context.table.tableName),
    close: async () => undefined,
  };
}

/** The sender has decided the key: anything but a claim in progress. */
function decided(record: SendRecord): boolean {
  return record.status !== 'claimed' && record.status !== 'in_doubt';
}
