import { parseRows, type Workflow, workflowRowSchema } from '../domain/records';
import type { Queryable } from './db';

/**
 * A `/infra` request in one round trip: records the trigger_id (a replay inserts nothing), the
 * workflow and its `workflow_requested` event in one statement, so the web process answers the
 * command after a single wait on Postgres. Undefined when the trigger_id was seen before.
 */
export async function recordRequest(
  db: Queryable,
  r: { triggerId: string; request: string; requester: string; teamId: string; channelId: string; target: string },
): Promise<Workflow | undefined> {
  const { rows } = await db.query(
    `WITH command AS (
       INSERT INTO slack_commands (trigger_id, user_id, channel_id) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING trigger_id
     ), workflow AS (
       INSERT INTO workflows (request, requester, team_id, channel_id, target)
       SELECT $4, $2, $5, $3, $6 FROM command RETURNING *
     ), event AS (
       INSERT INTO events (workflow_id, type, actor, data)
       SELECT id, 'workflow_requested', $2, $7::jsonb FROM workflow
     )
     SELECT * FROM workflow`,
    [
      r.triggerId,
      r.requester,
      r.channelId,
      r.request,
      r.teamId,
      r.target,
      JSON.stringify({ request: r.request, target: r.target }),
    ],
  );
  return parseRows(workflowRowSchema, rows)[0];
}
