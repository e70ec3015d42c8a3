import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LockHeldError, LockNotOwnedError } from '../../shared/errors.js';
import { createTestTable, type TestTable } from '../helpers/local-table.js';

const TTL_MS = 15 * 60_000;

describe('Storage: TenantLockRepository', () => {
  let table: TestTable;

  beforeAll(async () => {
    table = await createTestTable();
  });

  afterAll(async () => {
    await table.dispose();
  });

  it('lets exactly one of 20 concurrent acquirers win', async () => {
    // Prepare
    const owners = Array.from({ length: 20 }, (_, i) => `worker-${i}`);

    // Act
    const results = await Promise.allSettled(
      owners.map((owner) => table.repos.locks.acquire('race', owner, TTL_MS)),
    );

    // Assess
    const winners = results.filter((r) => r.status === 'fulfilled');
    const losers = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(19);
    for (const loser of losers) expect(loser.reason).toBeInstanceOf(LockHeldError);
    const held = await table.repos.locks.current('race');
    expect(held?.owner).toBe((winners[0] as PromiseFulfilledResult<{ owner: string }>).value.owner);
  });

  it('names the current holder and expiry when the lock is held', async () => {
    await table.repos.locks.acquire('held', 'first', TTL_MS);

    const attempt = table.repos.locks.acquire('held', 'second', TTL_MS);

    await expect(attempt).rejects.toMatchObject({
      name: 'LockHeldError',
      holder: 'first',
      expiresAt: new Date(table.clock.now().getTime() + TTL_MS).toISOString(),
    });
  });

  it('refuses a second acquisition by the same owner while the lease runs', async () => {
    await table.repos.locks.acquire('reentry', 'owner', TTL_MS);

    await expect(table.repos.locks.acquire('reentry', 'owner', TTL_MS)).rejects.toBeInstanceOf(
      LockHeldError,
    );
  });

  it('lets another owner take over a lock whose lease has expired, with a higher fence', async () => {
    const first = await table.repos.locks.acquire('stale', 'crashed-worker', TTL_MS);
    table.clock.advance({ ms: TTL_MS });

    const second = await table.repos.locks.acquire('stale', 'next-worker', TTL_MS);

    expect(second.owner).toBe('next-worker');
    expect(second.fence).toBe(first.fence + 1);
    expect((await table.repos.locks.current('stale'))?.owner).toBe('next-worker');
  });

  it('does not let a stale owner release or extend a lock that was taken over', async () => {
    await table.repos.locks.acquire('taken', 'old', TTL_MS);
    table.clock.advance({ ms: TTL_MS + 1 });
    await table.repos.locks.acquire('taken', 'new', TTL_MS);

    await expect(table.repos.locks.release('taken', 'old')).rejects.toBeInstanceOf(
      LockNotOwnedError,
    );
    await expect(table.repos.locks.extend('taken', 'old', TTL_MS)).rejects.toBeInstanceOf(
      LockNotOwnedError,
    );
    expect((await table.repos.locks.current('taken'))?.owner).toBe('new');
  });

  it("records the owner's open phase with the lease renewal and forgets it when another run acquires", async () => {
    await table.repos.locks.acquire('phases', 'run-1', TTL_MS);
    const startedAt = table.clock.now().toISOString();

    await table.repos.locks.extend('phases', 'run-1', TTL_MS, { name: 'act', startedAt });

    expect(await table.repos.locks.openPhase('phases', 'run-1')).toEqual({
      name: 'act',
      startedAt,
    });
    expect(await table.repos.locks.openPhase('phases', 'run-2')).toBeUndefined();
    table.clock.advance({ ms: TTL_MS + 1 });
    await table.repos.locks.acquire('phases', 'run-2', TTL_MS);
    expect(await table.repos.locks.openPhase('phases', 'run-1')).toBeUndefined();
    expect(await table.repos.locks.openPhase('phases', 'run-2')).toBeUndefined();
  });

  it('does not let a non-owner release or extend a held lock', async () => {
    await table.repos.locks.acquire('guarded', 'owner', TTL_MS);

    await expect(table.repos.locks.release('guarded', 'intruder')).rejects.toBeInstanceOf(
      LockNotOwnedError,
    );
    await expect(table.repos.locks.extend('guarded', 'intruder', TTL_MS)).rejects.toMatchObject({
      name: 'LockNotOwnedError',
      message: expect.stringContaining('held by owner'),
    });
    expect((await table.repos.locks.current('guarded'))?.owner).toBe('owner');
  });

  it('lets the owner extend its lease, which keeps others out past the original expiry', async () => {
    const lock = await table.repos.locks.acquire('extended', 'owner', TTL_MS);
    table.clock.advance({ minutes: 10 });

    const extended = await table.repos.locks.extend('extended', 'owner', TTL_MS);
    table.clock.advance({ minutes: 10 });

    expect(extended.expiresAt > lock.expiresAt).toBe(true);
    expect(extended.fence).toBe(lock.fence);
    await expect(table.repos.locks.acquire('extended', 'other', TTL_MS)).rejects.toBeInstanceOf(
      LockHeldError,
    );
  });

  it('does not let the owner extend a lease that has already expired', async () => {
    await table.repos.locks.acquire('lapsed', 'owner', TTL_MS);
    table.clock.advance({ ms: TTL_MS });

    await expect(table.repos.locks.extend('lapsed', 'owner', TTL_MS)).rejects.toMatchObject({
      message: expect.stringContaining('expired'),
    });
  });

  it('lets the owner release, after which anyone can acquire at once', async () => {
    await table.repos.locks.acquire('released', 'owner', TTL_MS);

    await table.repos.locks.release('released', 'owner');

    expect(await table.repos.locks.current('released')).toBeUndefined();
    const next = await table.repos.locks.acquire('released', 'other', TTL_MS);
    expect(next.owner).toBe('other');
    expect(next.fence).toBe(2);
  });

  it('refuses to release a lock nobody holds', async () => {
    await expect(table.repos.locks.release('never-locked', 'owner')).rejects.toMatchObject({
      name: 'LockNotOwnedError',
      message: expect.stringContaining('no lock is held'),
    });
  });

  it('keeps locks of different tenants independent', async () => {
    await table.repos.locks.acquire('tenant-a', 'worker', TTL_MS);

    const other = await table.repos.locks.acquire('tenant-b', 'worker', TTL_MS);

    expect(other.tenantId).toBe('tenant-b');
  });
});
