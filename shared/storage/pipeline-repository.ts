import {
  bidSchema,
  dealSchema,
  isOpenBid,
  isOpenDeal,
  type Bid,
  type Deal,
} from '../domain/pipeline.js';
import { SK_PREFIX, keys } from './keys.js';
import type { TableContext } from './table-client.js';
import { EntityRepository } from './entity-repository.js';

/** Deals of a tenant. */
export class DealRepository extends EntityRepository<Deal> {
  constructor(ctx: TableContext) {
    super(ctx, {
      entity: 'deal',
      schema: dealSchema,
      skPrefix: SK_PREFIX.deal,
      idOf: (d) => d.dealId,
      key: keys.deal,
    });
  }

  /** Counts the tenant's open deals (every page). */
  async countOpen(tenantId: string): Promise<number> {
    let open = 0;
    for await (const deal of this.all(tenantId)) if (isOpenDeal(deal)) open += 1;
    return open;
  }
}

/** Bids of a tenant. */
export class BidRepository extends EntityRepository<Bid> {
  constructor(ctx: TableContext) {
    super(ctx, {
      entity: 'bid',
      schema: bidSchema,
      skPrefix: SK_PREFIX.bid,
      idOf: (b) => b.bidId,
      key: keys.bid,
    });
  }

  /** Counts the tenant's bids still awaiting an outcome (every page). */
  async countOpen(tenantId: string): Promise<number> {
    let open = 0;
    for await (const bid of this.all(tenantId)) if (isOpenBid(bid)) open += 1;
    return open;
  }
}
