/** Ids a message mentions that may name a tenant's order, deal or bid (best effort). */
export interface EntityReferences {
  readonly orderIds: readonly string[];
  readonly dealIds: readonly string[];
  readonly bidIds: readonly string[];
}

const MAX_PER_KIND = 5;

/**
 * Finds candidate order, deal and bid ids in a subject and body: ids written the way the tenant's
 * records spell them (`ord-1003`, `deal-01`, `bid-01`) and "Order #1003" / "PO 1003" forms, which
 * yield both `ord-1003` and `1003`. Candidates are only links once the caller finds the record, so
 * a guess that names nothing links nothing.
 *
 * @example
 * findEntityReferences('Re: order #1003', ''); // { orderIds: ['ord-1003', '1003'], dealIds: [], bidIds: [] }
 */
export function findEntityReferences(subject: string, text: string): EntityReferences {
  const haystack = `${subject}\n${text}`.slice(0, 20_000);
  const orders = new Set<string>();
  const deals = new Set<string>();
  const bids = new Set<string>();
  for (const match of haystack.matchAll(/\b(ord|deal|bid)-([a-z0-9][a-z0-9-]{0,40})\b/gi)) {
    const kind = (match[1] ?? '').toLowerCase();
    const id = `${kind}-${(match[2] ?? '').toLowerCase()}`;
    (kind === 'ord' ? orders : kind === 'deal' ? deals : bids).add(id);
  }
  for (const match of haystack.matchAll(
    /\b(?:order|po|p\.o\.|purchase order)\s*(?:no\.?|number|#)?\s*:?\s*#?(\d{3,12})\b/gi,
  )) {
    orders.add(`ord-${match[1] ?? ''}`);
    orders.add(match[1] ?? '');
  }
  const cap = (values: Set<string>) =>
    [...values].filter((value) => value !== '').slice(0, MAX_PER_KIND);
  return { orderIds: cap(orders), dealIds: cap(deals), bidIds: cap(bids) };
}
