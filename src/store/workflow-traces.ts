import { z } from 'zod';
import type { Queryable } from './db';

/** A malformed value (written by hand) reads as none: the workflow then just has no trace to join. */
const rowSchema = z.object({ trace_parent: z.string().nullable() });

/** The workflow's trace, when tracing has started one for it; undefined for a workflow that is not there. */
export async function workflowTraceParent(db: Queryable, workflowId: number): Promise<string | null | undefined> {
  const { rows } = await db.query('SELECT trace_parent FROM workflows WHERE id = $1', [workflowId]);
  return rows[0] === undefined ? undefined : rowSchema.parse(rows[0]).trace_parent;
}

/**
 * Keeps `traceParent` as the workflow's trace unless it has one already; returns the one kept (the
 * earlier one when two processes started a trace at once), or undefined when the workflow is not there.
 */
export async function claimTraceParent(
  db: Queryable,
  workflowId: number,
  traceParent: string,
): Promise<string | undefined> {
  const { rows } = await db.query(
    'UPDATE workflows SET trace_parent = COALESCE(trace_parent, $2) WHERE id = $1 RETURNING trace_parent',
    [workflowId, traceParent],
  );
  return rows[0] === undefined ? undefined : (rowSchema.parse(rows[0]).trace_parent ?? undefined);
}
