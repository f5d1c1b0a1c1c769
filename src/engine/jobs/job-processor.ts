import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { InfraError, isRetryable } from '../../domain/errors';
import { cleanUpEnded } from '../clean-up';
import type { EngineDeps } from '../deps';
import { finishWorkflow } from '../finish-workflow';
import {
  WORKFLOW_QUEUE,
  cleanUpJobSchema,
  finishJobSchema,
  planJobSchema,
  rollbackJobSchema,
  stepJobSchema,
} from '../../domain/jobs';
import { planWorkflow } from '../plan/plan-workflow';
import type { BullJobQueueOptions } from './queues';
import { rollbackWorkflow } from '../rollback';
import { runStep } from '../run-step';
import type { RunningJobs } from './running-jobs';
import { type OutagePolicy, delayForOutage, waitsOutOutage } from './outage-retry';

/**
 * Dispatches one job to the engine; job data is validated, a malformed job is not retried. `waitsOut`
 * says whether an error is an outage the job should wait out (then nothing may be recorded as failed).
 */
export async function processJob(
  deps: EngineDeps,
  job: Pick<Job, 'name' | 'data' | 'attemptsMade'>,
  waitsOut: (error: unknown) => boolean = () => false,
): Promise<void> {
  try {
    switch (job.name) {
      case 'plan':
        return await planWorkflow(deps, planJobSchema.parse(job.data).workflowId);
      case 'step':
        return await runStep(deps, stepJobSchema.parse(job.data).stepId, { attemptsMade: job.attemptsMade, waitsOut });
      case 'finish':
        return await finishWorkflow(deps, finishJobSchema.parse(job.data).workflowId, {
          attemptsMade: job.attemptsMade,
        });
      case 'rollback': {
        const data = rollbackJobSchema.parse(job.data);
        return await rollbackWorkflow(deps, data.workflowId, data.actor);
      }
      case 'clean-up':
        return await cleanUpEnded(deps, cleanUpJobSchema.parse(job.data).workflowId);
      default:
        throw new UnrecoverableError(`unknown job ${job.name}`);
    }
  } catch (error) {
    if (error instanceof UnrecoverableError || isRetryable(error)) throw error;
    deps.logger.error({ err: error, job: job.name, data: job.data }, 'job failed');
    // Our own errors say whether another attempt can help; anything else gets BullMQ's retries.
    if (error instanceof InfraError) throw new UnrecoverableError(error.message);
    throw error;
  }
}

export interface WorkflowWorkerOptions extends Pick<BullJobQueueOptions, 'connection' | 'prefix' | 'telemetry'> {
  /** Jobs run at once by this process. Default 4. */
  concurrency: number;
  /** How long a job's lock lasts before another worker may take it over (ms). Default 8000. */
  lockDuration?: number;
  /** How often stalled jobs (their worker died) are looked for (ms). Default 2000. */
  stalledInterval?: number;
  /** How long jobs wait out Postgres or Redis being unreachable. Default 30 min, backoff capped at 30 s. */
  outage?: OutagePolicy;
  /** Counts the running jobs, for a shutdown that waits for them ({@link closeWorker}). */
  running?: RunningJobs;
}

/**
 * A BullMQ worker on the workflow queue. A worker killed mid-step loses its lock; within the lock
 * duration plus one stalled interval a worker (a restarted one checks at start-up) runs the step again.
 * A job that meets Postgres or Redis unreachable is tried again with a capped backoff for as long as
 * the outage policy allows, without using its attempts.
 */
export function startWorkflowWorker(deps: EngineDeps, opts: WorkflowWorkerOptions): Worker {
  const outage = opts.outage ?? { toleranceMs: 30 * 60_000, retryMaxMs: 30_000 };
  const processor = async (job: Job, token?: string): Promise<void> => {
    const waitsOut = (error: unknown) => waitsOutOutage(outage, job, error);
    try {
      return await processJob(deps, job, waitsOut);
    } catch (error) {
      if (!token || !waitsOut(error)) throw error;
      deps.logger.warn(
        { job: job.name, id: job.id, err: (error as Error).message },
        'Postgres or Redis is unreachable; the job waits for it',
      );
      await delayForOutage(job, token, outage);
    }
  };
  const worker = new Worker(WORKFLOW_QUEUE, opts.running ? opts.running.wrap(processor) : processor, {
    connection: opts.connection,
    prefix: opts.prefix,
    telemetry: opts.telemetry,
    concurrency: opts.concurrency,
    lockDuration: opts.lockDuration ?? 8000,
    stalledInterval: opts.stalledInterval ?? 2000,
    maxStalledCount: 3,
  });
  worker.on('failed', (job, err) =>
    deps.logger.warn(
      { job: job?.name, id: job?.id, attempts: job?.attemptsMade, err: err.message },
      'job attempt failed',
    ),
  );
  worker.on('error', (err) => deps.logger.error({ err: err.message }, 'worker error'));
  return worker;
}
