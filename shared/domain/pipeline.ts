import * as z from '../zod.js';

/** A sales opportunity; the deals engine (later) works stalled ones. */
export const dealSchema = z.object({
  dealId: z.string().check(z.minLength(1)),
  accountId: z.optional(z.string()),
  contactId: z.optional(z.string()),
  name: z.string().check(z.minLength(1)),
  stage: z.enum(['lead', 'qualified', 'proposal', 'negotiation', 'won', 'lost']),
  value: z._default(z.number().check(z.nonnegative()), 0),
});
export type Deal = z.output<typeof dealSchema>;

/** A bid the tenant submitted; followed up until it has an outcome. */
export const bidSchema = z.object({
  bidId: z.string().check(z.minLength(1)),
  accountId: z.optional(z.string()),
  contactId: z.optional(z.string()),
  title: z.string().check(z.minLength(1)),
  status: z.enum(['draft', 'submitted', 'won', 'lost', 'withdrawn']),
  amount: z._default(z.number().check(z.nonnegative()), 0),
});
export type Bid = z.output<typeof bidSchema>;

const CLOSED_DEAL_STAGES = new Set<Deal['stage']>(['won', 'lost']);
const OPEN_BID_STATUSES = new Set<Bid['status']>(['draft', 'submitted']);

/** True while a deal can still move (not won or lost). */
export function isOpenDeal(deal: Pick<Deal, 'stage'>): boolean {
  return !CLOSED_DEAL_STAGES.has(deal.stage);
}

/** True while a bid awaits an outcome. */
export function isOpenBid(bid: Pick<Bid, 'status'>): boolean {
  return OPEN_BID_STATUSES.has(bid.status);
}
