import type { Queryable } from './db';
import { type Workflow, parseRows, workflowRowSchema } from '../domain/records';

/**
 * Takes the target for a workflow, or reports the workflow that holds it. A lock whose holder has
 * finished is taken over in the same statement, so a crash between finishing and releasing cannot
 * block a target for ever.
 */
export async function acquireTarget(
  db: Queryable,
  target: string,
  workflowId: number,
): Promise<{ acquired: true } | { acquired: false; holder: Workflow }> {
  const { rows } = await db.query(
    `INSERT INTO target_locks (target, workflow_id) VALUES ($1, $2)
     ON CONFLICT (target) DO UPDATE SET workflow_id = EXCLUDED.workflow_id, acquired_at = now()
       WHERE target_locks.workflow_id = EXCLUDED.workflow_id
          OR NOT EXISTS (SELECT 1 FROM workflows w WHERE w.id = target_locks.workflow_id
                         AND w.state IN ('planned','running','waiting_gate','waiting_reply'))
     RETURNING workflow_id`,
    [target, workflowId],
  );
  if (rows.length) return { acquired: true };
  const holder = await db.query(
    'SELECT w.* FROM workflows w JOIN target_locks l ON l.workflow_id = w.id WHERE l.target = $1',
    [target],
  );
  return { acquired: false, holder: parseRows(workflowRowSchema, holder.rows)[0]! };
}

export async function releaseTarget(db: Queryable, target: string, workflowId: number): Promise<void> {
  await db.query('DELETE FROM target_locks WHERE target = $1 AND workflow_id = $2', [target, workflowId]);
}

/** The oldest workflow waiting for a target, which runs next once the target is free. */
export async function nextWaitingWorkflow(db: Queryable, target: string): Promise<Workflow | undefined> {
  const { rows } = await db.query(
    `SELECT * FROM workflows WHERE target = $1 AND state = 'planned' AND plan IS NOT NULL ORDER BY id LIMIT 1`,
    [target],
  );
  return parseRows(workflowRowSchema, rows)[0];
}
