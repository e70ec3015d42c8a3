import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DailyUsage, TokenUsage } from '../domain/drafting/llm-budget.js';
import { keys } from './keys.js';
import { ttlAfter, type TableContext } from './table-client.js';

const USAGE_RETENTION_MS = 400 * 86_400_000;

/**
 * A tenant's drafting usage per UTC day (`LLMUSAGE#<yyyy-MM-dd>`): tokens, cost in micro-USD and
 * calls, each added with one `ADD` update, so concurrent Acts never lose a count.
 */
export class LlmUsageRepository {
  constructor(private readonly ctx: TableContext) {}

  /** Adds one call's tokens and cost to the day. */
  async add(tenantId: string, day: string, usage: TokenUsage, costUsd: number): Promise<void> {
    await this.ctx.doc.send(
      new UpdateCommand({
        TableName: this.ctx.tableName,
        Key: keys.llmUsage(tenantId, day),
        UpdateExpression:
          'ADD inputTokens :in, outputTokens :out, costMicroUsd :cost, calls :one SET entity = :entity, #ttl = if_not_exists(#ttl, :ttl)',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':in': usage.inputTokens,
          ':out': usage.outputTokens,
          ':cost': Math.round(costUsd * 1_000_000),
          ':one': 1,
          ':entity': 'llm_usage',
          ':ttl': ttlAfter(new Date(`${day}T00:00:00.000Z`), USAGE_RETENTION_MS),
        },
      }),
    );
  }

  /** The day's usage so far (zeros for a day without calls). */
  async get(tenantId: string, day: string): Promise<DailyUsage> {
    const result = await this.ctx.doc.send(
      new GetCommand({ TableName: this.ctx.tableName, Key: keys.llmUsage(tenantId, day) }),
    );
    const item = result.Item ?? {};
    return {
      tokens: Number(item['inputTokens'] ?? 0) + Number(item['outputTokens'] ?? 0),
      costUsd: Number(item['costMicroUsd'] ?? 0) / 1_000_000,
      calls: Number(item['calls'] ?? 0),
    };
  }
}
