/** Thrown to a connection that waited too long for another connection's transaction to end. */
export class LockWaitTimeoutError extends Error {
  constructor(readonly waitedMs: number) {
    super(`waited ${waitedMs} ms for another connection's transaction`);
    this.name = 'LockWaitTimeoutError';
  }
}

interface Waiter {
  owner: object;
  resolve: () => void;
  reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
}

/**
 * Who may use an embedded database's one backend: a connection takes it with its first message and
 * keeps it until the backend is idle again (outside a transaction and after a Sync), so transactions
 * and extended-protocol exchanges of different connections never interleave. Waiters are served in
 * arrival order.
 */
export class TransactionLock {
  private holder: object | undefined;
  private readonly waiters: Waiter[] = [];

  holds(owner: object): boolean {
    return this.holder === owner;
  }

  /** Resolves once `owner` holds the lock; rejects with LockWaitTimeoutError after `waitMs` (none when Infinity). */
  acquire(owner: object, waitMs: number): Promise<void> {
    if (this.holder === owner) return Promise.resolve();
    if (this.holder === undefined) {
      this.holder = owner;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { owner, resolve, reject };
      if (Number.isFinite(waitMs)) {
        waiter.timer = setTimeout(() => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(new LockWaitTimeoutError(waitMs));
        }, waitMs);
      }
      this.waiters.push(waiter);
    });
  }

  /** Hands the lock to the next waiter; a no-op for anyone but the holder. */
  release(owner: object): void {
    if (this.holder !== owner) return;
    const next = this.waiters.shift();
    this.holder = next?.owner;
    if (next) {
      clearTimeout(next.timer);
      next.resolve();
    }
  }

  /** Fails every waiter (the database is going away). */
  failWaiters(error: Error): void {
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
  }
}
