import { RunningJobs } from './running-jobs';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('RunningJobs', () => {
  it('is idle at once when nothing runs', async () => {
    await expect(new RunningJobs().idle()).resolves.toBeUndefined();
  });

  it('becomes idle only when the last running job has ended, whether it succeeded or failed', async () => {
    const running = new RunningJobs();
    const first = deferred<string>();
    const second = deferred<string>();
    const processor = running.wrap((job: { n: number }) => (job.n === 1 ? first.promise : second.promise));
    const results = [processor({ n: 1 }), processor({ n: 2 }).catch((error: Error) => error.message)];
    let idle = false;
    const waiting = running.idle().then(() => (idle = true));
    expect(running.size).toBe(2);

    first.resolve('done');
    await results[0];
    expect(idle).toBe(false);
    second.reject(new Error('model call failed'));
    await waiting;

    expect(await Promise.all(results)).toEqual(['done', 'model call failed']);
    expect(running.size).toBe(0);
  });
});
