import { LockWaitTimeoutError, TransactionLock } from './transaction-lock';

describe('the transaction lock of an embedded database', () => {
  it('serves waiters in the order they came, and lets the holder acquire again without waiting', async () => {
    const lock = new TransactionLock();
    const [a, b, c] = [{}, {}, {}];
    const order: string[] = [];
    await lock.acquire(a, 1000);
    await lock.acquire(a, 1000);
    const waitB = lock.acquire(b, 1000).then(() => order.push('b'));
    const waitC = lock.acquire(c, 1000).then(() => order.push('c'));
    lock.release(a);
    await waitB;
    expect(lock.holds(b)).toBe(true);
    lock.release(b);
    await waitC;
    expect(order).toEqual(['b', 'c']);
  });

  it('ignores a release by a connection that does not hold it', async () => {
    const lock = new TransactionLock();
    const [a, b] = [{}, {}];
    await lock.acquire(a, 1000);
    lock.release(b);
    expect(lock.holds(a)).toBe(true);
  });

  it('refuses a waiter after its wait time, and the lock goes on to the next one', async () => {
    const lock = new TransactionLock();
    const [a, b, c] = [{}, {}, {}];
    await lock.acquire(a, 1000);
    const refused = lock.acquire(b, 10);
    const waitC = lock.acquire(c, 10_000);
    await expect(refused).rejects.toBeInstanceOf(LockWaitTimeoutError);
    lock.release(a);
    await waitC;
    expect(lock.holds(c)).toBe(true);
  });

  it('fails every waiter when the database goes away', async () => {
    const lock = new TransactionLock();
    await lock.acquire({}, 1000);
    const waiting = lock.acquire({}, Infinity);
    lock.failWaiters(new Error('dropped'));
    await expect(waiting).rejects.toThrow('dropped');
  });
});
