/**
 * A counting semaphore over bytes: work that needs `n` bytes of memory waits until the bytes in
 * use plus `n` fit the budget. One request larger than the whole budget runs, but alone, so a
 * single huge message never deadlocks the queue. Waiters are served in arrival order.
 *
 * @example
 * const budget = new ByteBudget(192 * 1024 * 1024);
 * const release = await budget.acquire(4 * sizeEstimate);
 * try { await work(); } finally { release(); }
 */
export class ByteBudget {
  #inUse = 0;
  #holders = 0;
  readonly #waiting: { bytes: number; grant: () => void }[] = [];

  constructor(readonly limitBytes: number) {
    if (!Number.isFinite(limitBytes) || limitBytes <= 0)
      throw new RangeError(`byte budget must be positive, got ${limitBytes}`);
  }

  /** Bytes currently granted. */
  get inUse(): number {
    return this.#inUse;
  }

  /** Waits until `bytes` fit, takes them, and returns the function that gives them back (once). */
  async acquire(bytes: number): Promise<() => void> {
    const wanted = Math.max(0, Math.ceil(bytes));
    if (this.#waiting.length === 0 && this.#fits(wanted)) this.#take(wanted);
    else await new Promise<void>((grant) => this.#waiting.push({ bytes: wanted, grant }));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inUse -= wanted;
      this.#holders -= 1;
      this.#serve();
    };
  }

  #fits(bytes: number): boolean {
    return this.#holders === 0 || this.#inUse + bytes <= this.limitBytes;
  }

  #take(bytes: number): void {
    this.#inUse += bytes;
    this.#holders += 1;
  }

  #serve(): void {
    while (this.#waiting.length > 0 && this.#fits(this.#waiting[0]!.bytes)) {
      const next = this.#waiting.shift()!;
      this.#take(next.bytes);
      next.grant();
    }
  }
}
