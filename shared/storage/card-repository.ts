import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ValidationError } from '../errors.js';
import type { ActionCard, ProposedAction } from '../domain/actions.js';
import { SK_PREFIX, keys } from './keys.js';
import { cardIdOf } from '../domain/touch.js';
import { batchPutAll, queryTenantPrefix, ttlAfter, type TableContext } from './table-client.js';
import { isConditionalCheckFailed, withoutStorageAttributes } from './items.js';

/** Cards are kept 90 days, then expire through DynamoDB TTL. */
const CARD_RETENTION_MS = 90 * 86_400_000;

/**
 * Action cards of a run (`ACTION#<hourKey>#<nnnn>`). Creating a card is a conditional put (or, for
 * the run's own Plan, a batch of the cards the run does not have yet), so a retried Plan does not
 * duplicate cards. Act writes the run's finished cards once, in a batch ({@link finishAll}); each
 * card's effect is claimed by its own key (see DECISIONS "Act's cards: the effect's key is the
 * claim").
 *
 * Timeline of one card: Plan puts it `planned` → Act executes it and records `done` / `blocked` /
 * `deferred` / `failed` (history shows `executing` between) → terminal states never change again.
 */
export class CardRepository {
  constructor(private readonly ctx: TableContext) {}

  /**
   * Creates the run's cards for `actions` (each one's sequence is its place in the list) as
   * {@link create} does, but with one Query of the run's cards and one `BatchWriteItem` per 25 new
   * cards instead of a conditional put each: cards that already exist (a retried Plan) and repeats
   * of an id within the list are left untouched. Only for the run's own Plan, which holds the
   * tenant lock, so nobody else writes this run's cards meanwhile. Returns how many it created.
   */
  async createAll(
    tenantId: string,
    run: { hourKey: string; runId: string },
    actions: readonly ProposedAction[],
  ): Promise<number> {
    if (actions.length === 0) return 0;
    const existing = await this.listForRun(tenantId, run.hourKey);
    return (await this.createMissing(tenantId, run, actions, existing)).length;
  }

  /**
   * As {@link createAll}, with the run's cards already read (`existing`, e.g. from the day's
   * cards): no Query, one `BatchWriteItem` per 25 new cards. Returns the cards it created.
   */
  async createMissing(
    tenantId: string,
    run: { hourKey: string; runId: string },
    actions: readonly ProposedAction[],
    existing: readonly Pick<ActionCard, 'cardId'>[],
  ): Promise<ActionCard[]> {
    const now = this.ctx.clock.now();
    const known = new Set(existing.map((card) => card.cardId));
    const created: ActionCard[] = [];
    for (const [sequence, action] of actions.entries()) {
      const card = this.newCard(tenantId, run, sequence, action, now);
      if (known.has(card.cardId)) continue;
      known.add(card.cardId);
      created.push(card);
    }
    await batchPutAll(
      this.ctx,
      created.map((card) => this.itemOf(tenantId, card, now)),
    );
    return created;
  }

  /**
   * Creates the run's card for `action` as `planned`, its id derived from the action's content
   * ({@link cardIdOf}); `sequence` is its place in the plan. Returns false when the card already
   * exists (a retried Plan, even one whose proposal list shifted), leaving it untouched.
   */
  async create(
    tenantId: string,
    run: { hourKey: string; runId: string },
    sequence: number,
    action: ProposedAction,
  ): Promise<boolean> {
    const now = this.ctx.clock.now();
    const card = this.newCard(tenantId, run, sequence, action, now);
    try {
      await this.ctx.doc.send(
        new PutCommand({
          TableName: this.ctx.tableName,
          Item: this.itemOf(tenantId, card, now),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /**
   * Writes the cards Act finished (shared/domain/finished-card.ts) with one `BatchWriteItem` per 25 cards,
   * unconditionally. Only for the run's own Act, which holds the tenant lock: nobody else writes
   * this run's cards meanwhile, and every card's effect is idempotent on its own key, so a crash
   * before this write re-drives the still-`planned` cards without repeating an effect.
   */
  async finishAll(tenantId: string, cards: readonly ActionCard[]): Promise<void> {
    await batchPutAll(
      this.ctx,
      cards.map((card) => this.itemOf(tenantId, card, new Date(card.createdAt))),
    );
  }

  private newCard(
    tenantId: string,
    run: { hourKey: string; runId: string },
    sequence: number,
    action: ProposedAction,
    now: Date,
  ): ActionCard {
    return {
      ...action,
      tenantId,
      cardId: cardIdOf(action, now),
      hourKey: run.hourKey,
      sequence,
      runId: run.runId,
      status: 'planned',
      history: [{ status: 'planned', at: now.toISOString() }],
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
  }

  private itemOf(tenantId: string, card: ActionCard, now: Date): Record<string, unknown> {
    return {
      ...keys.action(tenantId, card.hourKey, card.cardId),
      entity: 'action',
      ttl: ttlAfter(now, CARD_RETENTION_MS),
      ...card,
    };
  }

  /** Lists every card of one run in plan order. */
  async listForRun(tenantId: string, hourKey: string): Promise<ActionCard[]> {
    const items = await queryTenantPrefix(this.ctx, tenantId, keys.actionsOfRunPrefix(hourKey), {
      consistentRead: true,
    });
    return items
      .map((item) => withoutStorageAttributes<ActionCard>(item))
      .sort((a, b) => a.sequence - b.sequence || a.cardId.localeCompare(b.cardId));
  }

  /** Lists every card of one UTC day (`yyyyMMdd`, the first 8 digits of an hour key), in key order. */
  async listForDay(tenantId: string, dayKey: string): Promise<ActionCard[]> {
    if (!/^\d{8}$/.test(dayKey))
      throw new ValidationError('dayKey', `expected yyyyMMdd, got ${JSON.stringify(dayKey)}`);
    const items = await queryTenantPrefix(this.ctx, tenantId, `${SK_PREFIX.action}${dayKey}`, {
      consistentRead: true,
    });
    return items.map((item) => withoutStorageAttributes<ActionCard>(item));
  }
}
