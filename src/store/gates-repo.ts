import { Queryable } from './db';
import { recordEvent } from './events';
import { Check, Gate, GateState, gateRowSchema, parseRows } from './rows';
import { GateKind } from '../workflow/gate-kinds';

/** Opens the gate of a step; a second call returns the existing gate (at-least-once jobs). */
export async function openGate(db: Queryable, g: { workflowId: number; stepId: number; kind: GateKind; merges: boolean; checks: Check[] }): Promise<Gate> {
  const inserted = await db.query(
    `INSERT INTO gates (workflow_id, step_id, kind, merges, checks) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (step_id) DO NOTHING RETURNING *`,
    [g.workflowId, g.stepId, g.kind, g.merges, JSON.stringify(g.checks)],
  );
  if (inserted.rows.length) {
    await recordEvent(db, g.workflowId, 'gate_opened', null, { gate_id: inserted.rows[0].id, kind: g.kind });
    return gateRowSchema.parse(inserted.rows[0]);
  }
  const { rows } = await db.query('SELECT * FROM gates WHERE step_id = $1', [g.stepId]);
  return gateRowSchema.parse(rows[0]);
}

export async function getGate(db: Queryable, id: number): Promise<Gate | undefined> {
  const { rows } = await db.query('SELECT * FROM gates WHERE id = $1', [id]);
  return parseRows(gateRowSchema, rows)[0];
}

export async function listGates(db: Queryable, workflowId: number): Promise<Gate[]> {
  const { rows } = await db.query('SELECT * FROM gates WHERE workflow_id = $1 ORDER BY id', [workflowId]);
  return parseRows(gateRowSchema, rows);
}

/** One conditional UPDATE: of two clicks, exactly one gets the row back. */
export async function decideGate(db: Queryable, id: number, to: Exclude<GateState, 'open'>, actor: string): Promise<Gate | undefined> {
  const { rows } = await db.query(
    `UPDATE gates SET state = $2, decided_by = $3, decided_at = now() WHERE id = $1 AND state = 'open' RETURNING *`,
    [id, to, actor],
  );
  const gate = parseRows(gateRowSchema, rows)[0];
  if (gate) await recordEvent(db, gate.workflow_id, `gate_${to}`, actor, { gate_id: id, kind: gate.kind });
  return gate;
}

/** Closes every open gate of a workflow that stopped another way (cancel, failure). */
export async function expireOpenGates(db: Queryable, workflowId: number, actor: string | null): Promise<Gate[]> {
  const { rows } = await db.query(
    `UPDATE gates SET state = 'expired', decided_by = $2, decided_at = now() WHERE workflow_id = $1 AND state = 'open' RETURNING *`,
    [workflowId, actor],
  );
  return parseRows(gateRowSchema, rows);
}
