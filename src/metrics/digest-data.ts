import type { Queryable } from '../store/db';
import {
  type Failure,
  type Merge,
  type WaitingGate,
  failureSchema,
  mergeSchema,
  waitingGateSchema,
} from '../domain/metrics';

/** Open gates of workflows waiting at a gate, the longest-waiting first. */
export async function waitingGates(db: Queryable): Promise<WaitingGate[]> {
  const { rows } = await db.query(
    `SELECT g.workflow_id, g.kind, g.merges, g.approvals, g.created_at AS opened_at, w.channel_id, w.root_ts, w.request, w.requester
     FROM gates g JOIN workflows w ON w.id = g.workflow_id
     WHERE g.state = 'open' AND w.state = 'waiting_gate' ORDER BY g.created_at, g.id`,
  );
  return rows.map((r) => waitingGateSchema.parse(r));
}

/** Failures recorded in [from, to), oldest first. */
export async function failuresBetween(db: Queryable, from: Date, to: Date): Promise<Failure[]> {
  const { rows } = await db.query(
    `SELECT e.workflow_id, e.type, e.created_at AS at, w.channel_id, w.root_ts, w.request, w.error
     FROM events e JOIN workflows w ON w.id = e.workflow_id
     WHERE e.type IN ('workflow_failed', 'merge_failed', 'workflow_rolled_back') AND e.created_at >= $1 AND e.created_at < $2
     ORDER BY e.created_at, e.id`,
    [from, to],
  );
  return rows.map((r) => failureSchema.parse(r));
}

/** Workflows whose first production merge (migration merged, Edge Function deployed) is in [from, to). */
export async function mergesBetween(db: Queryable, from: Date, to: Date): Promise<Merge[]> {
  const { rows } = await db.query(
    `SELECT e.workflow_id, min(e.created_at) AS at, w.channel_id, w.root_ts, w.request,
            count(*) FILTER (WHERE e.type = 'migration_merged') AS migrations,
            count(*) FILTER (WHERE e.type = 'function_deployed') AS functions
     FROM events e JOIN workflows w ON w.id = e.workflow_id
     WHERE e.type IN ('migration_merged', 'function_deployed')
     GROUP BY e.workflow_id, w.channel_id, w.root_ts, w.request
     HAVING min(e.created_at) >= $1 AND min(e.created_at) < $2
     ORDER BY min(e.created_at), e.workflow_id`,
    [from, to],
  );
  return rows.map((r) => mergeSchema.parse(r));
}

/** How many events were recorded in [from, to): zero makes a quiet day. */
export async function eventCountBetween(db: Queryable, from: Date, to: Date): Promise<number> {
  const { rows } = await db.query<{ count: string }>(
    'SELECT count(*) FROM events WHERE created_at >= $1 AND created_at < $2',
    [from, to],
  );
  return Number(rows[0]!.count);
}
