import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Outcome } from '../../../shared/domain/outcomes.js';
import { OutcomeRepository } from '../../../shared/storage/outcome-repository.js';
import { TenantWakeRepository } from '../../../shared/storage/tenant-wake-repository.js';
import { createTestTable, type TestTable } from '../../helpers/local-table.js';

const LEASE_MS = 60_000;

function sentTo(contactId: string): Outcome {
  return { kind: 'send_result', email: `${contactId}@client.example`, contactId, status: 'sent' };
}

describe('Storage: dirty mark lease (the sender’s outcomes)', () => {
  let table: TestTable;
  let wake: TenantWakeRepository;

  const updates = () => table.requestCounts.get('UpdateItemCommand') ?? 0;

  beforeAll(async () => {
    table = await createTestTable('2026-01-05T10:00:00.000Z');
    wake = new TenantWakeRepository(table);
  });

  afterAll(async () => {
    await table.dispose();
  });

  it('marks a burst of outcomes with one write, and the mark still keeps every outcome of the burst from being settled over', async () => {
    // Prepare
    const tenantId = 'lease-burst';
    await wake.arm(tenantId, table.clock.now());
    const outcomes = new OutcomeRepository(table, { dirtyLeaseMs: LEASE_MS });
    const before = updates();

    // Act: three outcomes 20 s apart, the last written at +40 s.
    for (const contactId of ['c-1', 'c-2', 'c-3']) {
      await outcomes.append(tenantId, `o-${contactId}`, sentTo(contactId));
      table.clock.advance({ seconds: 20 });
    }
    const lastWrittenAt = new Date(table.clock.now().getTime() - 20_000);

    // Assess: one dirty mark; a cycle whose fold window ended at the last outcome cannot settle,
    // one whose window ended after the lease can.
    expect(updates() - before).toBe(1);
    const startedAt = table.clock.now();
    expect(
      await wake.settle(tenantId, new Date('2026-01-06T10:00:00.000Z'), {
        consumedUntil: lastWrittenAt,
        startedAt,
      }),
    ).toBe(false);
    expect(
      await wake.settle(tenantId, new Date('2026-01-06T10:00:00.000Z'), {
        consumedUntil: new Date(table.clock.now().getTime() + LEASE_MS),
        startedAt,
      }),
    ).toBe(true);
  });

  it('marks again once an outcome is written after the lease ended', async () => {
    // Prepare
    const tenantId = 'lease-expired';
    await wake.arm(tenantId, table.clock.now());
    const outcomes = new OutcomeRepository(table, { dirtyLeaseMs: LEASE_MS });
    await outcomes.append(tenantId, 'o-1', sentTo('c-1'));
    const before = updates();

    // Act
    table.clock.advance({ ms: LEASE_MS + 1 });
    await outcomes.append(tenantId, 'o-2', sentTo('c-2'));

    // Assess
    expect(updates() - before).toBe(1);
  });

  it('keeps a mark through a settings write (arm), so outcomes the lease covered still hold the settle', async () => {
    // Prepare
    const tenantId = 'lease-armed';
    await wake.arm(tenantId, table.clock.now());
    const outcomes = new OutcomeRepository(table, { dirtyLeaseMs: LEASE_MS });
    await outcomes.append(tenantId, 'o-1', sentTo('c-1'));

    // Act: settings change (re-arm), then an outcome the lease covers (no mark of its own).
    table.clock.advance({ seconds: 10 });
    const armedAt = table.clock.now();
    await wake.arm(tenantId, armedAt);
    table.clock.advance({ seconds: 10 });
    const before = updates();
    await outcomes.append(tenantId, 'o-2', sentTo('c-2'));
    const writtenAt = table.clock.now();

    // Assess: a run that began after the arm and folded up to the second outcome's write stays due.
    expect(updates()).toBe(before);
    expect(
      await wake.settle(tenantId, new Date('2026-01-06T10:00:00.000Z'), {
        consumedUntil: writtenAt,
        startedAt: armedAt,
      }),
    ).toBe(false);
  });

  it('marks every append without a lease (ingest, the cycle steps)', async () => {
    // Prepare
    const tenantId = 'no-lease';
    await wake.arm(tenantId, table.clock.now());
    const outcomes = new OutcomeRepository(table);
    const before = updates();

    // Act
    await outcomes.append(tenantId, 'o-1', sentTo('c-1'));
    await outcomes.append(tenantId, 'o-2', sentTo('c-2'));

    // Assess
    expect(updates() - before).toBe(2);
  });
});
