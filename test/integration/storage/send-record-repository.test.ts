import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SendRecordRepository } from '../../../shared/storage/send-record-repository.js';
import { createTestTable, type TestTable } from '../../helpers/local-table.js';

describe('Storage: SendRecordRepository', () => {
  let table: TestTable;
  let records: SendRecordRepository;

  beforeAll(async () => {
    table = await createTestTable();
    records = new SendRecordRepository(table);
  });

  afterAll(async () => {
    await table.dispose();
  });

  it('grants a key to exactly one of ten concurrent claims', async () => {
    // Act
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        records.claim(
          'acme',
          { idempotencyKey: 'k-1', to: 'a@b.example' },
          {
            token: `t-${i}`,
            at: table.clock.now(),
            ttlMs: 60_000,
          },
        ),
      ),
    );

    // Assess
    expect(claims.filter((c) => c.applied)).toHaveLength(1);
    const loser = claims.find((c) => !c.applied);
    expect(loser && !loser.applied && loser.existing?.status).toBe('claimed');
  });

  it('keeps a final decision final: no claim, deferral or other decision replaces it', async () => {
    // Prepare
    const subject = { idempotencyKey: 'k-2', to: 'a@b.example' };
    await records.recordDecision('acme', subject, {
      status: 'blocked',
      reason: 'kill_switch',
      at: table.clock.now(),
    });

    // Act
    const claim = await records.claim('acme', subject, {
      token: 't',
      at: table.clock.now(),
      ttlMs: 1,
    });
    const deferral = await records.recordDeferral('acme', subject, {
      reason: 'hourly_cap',
      dueAt: table.clock.now(),
      at: table.clock.now(),
    });

    // Assess
    expect([claim.applied, deferral.applied]).toEqual([false, false]);
    expect(await records.get('acme', 'k-2')).toMatchObject({
      status: 'blocked',
      reason: 'kill_switch',
    });
  });

  it('lets a deferred or released key be claimed again, and counts deferrals', async () => {
    // Prepare
    const subject = { idempotencyKey: 'k-3', to: 'a@b.example' };
    const now = table.clock.now();
    await records.recordDeferral('acme', subject, { reason: 'hourly_cap', dueAt: now, at: now });
    const second = await records.recordDeferral('acme', subject, {
      reason: 'daily_cap',
      dueAt: now,
      at: now,
    });

    // Act
    const claim = await records.claim('acme', subject, { token: 'a', at: now, ttlMs: 60_000 });
    const release = await records.release('acme', 'k-3', 'a', {
      reason: 'provider_retry',
      at: now,
    });
    const again = await records.claim('acme', subject, { token: 'b', at: now, ttlMs: 60_000 });

    // Assess
    expect(second.applied && second.record.deferrals).toBe(2);
    expect([claim.applied, release.applied, again.applied]).toEqual([true, true, true]);
  });

  it('puts only an expired claim in doubt, and only the same claim', async () => {
    // Prepare
    const subject = { idempotencyKey: 'k-4', to: 'a@b.example' };
    const at = table.clock.now();
    await records.claim('acme', subject, { token: 'holder', at, ttlMs: 60_000 });

    // Act
    const early = await records.doubtExpiredClaim(
      'acme',
      'k-4',
      'holder',
      new Date(at.getTime() + 30_000),
      new Date(at.getTime() + 1_800_000),
    );
    const wrongToken = await records.doubtExpiredClaim(
      'acme',
      'k-4',
      'other',
      new Date(at.getTime() + 61_000),
      new Date(at.getTime() + 1_800_000),
    );
    const resolved = await records.doubtExpiredClaim(
      'acme',
      'k-4',
      'holder',
      new Date(at.getTime() + 61_000),
      new Date(at.getTime() + 1_800_000),
    );

    // Assess
    expect([early.applied, wrongToken.applied, resolved.applied]).toEqual([false, false, true]);
    expect(await records.get('acme', 'k-4')).toMatchObject({
      status: 'in_doubt',
      reason: 'claim_expired',
    });
  });
});
