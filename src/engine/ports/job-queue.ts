import type { WorkflowJob } from '../../domain/jobs';

/** How jobs get into Redis; the engine depends on this, not on BullMQ. */
export interface JobQueue {
  enqueue(job: WorkflowJob, opts?: { dedupeSuffix?: string }): Promise<void>;
}
