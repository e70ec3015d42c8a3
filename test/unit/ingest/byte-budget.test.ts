import { describe, expect, it } from 'vitest';
import { ByteBudget } from '../../../shared/ingest/byte-budget.js';

describe('Domain: ingest byte budget', () => {
  it('lets work in while it fits and makes the next wait until bytes are given back', async () => {
    const budget = new ByteBudget(100);
    const first = await budget.acquire(60);
    let secondIn = false;
    const second = budget.acquire(60).then((release) => {
      secondIn = true;
      return release;
    });

    await Promise.resolve();
    expect(secondIn).toBe(false);
    expect(budget.inUse).toBe(60);

    first();
    (await second)();
    expect(secondIn).toBe(true);
    expect(budget.inUse).toBe(0);
  });

  it('runs one request larger than the whole budget, alone, instead of deadlocking', async () => {
    const budget = new ByteBudget(100);
    const huge = await budget.acquire(500);
    let smallIn = false;
    const small = budget.acquire(1).then((release) => ((smallIn = true), release));

    await Promise.resolve();
    expect(smallIn).toBe(false);
    huge();
    huge(); // a second release gives nothing back twice
    (await small)();
    expect(budget.inUse).toBe(0);
  });

  it('rejects a budget that is not positive', () => {
    expect(() => new ByteBudget(0)).toThrow(RangeError);
  });
});
