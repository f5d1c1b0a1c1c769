import { z } from 'zod';
import type { Queryable } from '../store/db';
import type { ChartData, LeadTime } from './chart-spec';
import { dailySeries } from './metric-queries';

const leadTimeRowSchema = z.object({
  workflow_id: z.coerce.number(),
  merged_at: z.coerce.date(),
  ms: z.coerce.number(),
});

/**
 * Lead times of the workflows first merged to production (a migration merged or an Edge Function
 * deployed) in the `days` full local days before today, in the order they merged. The request is the
 * workflow row's creation, which `/infra` writes with its `workflow_requested` event.
 */
export async function leadTimes(db: Queryable, q: { now: Date; timeZone: string; days: number }): Promise<LeadTime[]> {
  const { rows } = await db.query(
    `WITH bounds AS (
       SELECT (d - make_interval(days => $3::int)) AT TIME ZONE $2 AS start, d AT TIME ZONE $2 AS "end"
       FROM (SELECT date_trunc('day', $1::timestamptz AT TIME ZONE $2) AS d) today
     ),
     merged AS (
       SELECT workflow_id, min(created_at) AS merged_at FROM events
       WHERE type IN ('migration_merged', 'function_deployed') GROUP BY workflow_id
     )
     SELECT m.workflow_id, m.merged_at, extract(epoch FROM m.merged_at - wf.created_at) * 1000 AS ms
     FROM merged m JOIN workflows wf ON wf.id = m.workflow_id, bounds b
     WHERE m.merged_at >= b.start AND m.merged_at < b."end"
     ORDER BY m.merged_at, m.workflow_id`,
    [q.now, q.timeZone, q.days],
  );
  return rows.map((r) => {
    const row = leadTimeRowSchema.parse(r);
    return { workflowId: row.workflow_id, mergedAt: row.merged_at, ms: row.ms };
  });
}

/** Everything the digest's chart draws, for the `days` full local days before today. */
export async function chartData(db: Queryable, q: { now: Date; timeZone: string; days: number }): Promise<ChartData> {
  const [days, leads] = await Promise.all([dailySeries(db, q), leadTimes(db, q)]);
  return { days, leadTimes: leads };
}
