import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hourKey } from '../../../shared/clock.js';
import { act } from '../../../shared/cycle/act-step.js';
import type { CycleRuntime } from '../../../shared/cycle/runtime.js';
import type { RolloutPhase } from '../../../shared/domain/rollout/phase.js';
import type { SendRequest } from '../../../shared/domain/send-request.js';
import { agreementByActionType } from '../../../shared/domain/rollout/agreement.js';
import { RecordingApprovalNotifier } from '../../../shared/rollout/notify.js';
import { decideOnApproval, reviewProposal } from '../../../shared/rollout/decide.js';
import { LocalExecutor } from '../../../infra/local/local-executor.js';
import { synthesizeStateMachineDefinitions } from '../../../infra/local/state-machine-definitions.js';
import { createCycleHarness, type CycleHarness } from '../../helpers/cycle-harness.js';

const START = new Date('2026-03-02T09:00:00.000Z');
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

describe('Rollout: phases and approvals on the embedded stack', () => {
  let harness: CycleHarness;
  let runtime: CycleRuntime;
  const notifier = new RecordingApprovalNotifier();
  let executor: LocalExecutor;
  let hour = 0;

  beforeAll(async () => {
    harness = await createCycleHarness({ start: START.toISOString() });
    runtime = { ...harness.runtime, approvalNotifier: notifier };
    executor = new LocalExecutor({ definitions: synthesizeStateMachineDefinitions(), runtime });
  });

  afterAll(async () => {
    await harness.dispose();
  });

  /** A tenant in `phase` with `contacts` overdue contacts and, optionally, a client's call request. */
  async function seedTenant(
    tenantId: string,
    phase: RolloutPhase | undefined,
    options: { contacts?: number; ttlHours?: number; request?: boolean } = {},
  ): Promise<void> {
    const { repos } = runtime;
    const now = harness.clock.now();
    await repos.tenants.put(tenantId, {
      name: tenantId,
      agentEnabled: true,
      ...(phase ? { rollout: { phase, approvalTtlHours: options.ttlHours ?? 24 } } : {}),
    });
    for (let index = 0; index < (options.contacts ?? 2); index += 1) {
      const lastTouchAt = new Date(now.getTime() - (30 + index) * DAY_MS).toISOString();
      await repos.contacts.put(tenantId, {
        contactId: `c-${index}`,
        email: `person${index}@client.example`,
        lastTouchAt,
        createdAt: lastTouchAt,
      });
    }
    if (options.request)
      await repos.outcomes.append(tenantId, `inbound-${tenantId}`, {
        kind: 'inbound_message',
        messageId: `<call-${tenantId}@client.example>`,
        from: 'person0@client.example',
        contactId: 'c-0',
        classification: 'request',
        request: { text: 'Could someone please call me tomorrow about the new order?' },
      });
  }

  /** Runs one cycle per tenant at the next simulated hour. */
  async function cycle(
    tenantIds: readonly string[],
    options: { executor?: LocalExecutor } = {},
  ): Promise<void> {
    harness.clock.set(new Date(START.getTime() + hour * HOUR_MS));
    hour += 1;
    for (const tenantId of tenantIds) {
      const result = await (options.executor ?? executor).runCycle({
        tenantId,
        hourKey: hourKey(harness.clock.now()),
      });
      expect(result.status, `${tenantId}: ${result.error ?? ''}`).not.toBe('FAILED');
    }
  }

  /** Takes every request on the send queue off it (a test's sends, then an empty queue). */
  async function takeSendRequests(): Promise<SendRequest[]> {
    const { sqs } = harness.stack.clients;
    const url = harness.stack.queues.send.url;
    const taken: SendRequest[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          VisibilityTimeout: 600,
        }),
      );
      if (Messages.length === 0) return taken;
      for (const message of Messages) {
        taken.push(JSON.parse(message.Body ?? '{}') as SendRequest);
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }),
        );
      }
    }
  }

  const approver = (
    verdict: 'approve' | 'reject',
    tenantId: string,
    proposalId: string,
    by = 'ops@tenant.example',
  ) =>
    decideOnApproval(runtime.repos, tenantId, proposalId, verdict, {
      by,
      now: harness.clock.now(),
    });

  it('in shadow records every allowed action as would-execute and sends nothing, creating no task, where autonomous does both', async () => {
    // Prepare: the same data in a shadow tenant and in an autonomous one.
    await seedTenant('shadow-a', 'shadow', { request: true });
    await seedTenant('control-a', undefined, { request: true });

    // Act: a cycle folds the call request (React), the next one plans the task.
    await cycle(['shadow-a', 'control-a']);
    await cycle(['shadow-a', 'control-a']);
    await cycle(['shadow-a', 'control-a']);
    const sends = await takeSendRequests();

    // Assess
    const { repos } = runtime;
    expect(sends.filter((s) => s.tenantId === 'shadow-a')).toEqual([]);
    expect(await repos.tasks.list('shadow-a')).toEqual([]);
    expect((await repos.contacts.get('shadow-a', 'c-0'))?.pendingSend).toBeUndefined();
    const recorded = await repos.proposals.list('shadow-a');
    expect(recorded.map((p) => [p.actionType, p.status]).sort()).toEqual([
      ['create_task', 'recorded'],
      ['follow_up', 'recorded'],
      ['follow_up', 'recorded'],
    ]);
    expect(recorded.find((p) => p.card.target.contactId === 'c-1')).toMatchObject({
      phase: 'shadow',
      to: 'person1@client.example',
      touchKey: expect.stringMatching(/^shadow-a:follow_up:c-1:/),
    });
    // The control tenant (no rollout field: autonomous) queued both touches and created the task.
    expect(sends.filter((s) => s.tenantId === 'control-a')).toHaveLength(2);
    expect(await repos.tasks.list('control-a')).toHaveLength(1);
  });

  it('in assisted holds every allowed action as awaiting_approval until approved, asking the approvers once per touch', async () => {
    await seedTenant('held-a', 'assisted', { contacts: 3 });

    await cycle(['held-a']);
    await cycle(['held-a']);
    await cycle(['held-a']);

    const { repos } = runtime;
    expect(await takeSendRequests()).toEqual([]);
    const proposals = await repos.proposals.list('held-a');
    expect(proposals).toHaveLength(3);
    for (const proposal of proposals)
      expect(proposal).toMatchObject({ status: 'awaiting', generation: 1, phase: 'assisted' });
    const runs = (await repos.runs.list('held-a', { limit: 10 })).items;
    expect(runs).toHaveLength(3);
    for (const run of runs)
      for (const card of await repos.cards.listForRun('held-a', run.hourKey))
        expect(card.status).toBe('awaiting_approval');
    expect(notifier.notices.filter((n) => n.tenantId === 'held-a')).toHaveLength(3);
    const audits = await repos.audits.listDecisionsSince('held-a', START);
    expect(audits.map((a) => a.decision)).toEqual(['requested', 'requested', 'requested']);
    expect(await repos.audits.listSince('held-a', START)).toEqual([]);
  });

  it('executes an approval exactly once when it is approved twice, concurrently, and Act is retried', async () => {
    await seedTenant('approve-a', 'assisted', { contacts: 2 });
    await cycle(['approve-a']);
    const [first] = (await runtime.repos.proposals.list('approve-a')).filter(
      (p) => p.card.target.contactId === 'c-0',
    );

    // Act: two approvers at once, then a third approval; Act's result is lost and it is retried.
    const concurrent = await Promise.all([
      approver('approve', 'approve-a', first!.proposalId, 'ana'),
      approver('approve', 'approve-a', first!.proposalId, 'ben'),
    ]);
    const again = await approver('approve', 'approve-a', first!.proposalId, 'cy');
    const retrying = new LocalExecutor({
      definitions: synthesizeStateMachineDefinitions(),
      runtime,
      taskOverrides: {
        Act: async (input) => {
          await act(runtime, input as Parameters<typeof act>[1]);
          const error = new Error('response lost');
          error.name = 'TransientError';
          throw error;
        },
      },
    });
    harness.clock.set(new Date(START.getTime() + hour * HOUR_MS));
    hour += 1;
    await retrying.runCycle({ tenantId: 'approve-a', hourKey: hourKey(harness.clock.now()) });
    await cycle(['approve-a']);

    // Assess
    expect(concurrent.filter((r) => r.changed)).toHaveLength(1);
    expect(again).toMatchObject({
      changed: false,
      refusal: expect.stringContaining('not awaiting'),
    });
    const sends = await takeSendRequests();
    expect(sends.map((s) => s.contactId)).toEqual(['c-0']);
    expect(sends[0]?.idempotencyKey).toBe(first!.touchKey);
    const stored = await runtime.repos.proposals.get('approve-a', first!.proposalId);
    expect(stored?.status).toBe('executed');
    expect(stored?.history.filter((e) => e.action === 'executing')).toHaveLength(1);
    expect((await runtime.repos.contacts.get('approve-a', 'c-0'))?.pendingSend?.touchKey).toBe(
      first!.touchKey,
    );
    const other = (await runtime.repos.proposals.list('approve-a')).find(
      (p) => p.proposalId !== first!.proposalId,
    );
    expect(other?.status).toBe('awaiting');
    const decisions = await runtime.repos.audits.listDecisionsSince('approve-a', START);
    expect(decisions.filter((d) => d.decision === 'approved').map((d) => d.by)).toHaveLength(1);
  });

  it('expires an approval past its deadline, refuses approving it, and asks again with current content before anything is sent', async () => {
    await seedTenant('expire-a', 'assisted', { contacts: 1, ttlHours: 1 });
    await cycle(['expire-a']);
    const [proposal] = await runtime.repos.proposals.list('expire-a');

    // Act: approve two hours later, past the one-hour deadline.
    harness.clock.set(new Date(harness.clock.now().getTime() + 2 * HOUR_MS));
    const late = await approver('approve', 'expire-a', proposal!.proposalId);
    const afterLate = await runtime.repos.proposals.get('expire-a', proposal!.proposalId);
    hour += 2;
    await cycle(['expire-a']);
    const replanned = await runtime.repos.proposals.get('expire-a', proposal!.proposalId);
    const sendsBefore = await takeSendRequests();
    const onTime = await approver('approve', 'expire-a', proposal!.proposalId);
    await cycle(['expire-a']);

    // Assess
    expect(late).toMatchObject({ refusal: expect.stringContaining('expired') });
    expect(afterLate?.status).toBe('expired');
    expect(replanned).toMatchObject({ status: 'awaiting', generation: 2 });
    expect(sendsBefore).toEqual([]);
    expect(onTime.changed).toBe(true);
    expect((await takeSendRequests()).map((s) => s.contactId)).toEqual(['c-0']);
    expect(
      notifier.notices.filter((n) => n.tenantId === 'expire-a').map((n) => n.generation),
    ).toEqual([1, 2]);
  });

  it('never executes a rejected action, however often the planner proposes it again', async () => {
    await seedTenant('reject-a', 'assisted', { contacts: 1 });
    await cycle(['reject-a']);
    const [proposal] = await runtime.repos.proposals.list('reject-a');

    const rejected = await approver('reject', 'reject-a', proposal!.proposalId);
    const approveAfter = await approver('approve', 'reject-a', proposal!.proposalId);
    await cycle(['reject-a']);
    await cycle(['reject-a']);

    expect(rejected.changed).toBe(true);
    expect(approveAfter.changed).toBe(false);
    expect(await takeSendRequests()).toEqual([]);
    expect((await runtime.repos.proposals.get('reject-a', proposal!.proposalId))?.status).toBe(
      'rejected',
    );
  });

  it('supersedes an approved touch the contact made stale instead of sending it', async () => {
    await seedTenant('stale-a', 'assisted', { contacts: 1 });
    await cycle(['stale-a']);
    const [proposal] = await runtime.repos.proposals.list('stale-a');
    await approver('approve', 'stale-a', proposal!.proposalId);
    // The contact replied after the approval: its engagement clock moved.
    const contact = await runtime.repos.contacts.get('stale-a', 'c-0');
    await runtime.repos.contacts.put('stale-a', {
      ...contact!,
      lastTouchAt: harness.clock.now().toISOString(),
    });

    await cycle(['stale-a']);

    expect(await takeSendRequests()).toEqual([]);
    expect((await runtime.repos.proposals.get('stale-a', proposal!.proposalId))?.status).toBe(
      'superseded',
    );
  });

  it('in parallel sends nothing and computes agreement per action type from the recorded reviews', async () => {
    await seedTenant('parallel-a', 'parallel', { contacts: 4 });
    await cycle(['parallel-a']);
    await cycle(['parallel-a']);
    const proposals = await runtime.repos.proposals.list('parallel-a');

    for (const [index, proposal] of proposals.entries())
      await reviewProposal(
        runtime.repos,
        'parallel-a',
        proposal.proposalId,
        index === 0 ? 'disagree' : 'agree',
        {
          by: 'rev',
          now: harness.clock.now(),
          ...(index === 0 ? { note: 'too soon after the holidays' } : {}),
        },
      );
    // A reviewer changing their mind counts once, with the latest decision.
    await reviewProposal(runtime.repos, 'parallel-a', proposals[1]!.proposalId, 'agree', {
      by: 'rev',
      now: harness.clock.now(),
    });

    expect(await takeSendRequests()).toEqual([]);
    expect(proposals).toHaveLength(4);
    expect(agreementByActionType(await runtime.repos.proposals.list('parallel-a'))).toEqual({
      follow_up: { proposals: 4, reviewed: 4, agreed: 3, rate: 0.75 },
    });
  });
});
