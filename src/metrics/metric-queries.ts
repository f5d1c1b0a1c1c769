import type { Metrics } from '../domain/metrics';
import { z } from 'zod';
import type { Queryable } from '../store/db';

/** Which window of days: the `days` full local days that end at the last local midnight, `back` windows ago. */
export interface MetricWindowQuery {
  now: Date;
  /** IANA time zone whose midnights bound the days (INFRA_DIGEST_TZ). */
  timeZone: string;
  days: number;
  /** 0 for the latest window, 1 for the one before it (the comparison in the digest). */
  back?: number;
}

/** Today so far: from the last local midnight to `now`. */
export interface TodayQuery {
  now: Date;
  timeZone: string;
}

const num = z.coerce.number();
const nullableNum = z.coerce.number().nullable();

const metricsRowSchema = z.object({
  start: z.coerce.date(),
  end: z.coerce.date(),
  tried: num,
  tried_merged: num,
  deployments: num,
  incidents: num,
  recovered: num,
  recovery_ms: nullableNum,
  branches: num,
  lifespan_median_ms: nullableNum,
  lifespan_p90_ms: nullableNum,
  rollbacks: num,
});

/**
 * The window's bounds in SQL: local midnights in the time zone, so a day across a daylight-saving
 * change is 23 or 25 hours long, as the people reading the digest live it. With $5 (today so far) the
 * window is the last local midnight to now.
 */
const WINDOW_CTE = `
  w AS (
    SELECT CASE WHEN $5::boolean THEN d AT TIME ZONE $2
                ELSE (d - make_interval(days => $3::int * ($4::int + 1))) AT TIME ZONE $2 END AS start,
           CASE WHEN $5::boolean THEN $1::timestamptz
                ELSE (d - make_interval(days => $3::int * $4::int)) AT TIME ZONE $2 END AS "end"
    FROM (SELECT date_trunc('day', $1::timestamptz AT TIME ZONE $2) AS d) today
  )`;

/**
 * Production merges are workflows that merged a migration or deployed an Edge Function to production,
 * dated by the first of those. Production changes: merged workflows that succeeded, merges that
 * failed, rollbacks after a merge.
 */
const PRODUCTION_CHANGES_CTE = `
  merged_workflows AS (
    SELECT workflow_id, min(created_at) AS at FROM events WHERE type IN ('migration_merged', 'function_deployed') GROUP BY workflow_id
  ),
  changes AS (
    SELECT e.created_at AS at, wf.target,
           (e.type = 'workflow_succeeded') AS ok
    FROM events e JOIN workflows wf ON wf.id = e.workflow_id
    WHERE (e.type = 'workflow_succeeded' AND e.workflow_id IN (SELECT workflow_id FROM merged_workflows))
       OR e.type = 'merge_failed'
       OR (e.type = 'workflow_rolled_back' AND e.data->>'after' = 'merge')
  )`;

const METRICS_SQL = `
  WITH ${WINDOW_CTE},
  ${PRODUCTION_CHANGES_CTE},
  tried AS (
    SELECT workflow_id, data->>'name' AS name, min(created_at) AS at
    FROM events WHERE type IN ('migration_tested', 'migration_test_failed') GROUP BY workflow_id, data->>'name'
  ),
  migration_success AS (
    SELECT count(*) AS tried,
           count(*) FILTER (WHERE EXISTS (
             SELECT 1 FROM events m WHERE m.type = 'migration_merged' AND m.workflow_id = t.workflow_id
               AND m.data->>'name' = t.name AND m.created_at < w."end")) AS tried_merged
    FROM tried t, w WHERE t.at >= w.start AND t.at < w."end"
  ),
  deployments AS (
    SELECT count(*) AS deployments FROM merged_workflows m, w WHERE m.at >= w.start AND m.at < w."end"
  ),
  incidents AS (
    SELECT c.at, (SELECT min(s.at) FROM changes s WHERE s.ok AND s.target = c.target AND s.at > c.at AND s.at < w."end") AS recovered_at
    FROM changes c, w WHERE NOT c.ok AND c.at >= w.start AND c.at < w."end"
  ),
  recovery AS (
    SELECT count(*) AS incidents, count(recovered_at) AS recovered,
           avg(extract(epoch FROM recovered_at - at) * 1000) AS recovery_ms
    FROM incidents
  ),
  created AS (SELECT workflow_id, min(created_at) AS at FROM events WHERE type = 'branch_created' GROUP BY workflow_id),
  lifespans AS (
    SELECT extract(epoch FROM min(d.created_at) - c.at) * 1000 AS ms, min(d.created_at) AS deleted_at
    FROM created c JOIN events d ON d.workflow_id = c.workflow_id AND d.type = 'branch_deleted' AND d.created_at >= c.at
    GROUP BY c.workflow_id, c.at
  ),
  lifespan AS (
    SELECT count(*) AS branches,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS lifespan_median_ms,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY ms) AS lifespan_p90_ms
    FROM lifespans l, w WHERE l.deleted_at >= w.start AND l.deleted_at < w."end"
  ),
  rollbacks AS (
    SELECT count(*) AS rollbacks FROM events e, w
    WHERE e.type = 'workflow_rolled_back' AND e.data->>'after' = 'merge' AND e.created_at >= w.start AND e.created_at < w."end"
  )
  SELECT w.start, w."end", migration_success.*, deployments.*, recovery.*, lifespan.*, rollbacks.*
  FROM w, migration_success, deployments, recovery, lifespan, rollbacks`;

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);

/** Computes the five metrics of one window from the events table. */
export async function computeMetrics(db: Queryable, q: MetricWindowQuery): Promise<Metrics> {
  const { rows } = await db.query(METRICS_SQL, [q.now, q.timeZone, q.days, q.back ?? 0, false]);
  return metricsOf(metricsRowSchema.parse(rows[0]), q.days);
}

/** The same five metrics over today so far (local midnight to now), counted as one day. */
export async function computeToday(db: Queryable, q: TodayQuery): Promise<Metrics> {
  const { rows } = await db.query(METRICS_SQL, [q.now, q.timeZone, 1, 0, true]);
  return metricsOf(metricsRowSchema.parse(rows[0]), 1);
}

function metricsOf(r: z.infer<typeof metricsRowSchema>, days: number): Metrics {
  return {
    start: r.start,
    end: r.end,
    days,
    migrationSuccess: { tried: r.tried, merged: r.tried_merged, rate: ratio(r.tried_merged, r.tried) },
    deployments: { count: r.deployments, perDay: r.deployments / days, perWeek: (r.deployments * 7) / days },
    recovery: { incidents: r.incidents, recovered: r.recovered, meanMs: r.recovery_ms },
    branchLifespan: { branches: r.branches, medianMs: r.lifespan_median_ms, p90Ms: r.lifespan_p90_ms },
    rollbacks: { count: r.rollbacks, merges: r.deployments, rate: ratio(r.rollbacks, r.deployments) },
  };
}

/** One local day of the chart. */
export interface DailyPoint {
  /** The local date, `YYYY-MM-DD`. */
  day: string;
  deployments: number;
  failures: number;
}

const dailyRowSchema = z.object({ day: z.string(), deployments: num, failures: num });

/**
 * Production merges and failed or rolled-back production changes per local day, for the `days` full
 * days before today; days without any are zero, not missing.
 */
export async function dailySeries(db: Queryable, q: Omit<MetricWindowQuery, 'back'>): Promise<DailyPoint[]> {
  const { rows } = await db.query(
    `WITH ${PRODUCTION_CHANGES_CTE},
     days AS (
       SELECT generate_series(date_trunc('day', $1::timestamptz AT TIME ZONE $2) - make_interval(days => $3::int),
                              date_trunc('day', $1::timestamptz AT TIME ZONE $2) - interval '1 day', interval '1 day') AS d
     )
     SELECT to_char(days.d, 'YYYY-MM-DD') AS day,
            (SELECT count(*) FROM merged_workflows m
              WHERE m.at >= days.d AT TIME ZONE $2 AND m.at < (days.d + interval '1 day') AT TIME ZONE $2) AS deployments,
            (SELECT count(*) FROM changes c
              WHERE NOT c.ok AND c.at >= days.d AT TIME ZONE $2 AND c.at < (days.d + interval '1 day') AT TIME ZONE $2)
              AS failures
     FROM days ORDER BY days.d`,
    [q.now, q.timeZone, q.days],
  );
  return rows.map((row) => dailyRowSchema.parse(row));
}
