import type { WorkflowJob } from '../../domain/jobs';

/** How jobs get into Redis; the engine depends on this, not on BullMQ. */
export interface JobQueue {
  enqueue(job: WorkflowJob, opts?: { dedupeSuffix?: string }): Promise<void>;
}

/** The worker's queue: the reconciler also replaces jobs that failed or vanished. */
export interface DueJobQueue extends JobQueue {
  /**
   * Adds work that Postgres says is due unless its job is under way; a failed or vanished job is
   * replaced (under a new id when the old one failed). True when a job was added.
   */
  enqueueDue(job: WorkflowJob): Promise<boolean>;
}
