/** The workflow queue on the real Redis: adds that arrive together share one round trip; ids still dedupe. */
import { randomBytes } from 'node:crypto';
import IORedis from 'ioredis';
import { BullJobQueue } from '../../src/engine/jobs/queues';
import { REDIS_URL } from '../support/harness';

describe('the workflow queue', () => {
  let redis: IORedis;
  let queue: BullJobQueue;
  let prefix: string;
  beforeEach(() => {
    redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
    prefix = `infra-test-${randomBytes(5).toString('hex')}`;
    queue = new BullJobQueue({ connection: redis, prefix, attempts: 3 });
  });
  afterEach(async () => {
    await queue.queue.obliterate({ force: true });
    await queue.close();
    await redis.quit();
  });

  it('adds 60 plan jobs queued at once in fewer round trips than jobs, each with its id and the default options', async () => {
    const bulk = jest.spyOn(queue.queue, 'addBulk');
    await Promise.all(
      Array.from({ length: 60 }, (_, i) => queue.enqueue({ name: 'plan', data: { workflowId: i + 1 } })),
    );

    const jobs = await queue.queue.getJobs(['wait']);
    expect(jobs.map((j) => j.id).sort()).toEqual(Array.from({ length: 60 }, (_, i) => `plan-${i + 1}`).sort());
    expect(jobs.every((j) => j.opts.attempts === 3 && j.opts.removeOnComplete === true)).toBe(true);
    expect(bulk.mock.calls.length).toBeGreaterThan(0);
    expect(bulk.mock.calls.length).toBeLessThan(60);
  });

  it('adds a job queued twice at once only once', async () => {
    await Promise.all([1, 1, 2].map((id) => queue.enqueue({ name: 'plan', data: { workflowId: id } })));
    expect((await queue.queue.getJobs(['wait'])).map((j) => j.id).sort()).toEqual(['plan-1', 'plan-2']);
  });

  it('fails the adds of a batch Redis refuses, and adds later ones', async () => {
    const add = jest.spyOn(queue.queue, 'add').mockRejectedValueOnce(new Error('Redis went away'));
    await expect(queue.enqueue({ name: 'plan', data: { workflowId: 1 } })).rejects.toThrow('Redis went away');
    add.mockRestore();
    await queue.enqueue({ name: 'plan', data: { workflowId: 2 } });
    expect((await queue.queue.getJobs(['wait'])).map((j) => j.id)).toEqual(['plan-2']);
  });
});
