import { type Job, Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { z } from 'zod';
import type { Config } from '../../config/config';
import { claimPendingCallbacks, releaseCallback } from '../../store/callback-outbox-repo';
import { type CallbackDeliveryDeps, deliverCallback } from './callback-delivery';

export const CALLBACK_QUEUE = 'callback';
const callbackJobSchema = z.object({ outboxId: z.number().int().positive() });
/** A claimed row still pending after this long is queued again (Redis lost its job). */
const REQUEUE_AFTER_MS = 10 * 60_000;
const REDIS_OPTIONS = { maxRetriesPerRequest: null, enableReadyCheck: true };

/**
 * Delivers the callback outbox (worker role): a relay moves new outbox rows into BullMQ jobs every
 * INFRA_API_CALLBACK_POLL_MS, and a worker POSTs each, retried with exponential backoff from
 * INFRA_API_CALLBACK_BACKOFF_MS up to INFRA_API_CALLBACK_ATTEMPTS times. The workflow never waits for
 * it: its state change only wrote the outbox row. Returns the closers, in order.
 */
export function startCallbackDelivery(
  config: Pick<
    Config,
    | 'REDIS_URL'
    | 'INFRA_QUEUE_PREFIX'
    | 'INFRA_API_CALLBACK_ATTEMPTS'
    | 'INFRA_API_CALLBACK_BACKOFF_MS'
    | 'INFRA_API_CALLBACK_POLL_MS'
  >,
  deps: CallbackDeliveryDeps,
): Array<() => Promise<unknown>> {
  const log = deps.logger;
  const queueRedis = new IORedis(config.REDIS_URL, REDIS_OPTIONS);
  const workerRedis = new IORedis(config.REDIS_URL, REDIS_OPTIONS);
  const prefix = config.INFRA_QUEUE_PREFIX;
  const queue = new Queue(CALLBACK_QUEUE, { connection: queueRedis, prefix });
  const worker = new Worker(
    CALLBACK_QUEUE,
    async (job: Job) => {
      const { outboxId } = callbackJobSchema.parse(job.data);
      return deliverCallback(deps, outboxId, { last: job.attemptsMade + 1 >= (job.opts.attempts ?? 1) });
    },
    { connection: workerRedis, prefix, concurrency: 4 },
  );
  worker.on('failed', (job, err) =>
    log.warn(
      { outboxId: job?.data?.outboxId, attempts: job?.attemptsMade, err: err.message },
      'callback attempt failed',
    ),
  );
  worker.on('error', (err) => log.error({ err: err.message }, 'callback worker error'));

  let relaying: Promise<void> = Promise.resolve();
  const relay = async (): Promise<void> => {
    for (const id of await claimPendingCallbacks(deps.pool, REQUEUE_AFTER_MS)) {
      await queue
        .add(
          'callback',
          { outboxId: id },
          {
            jobId: `callback-${id}`,
            attempts: config.INFRA_API_CALLBACK_ATTEMPTS,
            backoff: { type: 'exponential', delay: config.INFRA_API_CALLBACK_BACKOFF_MS },
            removeOnComplete: true,
            removeOnFail: { count: 1000 },
          },
        )
        .catch(async (err: Error) => {
          log.warn({ err: err.message, outboxId: id }, 'callback not queued; the next pass tries again');
          await releaseCallback(deps.pool, id);
        });
    }
  };
  const timer = setInterval(() => {
    relaying = relaying.then(relay).catch((err: Error) => log.warn({ err: err.message }, 'callback relay pass failed'));
  }, config.INFRA_API_CALLBACK_POLL_MS);
  return [
    async () => {
      clearInterval(timer);
      await relaying;
    },
    () => worker.close(),
    () => queue.close(),
    () => workerRedis.quit(),
    () => queueRedis.quit(),
  ];
}
