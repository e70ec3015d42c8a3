import { describe, expect, it } from 'vitest';
import { foldKeepsTenantBusy } from '../../../shared/domain/wake.js';

describe('Domain: whether a fold keeps the tenant busy', () => {
  it('lets a tenant rest after a fold of settled sends and replies without requests', () => {
    expect(
      foldKeepsTenantBusy({
        folded: 4,
        byKind: { send_result: 3, inbound_message: 1 },
        sendsByStatus: { sent: 1, dry_run: 1, suppressed: 1 },
        requests: [],
      }),
    ).toBe(false);
  });

  it('keeps the tenant busy when a folded reply carries a request for the next Plan', () => {
    expect(
      foldKeepsTenantBusy({
        folded: 1,
        byKind: { inbound_message: 1 },
        sendsByStatus: {},
        requests: [{ messageId: 'm1', text: 'please call me' }],
      }),
    ).toBe(true);
  });

  it.each(['failed', 'deferred', 'blocked', 'unknown'])(
    'keeps the tenant busy when a folded send ended %s',
    (status) => {
      expect(
        foldKeepsTenantBusy({
          folded: 2,
          byKind: { send_result: 2 },
          sendsByStatus: { sent: 1, [status]: 1 },
          requests: [],
        }),
      ).toBe(true);
    },
  );

  it('keeps the tenant busy for an order update, which React only records', () => {
    expect(
      foldKeepsTenantBusy({
        folded: 1,
        byKind: { order_update: 1 },
        sendsByStatus: {},
        requests: [],
      }),
    ).toBe(true);
  });

  it('treats a fold recorded without its breakdown as busy, and no fold as not', () => {
    expect(foldKeepsTenantBusy({ folded: 1 })).toBe(true);
    expect(foldKeepsTenantBusy({ folded: 0, byKind: {}, sendsByStatus: {}, requests: [] })).toBe(
      false,
    );
    expect(foldKeepsTenantBusy(undefined)).toBe(false);
  });
});
