import type { CompensationSpec } from '../domain/compensations';
import type { Queryable } from './db';
import { type Compensation, compensationRowSchema, parseRows } from '../domain/records';

/** Registers how to undo a side effect; the key makes a repeated registration a no-op. */
export async function registerCompensation(
  db: Queryable,
  c: { workflowId: number; stepId: number; key: string } & CompensationSpec,
): Promise<void> {
  await db.query(
    `INSERT INTO compensations (workflow_id, step_id, key, kind, data) VALUES ($1, $2, $3, $4, $5) ON CONFLICT ` +
      `(workflow_id, key) DO NOTHING`,
    [c.workflowId, c.stepId, c.key, c.kind, JSON.stringify(c.data)],
  );
}

/** Compensations still to run, newest first: undo happens in reverse order. */
export async function listPendingCompensations(db: Queryable, workflowId: number): Promise<Compensation[]> {
  const { rows } = await db.query(
    `SELECT * FROM compensations WHERE workflow_id = $1 AND state <> 'done' ORDER BY id DESC`,
    [workflowId],
  );
  return parseRows(compensationRowSchema, rows);
}

export async function finishCompensation(db: Queryable, id: number, error?: string): Promise<void> {
  await db.query(`UPDATE compensations SET state = $2, error = $3 WHERE id = $1`, [
    id,
    error ? 'failed' : 'done',
    error ?? null,
  ]);
}
