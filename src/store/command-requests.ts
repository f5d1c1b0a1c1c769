import type { Pool } from 'pg';
import { groupCommit } from '../domain/group-commit';
import { parseRows, type Workflow, workflowRowSchema } from '../domain/records';
import type { Queryable } from './db';

/** A `/infra` request as the web role records it. */
export interface CommandRequest {
  triggerId: string;
  request: string;
  requester: string;
  teamId: string;
  channelId: string;
  target: string;
}

/**
 * `/infra` requests in one round trip: records each trigger_id (a replay inserts nothing), its workflow
 * and its `workflow_requested` event in one statement. Returns, in order, each request's workflow, or
 * undefined for a trigger_id seen before (or twice in `requests`: the first one counts).
 */
export async function recordRequests(db: Queryable, requests: CommandRequest[]): Promise<Array<Workflow | undefined>> {
  const column = (pick: (r: CommandRequest) => string) => requests.map(pick);
  const { rows } = await db.query(
    `WITH input AS (
       SELECT DISTINCT ON (trigger_id) * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
         $6::text[]) WITH ORDINALITY AS i(trigger_id, user_id, channel_id, request, team_id, target, n)
       ORDER BY trigger_id, n
     ), command AS (
       INSERT INTO slack_commands (trigger_id, user_id, channel_id)
       SELECT trigger_id, user_id, channel_id FROM input ORDER BY n
       ON CONFLICT DO NOTHING RETURNING trigger_id
     ), workflow AS (
       INSERT INTO workflows (request, requester, team_id, channel_id, target, trigger_id)
       SELECT i.request, i.user_id, i.team_id, i.channel_id, i.target, i.trigger_id
       FROM input i JOIN command c USING (trigger_id) ORDER BY i.n RETURNING *
     ), event AS (
       INSERT INTO events (workflow_id, type, actor, data)
       SELECT id, 'workflow_requested', requester, jsonb_build_object('request', request, 'target', target)
       FROM workflow
     )
     SELECT * FROM workflow`,
    [
      column((r) => r.triggerId),
      column((r) => r.requester),
      column((r) => r.channelId),
      column((r) => r.request),
      column((r) => r.teamId),
      column((r) => r.target),
    ],
  );
  const byTrigger = new Map<string, Workflow>();
  for (const [i, workflow] of parseRows(workflowRowSchema, rows).entries())
    byTrigger.set(String((rows[i] as { trigger_id: unknown }).trigger_id), workflow);
  const seen = new Set<string>();
  return requests.map((r) => {
    if (seen.has(r.triggerId)) return undefined;
    seen.add(r.triggerId);
    return byTrigger.get(r.triggerId);
  });
}

/** Requests one statement carries at most. */
const BATCH_LIMIT = 100;

/**
 * Group commit for `/infra` ({@link groupCommit}): requests that arrive while a statement is in flight
 * go together in the next one, so under load the web role makes one round trip to Postgres (one write,
 * one commit) for many requests instead of one each, and the work of earlier requests sits less in
 * front of later acks; a request alone is recorded at once.
 */
export class RequestRecorder {
  readonly record: (request: CommandRequest) => Promise<Workflow | undefined>;

  constructor(pool: Pool) {
    this.record = groupCommit((batch: CommandRequest[]) => recordRequests(pool, batch), BATCH_LIMIT);
  }
}

const recorders = new WeakMap<Pool, RequestRecorder>();

/** The pool's request recorder (one per pool, so all of a web process's requests share its batches). */
export function requestRecorder(pool: Pool): RequestRecorder {
  let recorder = recorders.get(pool);
  if (!recorder) {
    recorder = new RequestRecorder(pool);
    recorders.set(pool, recorder);
  }
  return recorder;
}
