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

/** Dispatches one job to the engine; job data is validated, a malformed job is not retried. */
export async function processJob(deps: EngineDeps, job: Pick<Job, 'name' | 'data' | 'attemptsMade'>): Promise<void> {
  try {
    switch (job.name) {
      case 'plan':
        return await planWorkflow(deps, planJobSchema.parse(job.data).workflowId);
      case 'step':
        return await runStep(deps, stepJobSchema.parse(job.data).stepId, { attemptsMade: job.attemptsMade });
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
  /** How long a job's lock lasts before another worker may take it over (ms). Default 30000. */
  lockDuration?: number;
  /** How often stalled jobs (their worker died) are looked for (ms). Default 30000. */
  stalledInterval?: number;
  /** Counts the running jobs, for a shutdown that waits for them ({@link closeWorker}). */
  running?: RunningJobs;
}

/** A BullMQ worker on the workflow queue. A worker killed mid-step loses its lock; the step runs again elsewhere. */
export function startWorkflowWorker(deps: EngineDeps, opts: WorkflowWorkerOptions): Worker {
  const processor = (job: Job) => processJob(deps, job);
  const worker = new Worker(WORKFLOW_QUEUE, opts.running ? opts.running.wrap(processor) : processor, {
    connection: opts.connection,
    prefix: opts.prefix,
    telemetry: opts.telemetry,
    concurrency: opts.concurrency,
    lockDuration: opts.lockDuration ?? 30_000,
    stalledInterval: opts.stalledInterval ?? 30_000,
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
