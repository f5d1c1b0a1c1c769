import type { Worker } from 'bullmq';

/**
 * Counts the jobs a worker's processor is running, so shutdown can wait for them itself. BullMQ's own
 * `Worker.pause()` waits too, but reconnects its blocking Redis connection once the jobs end, even
 * after the worker was closed: a process stopped during a hung step would then never exit.
 */
export class RunningJobs {
  private count = 0;
  private waiters: Array<() => void> = [];

  /** The processor, counted. */
  wrap<A extends unknown[], R>(processor: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
    return async (...args) => {
      this.count++;
      try {
        return await processor(...args);
      } finally {
        this.count--;
        if (this.count === 0) for (const wake of this.waiters.splice(0)) wake();
      }
    };
  }

  get size(): number {
    return this.count;
  }

  /** Resolves when no job is running. */
  idle(): Promise<void> {
    return this.count === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}

/**
 * Stops taking jobs and lets running ones finish for up to `graceMs`; then closes without waiting, so a
 * job still running (a hung model call) loses its lock and another worker takes it over.
 */
export async function closeWorker(worker: Worker, running: RunningJobs, graceMs: number): Promise<void> {
  // true: do not wait inside BullMQ (see RunningJobs); the wait is ours, and bounded.
  await worker.pause(true);
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, graceMs);
  });
  await Promise.race([running.idle(), grace]);
  clearTimeout(timer);
  await worker.close(true);
}
