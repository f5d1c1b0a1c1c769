import { type ConnectionOptions, Queue, type QueueOptions } from 'bullmq';
import { WORKFLOW_QUEUE, type WorkflowJob } from '../../domain/jobs';
import type { DueJobQueue } from '../ports/job-queue';
import { groupCommit } from '../../domain/group-commit';

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

/** Job states in which the work is already under way, so the reconciler adds nothing. */
const UNDER_WAY = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

/** Jobs one `addBulk` carries at most. */
const ADD_BATCH_LIMIT = 100;

interface Add {
  name: string;
  data: WorkflowJob['data'];
  opts: { jobId: string };
}

export class BullJobQueue implements DueJobQueue {
  readonly queue: Queue;
  private readonly telemetry: boolean;
  /** Adds that arrive together share one round trip ({@link groupCommit}). */
  private readonly add: (add: Add) => Promise<unknown>;

  constructor(opts: BullJobQueueOptions, onError: (error: Error) => void = () => undefined) {
    this.telemetry = opts.telemetry !== undefined;
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
    // A Queue re-emits its connection's errors; without a listener, Redis going away would crash the process.
    this.queue.on('error', onError);
    this.add = groupCommit(
      (batch: Add[]) =>
        batch.length === 1
          ? this.queue.add(batch[0]!.name, batch[0]!.data, batch[0]!.opts).then((job) => [job])
          : this.queue.addBulk(batch),
      ADD_BATCH_LIMIT,
    );
  }

  /**
   * Adds the job. Jobs queued while an add is in flight go together in the next one (`addBulk`: one
   * round trip to Redis), so a burst of /infra requests costs the web role a few writes, not one each.
   * With telemetry each job is added on its own, in its own trace context.
   */
  async enqueue(job: WorkflowJob, opts: { dedupeSuffix?: string } = {}): Promise<void> {
    const add = { name: job.name, data: job.data, opts: { jobId: jobId(job, opts.dedupeSuffix) } };
    await (this.telemetry ? this.queue.add(add.name, add.data, add.opts) : this.add(add));
  }

  /**
   * For the reconciler: work Postgres says is due. Nothing when its job is waiting, active or delayed;
   * the same id again when the job is gone (completed and removed, or its Redis keys lost); the next
   * generation `<id>-r<n>` when it failed (BullMQ keeps a failed job and ignores an add of its id).
   * Two reconcilers at once compute the same generation, so the add is still deduplicated.
   */
  async enqueueDue(job: WorkflowJob): Promise<boolean> {
    const base = jobId(job);
    const redis = await this.queue.getBackend().client;
    const generations = this.queue.toKey('generations');
    const generation = Number((await redis.hget(generations, base)) ?? 0);
    const current = generation ? `${base}-r${generation}` : base;
    const state = await this.queue.getJobState(current);
    if (UNDER_WAY.has(state)) return false;
    if (state === 'unknown') {
      await this.queue.add(job.name, job.data, { jobId: current });
      return true;
    }
    await this.queue.add(job.name, job.data, { jobId: `${base}-r${generation + 1}` });
    await redis.hset(generations, { [base]: String(generation + 1) });
    return true;
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
