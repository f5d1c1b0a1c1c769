import { parseRows, type Workflow, workflowRowSchema } from '../domain/records';
import type { WorkflowState } from '../domain/states';
import type { Queryable } from './db';

/** The HTTP API caller (a token's name) that started a workflow; null when it was started in Slack. */
export async function workflowCaller(db: Queryable, id: number): Promise<string | null | undefined> {
  const { rows } = await db.query<{ api_caller: string | null }>('SELECT api_caller FROM workflows WHERE id = $1', [
    id,
  ]);
  return rows[0]?.api_caller;
}

/**
 * A page of the workflows `caller` started, newest first: those with an id below `before` (the
 * previous page's cursor) and, with `states`, only in those states.
 */
export async function listCallerWorkflows(
  db: Queryable,
  q: { caller: string; states?: readonly WorkflowState[]; before?: number; limit: number },
): Promise<Workflow[]> {
  const { rows } = await db.query(
    `SELECT * FROM workflows
     WHERE api_caller = $1 AND ($2::text[] IS NULL OR state = ANY($2)) AND ($3::bigint IS NULL OR id < $3)
     ORDER BY id DESC LIMIT $4`,
    [q.caller, q.states ?? null, q.before ?? null, q.limit],
  );
  return parseRows(workflowRowSchema, rows);
}
