import { BatchGetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { SK_PREFIX, keys } from './keys.js';
import { queryTenantPrefix, type TableContext } from './table-client.js';
import { isConditionalCheckFailed } from './items.js';

export const SUPPRESSION_REASONS = ['hard_bounce', 'complaint', 'unsubscribe', 'manual'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

/** A recipient the tenant must never email again. */
export interface Suppression {
  readonly email: string;
  readonly reason: SuppressionReason;
  readonly at: string;
  readonly source?: string;
}

/** Suppressed recipients (`SUPPRESS#<email>`); the first reason recorded is kept. */
export class SuppressionRepository {
  constructor(private readonly ctx: TableContext) {}

  /** Suppresses an address; returns false when it was already suppressed (the earlier record stays). */
  async add(
    tenantId: string,
    email: string,
    reason: SuppressionReason,
    source?: string,
  ): Promise<boolean> {
    const normalized = email.trim().toLowerCase();
    try {
      await this.ctx.doc.send(
        new PutCommand({
          TableName: this.ctx.tableName,
          Item: {
            ...keys.suppression(tenantId, normalized),
            entity: 'suppression',
            tenantId,
            email: normalized,
            reason,
            at: this.ctx.clock.now().toISOString(),
            ...(source ? { source } : {}),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /** The subset of `emails` that is suppressed, lower-cased. */
  async suppressedAmong(tenantId: string, emails: readonly string[]): Promise<Set<string>> {
    const unique = [...new Set(emails.map((email) => email.trim().toLowerCase()))];
    const suppressed = new Set<string>();
    for (let i = 0; i < unique.length; i += 100) {
      let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = {
        [this.ctx.tableName]: {
          Keys: unique.slice(i, i + 100).map((email) => ({ ...keys.suppression(tenantId, email) })),
        },
      };
      while (request && Object.keys(request).length > 0) {
        const result = await this.ctx.doc.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of result.Responses?.[this.ctx.tableName] ?? [])
          suppressed.add(String(item['email']));
        request = result.UnprocessedKeys as typeof request;
      }
    }
    return suppressed;
  }

  /** Lists every suppression of a tenant. */
  async list(tenantId: string): Promise<Suppression[]> {
    const items = await queryTenantPrefix(this.ctx, tenantId, SK_PREFIX.suppression);
    return items.map((item) => ({
      email: String(item['email']),
      reason: item['reason'] as SuppressionReason,
      at: String(item['at']),
      ...(item['source'] ? { source: String(item['source']) } : {}),
    }));
  }
}
