import type { Queryable } from '../store/db';
import type { Digest } from '../views/digest-message';
import { eventCountBetween, failuresBetween, waitingGates } from './digest-data';
import { computeMetrics } from './metric-queries';

/** Days of the metrics in the digest, compared with the same number of days before. */
export const DIGEST_METRIC_DAYS = 7;

/** Gathers one digest: metrics of the last week and the week before, waiting gates, failures since `since`. */
export async function buildDigest(
  db: Queryable,
  q: { now: Date; timeZone: string; day: string; since: Date },
): Promise<Digest> {
  const window = { now: q.now, timeZone: q.timeZone, days: DIGEST_METRIC_DAYS };
  const [current, previous, waiting, failures, events] = await Promise.all([
    computeMetrics(db, window),
    computeMetrics(db, { ...window, back: 1 }),
    waitingGates(db),
    failuresBetween(db, q.since, q.now),
    eventCountBetween(db, q.since, q.now),
  ]);
  return {
    day: q.day,
    timeZone: q.timeZone,
    now: q.now,
    current,
    previous,
    waiting,
    failures,
    quiet: events === 0 && waiting.length === 0,
  };
}
