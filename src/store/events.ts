import type { EventType } from '../domain/events';
import type { Queryable } from './db';
import { type EventRow, eventRowSchema, parseRows } from '../domain/records';

/**
 * Appends an event row; call it in the same transaction as the state change it records. The row's
 * `caller` is the HTTP API caller of its workflow (null for a workflow started in Slack).
 */
export async function recordEvent(
  db: Queryable,
  workflowId: number | null,
  type: EventType,
  actor: string | null,
  data: Record<string, unknown> = {},
): Promise<void> {
  await db.query(
    `INSERT INTO events (workflow_id, type, actor, data, caller)
     VALUES ($1, $2, $3, $4, (SELECT api_caller FROM workflows WHERE id = $1))`,
    [workflowId, type, actor, JSON.stringify(data)],
  );
}

export async function listEvents(db: Queryable, workflowId: number): Promise<EventRow[]> {
  const { rows } = await db.query('SELECT * FROM events WHERE workflow_id = $1 ORDER BY id', [workflowId]);
  return parseRows(eventRowSchema, rows);
}

/** Thread replies kept as comments, oldest first, for the next agent to read. */
export async function listComments(db: Queryable, workflowId: number): Promise<Array<{ user: string; text: string }>> {
  const { rows } = await db.query<{ actor: string; data: { text: string } }>(
    "SELECT actor, data FROM events WHERE workflow_id = $1 AND type = 'thread_comment' ORDER BY id",
    [workflowId],
  );
  return rows.map((r) => ({ user: r.actor, text: String(r.data.text) }));
}
