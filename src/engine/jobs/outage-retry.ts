import { DelayedError, type Job } from 'bullmq';
import { z } from 'zod';
import { isInfrastructureError } from '../../domain/errors';

/** How long jobs wait out Postgres or Redis being unreachable (INFRA_OUTAGE_*). */
export interface OutagePolicy {
  /** How long, from the first infrastructure error, the job keeps waiting instead of counting attempts. */
  toleranceMs: number;
  /** The cap of the backoff between two tries; it starts at 500 ms and doubles. */
  retryMaxMs: number;
}

/** Kept in the job's data while it waits out an outage; the job schemas ignore it. */
const outageSchema = z.object({ since: z.number(), last: z.number(), tries: z.number().int().nonnegative() });
type Outage = z.infer<typeof outageSchema>;

const FIRST_DELAY_MS = 500;

function outageOf(job: Pick<Job, 'data'>, policy: OutagePolicy, now: number): Outage | undefined {
  const parsed = outageSchema.safeParse((job.data as { outage?: unknown } | undefined)?.outage);
  if (!parsed.success) return undefined;
  // Tries far apart belong to different outages: the clock starts again.
  return now - parsed.data.last > 2 * policy.retryMaxMs + 60_000 ? undefined : parsed.data;
}

/**
 * True when `error` says Postgres or Redis is unreachable and the job has been waiting for it for less
 * than the tolerance: the job should be tried again later without using an attempt, and nothing should
 * be recorded as failed.
 */
export function waitsOutOutage(
  policy: OutagePolicy,
  job: Pick<Job, 'data'>,
  error: unknown,
  now = Date.now(),
): boolean {
  if (policy.toleranceMs <= 0 || !isInfrastructureError(error)) return false;
  const outage = outageOf(job, policy, now);
  return !outage || now - outage.since < policy.toleranceMs;
}

/** The pause before the job's next try during an outage: 500 ms, doubling, capped. */
export function outageDelay(policy: OutagePolicy, tries: number): number {
  return Math.min(policy.retryMaxMs, FIRST_DELAY_MS * 2 ** Math.min(tries, 20));
}

/**
 * Puts the job back in the delayed set for its next try, recording the outage in its data, and throws
 * BullMQ's DelayedError so the worker leaves it there (no attempt is counted). Needs Redis: while Redis
 * itself is down this waits for it (the connection retries), or the job's lock lapses and the stalled
 * check, or else the reconciler, brings it back.
 */
export async function delayForOutage(
  job: Pick<Job, 'data' | 'updateData' | 'moveToDelayed'>,
  token: string,
  policy: OutagePolicy,
  now = Date.now(),
): Promise<never> {
  const before = outageOf(job, policy, now);
  const outage: Outage = { since: before?.since ?? now, last: now, tries: (before?.tries ?? -1) + 1 };
  await job.updateData({ ...(job.data as object), outage });
  await job.moveToDelayed(now + outageDelay(policy, outage.tries), token);
  throw new DelayedError();
}
