import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { SK_PREFIX, keys } from './keys.js';
import { queryTenantRange, ttlAfter, type TableContext } from './table-client.js';
import { isConditionalCheckFailed, withoutStorageAttributes } from './items.js';

import type { ViolationRecord } from '../domain/policy/audit.js';
import type { DraftViolationType } from '../domain/drafting/content-check.js';

/**
 * Violations recorded outside the policy engine: the send gate's refusal of an outside recipient
 * in internal_only mode, and drafting's content-check blocks and budget notes.
 */
export type SendViolationType =
  | 'email_blocked_internal_only'
  | 'discovered_contact'
  /** A draft no provider or template could write past the content checker (shared/drafting). */
  | DraftViolationType
  /** A tenant's daily drafting quota was reached; drafts fell back to the template. */
  | 'llm_budget_exceeded';

/** A policy violation as stored: the engine's record plus its id and the card it blocked. */
export interface AuditRecord extends Omit<ViolationRecord, 'type'> {
  readonly type: ViolationRecord['type'] | SendViolationType;
  readonly auditId: string;
  readonly kind: 'policy_violation';
  readonly cardId?: string;
}

/**
 * A human or agent decision on a rollout proposal (approve, reject, edit, review, expiry): who,
 * when, what, and what was edited. Kept in the same trail as violations, told apart by `kind`.
 */
export interface DecisionAuditRecord {
  readonly kind: 'rollout_decision';
  readonly auditId: string;
  readonly at: string;
  readonly by: string;
  readonly proposalId: string;
  readonly actionType: string;
  readonly decision: string;
  readonly note?: string;
  readonly edits?: readonly {
    readonly field: string;
    readonly from?: string;
    readonly to: string;
  }[];
}

/**
 * An operator decision or test result kept in the audit trail beside policy violations:
 * `ladder_change` (rollout phase or send mode moved; `forced` with the reason when criteria were
 * overridden) and `canary` (a canary run's checks). Never listed as a violation.
 */
export interface OperatorAuditRecord {
  readonly kind: 'ladder_change' | 'canary';
  readonly auditId: string;
  /** ISO-8601 instant. */
  readonly at: string;
  /** Who did it (`$USER` of the operator, or `agentctl`). */
  readonly actor: string;
  readonly reason?: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

/** Audit records are kept for a year. */
const AUDIT_RETENTION_MS = 365 * 86_400_000;

/** The audit trail (`AUDIT#<at>#<id>`): append-only, one item per decision. */
export class AuditRepository {
  constructor(private readonly ctx: TableContext) {}

  /** Appends a record; appending the same `auditId` at the same instant again is a no-op. */
  async append(
    tenantId: string,
    record: AuditRecord | DecisionAuditRecord | OperatorAuditRecord,
  ): Promise<void> {
    try {
      await this.ctx.doc.send(
        new PutCommand({
          TableName: this.ctx.tableName,
          Item: {
            ...keys.audit(tenantId, record.at, record.auditId),
            entity: 'audit',
            tenantId,
            ttl: ttlAfter(new Date(record.at), AUDIT_RETENTION_MS),
            ...record,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  /** Lists a tenant's policy-violation records at or after `since`, oldest first. */
  async listSince(tenantId: string, since: Date): Promise<AuditRecord[]> {
    return (await this.itemsSince(tenantId, since))
      .filter((item) => item['kind'] === undefined || item['kind'] === 'policy_violation')
      .map((item) => withoutStorageAttributes<AuditRecord>(item));
  }

  /** Lists a tenant's rollout decisions at or after `since`, oldest first. */
  async listDecisionsSince(tenantId: string, since: Date): Promise<DecisionAuditRecord[]> {
    return (await this.itemsSince(tenantId, since))
      .filter((item) => item['kind'] === 'rollout_decision')
      .map((item) => withoutStorageAttributes<DecisionAuditRecord>(item));
  }

  /** Lists a tenant's operator records of `kind` at or after `since`, oldest first. */
  async listOperatorRecords(
    tenantId: string,
    kind: OperatorAuditRecord['kind'],
    since: Date,
  ): Promise<OperatorAuditRecord[]> {
    return (await this.itemsSince(tenantId, since))
      .filter((item) => item['kind'] === kind)
      .map((item) => withoutStorageAttributes<OperatorAuditRecord>(item));
  }

  private itemsSince(tenantId: string, since: Date): Promise<Record<string, unknown>[]> {
    return queryTenantRange(
      this.ctx,
      tenantId,
      `${SK_PREFIX.audit}${since.toISOString()}`,
      `${SK_PREFIX.audit}~`,
    );
  }
}
