import type { Queryable } from '../store/db';
import type { Digest } from '../views/digest-message';
import { eventCountBetween, failuresBetween, mergesBetween, waitingGates } from './digest-data';
import { computeMetrics, computeToday } from './metric-queries';

/** Days of the metrics in the digest, compared with the same number of days before. */
export const DIGEST_METRIC_DAYS = 7;

/**
 * Gathers one digest: metrics of the last week and the week before, today so far, waiting gates, and
 * what merged and what failed since `since`. `chartEmpty` says the chart had nothing to draw.
 */
export async function buildDigest(
  db: Queryable,
  q: { now: Date; timeZone: string; day: string; since: Date; chartEmpty: boolean },
): Promise<Digest> {
  const window = { now: q.now, timeZone: q.timeZone, days: DIGEST_METRIC_DAYS };
  const [current, previous, today, waiting, merged, failures, events] = await Promise.all([
    computeMetrics(db, window),
    computeMetrics(db, { ...window, back: 1 }),
    computeToday(db, q),
    waitingGates(db),
    mergesBetween(db, q.since, q.now),
    failuresBetween(db, q.since, q.now),
    eventCountBetween(db, q.since, q.now),
  ]);
  return {
    day: q.day,
    timeZone: q.timeZone,
    now: q.now,
    current,
    previous,
    today,
    waiting,
    merged,
    failures,
    chartEmpty: q.chartEmpty,
    quiet: events === 0 && waiting.length === 0,
  };
}
