import { type ConnectionOptions, Queue, type QueueOptions } from 'bullmq';
import { WORKFLOW_QUEUE, type WorkflowJob } from '../../domain/jobs';
import type { JobQueue } from '../ports/job-queue';

export interface BullJobQueueOptions {
  /** A dedicated ioredis-compatible connection, or options for one. */
  connection: ConnectionOptions;
  /** Redis key prefix; each deployment (and each test) uses its own. Default `infra`. */
  prefix: string;
  /** Attempts for transient errors, with exponential backoff. Default 3. */
  attempts: number;
  /** OpenTelemetry through bullmq-otel: a job carries its trace context to the worker. Unset: none. */
  telemetry?: QueueOptions['telemetry'];
}

/**
 * Deterministic job ids: while a job for the same work is waiting, active or delayed, adding it again
 * is a no-op — which is what makes the reconciler and double clicks safe.
 */
export function jobId(job: WorkflowJob, suffix = ''): string {
  switch (job.name) {
    case 'plan':
      return `plan-${job.data.workflowId}${suffix}`;
    case 'step':
      return `step-${job.data.stepId}-g${job.data.generation}${suffix}`;
    case 'rollback':
      return `rollback-${job.data.workflowId}${suffix}`;
    case 'finish':
      return `finish-${job.data.workflowId}${suffix}`;
    case 'clean-up':
      return `clean-up-${job.data.workflowId}${suffix}`;
  }
}

export class BullJobQueue implements JobQueue {
  readonly queue: Queue;

  constructor(opts: BullJobQueueOptions) {
    this.queue = new Queue(WORKFLOW_QUEUE, {
      connection: opts.connection,
      prefix: opts.prefix,
      telemetry: opts.telemetry,
      defaultJobOptions: {
        attempts: opts.attempts,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: true,
        removeOnFail: { count: 1000 },
      },
    });
  }

  async enqueue(job: WorkflowJob, opts: { dedupeSuffix?: string } = {}): Promise<void> {
    await this.queue.add(job.name, job.data, { jobId: jobId(job, opts.dedupeSuffix) });
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
