import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AgentError } from '../errors.js';
import {
  OPEN_APPROVAL_STATUSES,
  canProposalTransition,
  type ProposalStatus,
} from '../domain/rollout/approval-lifecycle.js';
import type { Proposal, ProposalEvent, ProposalReview } from '../domain/rollout/proposal.js';
import { SK_PREFIX, keys } from './keys.js';
import { GSI1 } from './table-schema.js';
import { queryAll, queryTenantPrefix, ttlAfter, type TableContext } from './table-client.js';
import { isConditionalCheckFailed, oldItemOf, withoutStorageAttributes } from './items.js';

/** A proposal was not in the status a transition expected (someone else decided it first). */
export class ProposalTransitionError extends AgentError {
  constructor(
    proposalId: string,
    from: ProposalStatus,
    to: ProposalStatus,
    readonly actual?: string,
  ) {
    super(
      'PROPOSAL_TRANSITION_REFUSED',
      `Proposal ${proposalId} cannot go ${from} → ${to} (it is ${actual ?? 'missing'})`,
    );
  }
}

/** Proposals are kept 90 days after their last change, like cards. */
const PROPOSAL_RETENTION_MS = 90 * 86_400_000;

/** Fields a transition may set together with the status. */
export type ProposalChanges = Partial<
  Pick<
    Proposal,
    | 'card'
    | 'to'
    | 'touchKey'
    | 'draft'
    | 'generation'
    | 'requestedAt'
    | 'expiresAt'
    | 'slaDueAt'
    | 'decidedBy'
    | 'decidedAt'
    | 'claimedBy'
    | 'result'
  >
>;

/**
 * Proposals (`PROPOSAL#<id>`, shared/domain/rollout/approval-lifecycle.ts). Creating one is a
 * conditional put, and every status change one conditional update on the expected status (and,
 * for a claim, the claimant), so two approvers, two Acts or a retried Act can never move the same
 * proposal twice. Open approvals carry sparse gsi1 keys (`keys.openApprovalIndex`).
 */
export class ProposalRepository {
  constructor(private readonly ctx: TableContext) {}

  /**
   * Creates `proposal` unless one with its id exists; returns the stored one either way, and
   * whether this call created it.
   */
  async create(proposal: Proposal): Promise<{ created: boolean; proposal: Proposal }> {
    try {
      await this.ctx.doc.send(
        new PutCommand({
          TableName: this.ctx.tableName,
          Item: {
            ...keys.proposal(proposal.tenantId, proposal.proposalId),
            ...indexKeys(proposal.tenantId, proposal.proposalId, proposal.status, proposal),
            entity: 'proposal',
            ttl: ttlAfter(this.ctx.clock.now(), PROPOSAL_RETENTION_MS),
            ...proposal,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { created: true, proposal };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const existing = await this.get(proposal.tenantId, proposal.proposalId);
      if (!existing) throw error;
      return { created: false, proposal: existing };
    }
  }

  /** Reads one proposal, or `undefined`. */
  async get(tenantId: string, proposalId: string): Promise<Proposal | undefined> {
    const result = await this.ctx.doc.send(
      new GetCommand({
        TableName: this.ctx.tableName,
        Key: keys.proposal(tenantId, proposalId),
        ConsistentRead: true,
      }),
    );
    return result.Item ? withoutStorageAttributes<Proposal>(result.Item) : undefined;
  }

  /**
   * Moves a proposal `from` → `to` with one conditional update, appending `event` to its history
   * and setting `changes`; `claimedBy` in `expect` also requires that claimant. Throws
   * {@link ProposalTransitionError} when the proposal is elsewhere.
   */
  async transition(
    tenantId: string,
    proposalId: string,
    from: ProposalStatus,
    to: ProposalStatus,
    event: Omit<ProposalEvent, 'status'>,
    changes: ProposalChanges = {},
    expect: { readonly claimedBy?: string } = {},
  ): Promise<Proposal> {
    if (from !== to && !canProposalTransition(from, to))
      throw new ProposalTransitionError(proposalId, from, to, from);
    const now = this.ctx.clock.now();
    const sets = [
      '#status = :status',
      'updatedAt = :now',
      'history = list_append(history, :entry)',
      '#ttl = :ttl',
    ];
    const names: Record<string, string> = { '#status': 'status', '#ttl': 'ttl' };
    const values: Record<string, unknown> = {
      ':from': from,
      ':status': to,
      ':now': now.toISOString(),
      ':entry': [{ ...event, status: to }],
      ':ttl': ttlAfter(now, PROPOSAL_RETENTION_MS),
    };
    for (const [name, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      sets.push(`#c_${name} = :c_${name}`);
      names[`#c_${name}`] = name;
      values[`:c_${name}`] = value;
    }
    const index = indexKeys(tenantId, proposalId, to, {
      expiresAt: changes.expiresAt,
      decidedAt: changes.decidedAt ?? now.toISOString(),
    });
    const removes: string[] = [];
    if (index.gsi1pk) {
      sets.push('gsi1pk = :gsi1pk', 'gsi1sk = :gsi1sk');
      values[':gsi1pk'] = index.gsi1pk;
      values[':gsi1sk'] = index.gsi1sk;
    } else removes.push('gsi1pk', 'gsi1sk');
    let condition = '#status = :from';
    if (expect.claimedBy !== undefined) {
      condition += ' AND claimedBy = :claimant';
      values[':claimant'] = expect.claimedBy;
    }
    try {
      const result = await this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: keys.proposal(tenantId, proposalId),
          // proposalIsInExpectedState (and held by the expected claimant)
          ConditionExpression: condition,
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return withoutStorageAttributes<Proposal>(result.Attributes ?? {});
    } catch (error) {
      if (isConditionalCheckFailed(error)) {
        throw new ProposalTransitionError(
          proposalId,
          from,
          to,
          oldItemOf(error)?.['status'] as string | undefined,
        );
      }
      throw error;
    }
  }

  /** Records a reviewer's decision on a recorded (shadow/parallel) proposal; the latest one counts. */
  async review(tenantId: string, proposalId: string, review: ProposalReview): Promise<Proposal> {
    const event: ProposalEvent = {
      status: 'recorded',
      at: review.at,
      by: review.by,
      action: 'reviewed',
      note: `${review.decision}${review.note ? `: ${review.note}` : ''}`,
    };
    try {
      const result = await this.ctx.doc.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: keys.proposal(tenantId, proposalId),
          ConditionExpression: '#status = :recorded',
          UpdateExpression:
            'SET review = :review, updatedAt = :now, history = list_append(history, :entry)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':recorded': 'recorded',
            ':review': review,
            ':now': review.at,
            ':entry': [event],
          },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return withoutStorageAttributes<Proposal>(result.Attributes ?? {});
    } catch (error) {
      if (isConditionalCheckFailed(error))
        throw new ProposalTransitionError(
          proposalId,
          'recorded',
          'recorded',
          oldItemOf(error)?.['status'] as string | undefined,
        );
      throw error;
    }
  }

  /** Every proposal of a tenant, in id order. */
  async list(tenantId: string): Promise<Proposal[]> {
    const items = await queryTenantPrefix(this.ctx, tenantId, SK_PREFIX.proposal, {
      consistentRead: true,
    });
    return items.map((item) => withoutStorageAttributes<Proposal>(item));
  }

  /**
   * Open approvals in `status` from the sparse index; for `awaiting`, only those whose deadline
   * is at or before `atOrBefore` when it is given. The index is eventually consistent: callers
   * re-check each with a conditional transition.
   */
  async listOpen(
    tenantId: string,
    status: 'awaiting' | 'approved' | 'executing',
    atOrBefore?: Date,
  ): Promise<Proposal[]> {
    const items = await queryAll(this.ctx, {
      IndexName: GSI1,
      KeyConditionExpression: atOrBefore
        ? 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to'
        : 'gsi1pk = :pk AND begins_with(gsi1sk, :from)',
      ExpressionAttributeValues: {
        ':pk': keys.openApprovalPartition(tenantId),
        ':from': `${status}#`,
        ...(atOrBefore ? { ':to': `${status}#${atOrBefore.toISOString()}#~` } : {}),
      },
    });
    return items.map((item) => withoutStorageAttributes<Proposal>(item));
  }
}

function indexKeys(
  tenantId: string,
  proposalId: string,
  status: ProposalStatus,
  at: { readonly expiresAt?: string | undefined; readonly decidedAt?: string | undefined },
): { gsi1pk?: string; gsi1sk?: string } {
  if (!OPEN_APPROVAL_STATUSES.includes(status)) return {};
  const sortAt = (status === 'awaiting' ? at.expiresAt : at.decidedAt) ?? '';
  return keys.openApprovalIndex(tenantId, status, sortAt, proposalId);
}
