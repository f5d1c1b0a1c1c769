import { GATE_TRANSITIONS, type GateState, sourcesOf } from '../domain/states';
import { InvalidTransitionError } from '../domain/errors';
import type { Queryable } from './db';
import { recordEvent } from './events';
import { type Check, type Gate, type ShownMigration, gateRowSchema, parseRows } from '../domain/records';
import type { GateKind } from '../domain/gate-kinds';

/** Opens the gate of a step; a second call returns the existing gate (at-least-once jobs). */
export async function openGate(
  db: Queryable,
  g: {
    workflowId: number;
    stepId: number;
    /** The step's attempt: each attempt has its own gate. */
    attempt?: number;
    kind: GateKind;
    merges: boolean;
    checks: Check[];
    approvalsNeeded?: number;
    migrations?: ShownMigration[];
  },
): Promise<Gate> {
  const inserted = await db.query(
    `INSERT INTO gates (workflow_id, step_id, kind, merges, checks, approvals_needed, migrations, attempt)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (step_id, attempt) DO NOTHING RETURNING *`,
    [
      g.workflowId,
      g.stepId,
      g.kind,
      g.merges,
      JSON.stringify(g.checks),
      g.approvalsNeeded ?? 1,
      JSON.stringify(g.migrations ?? []),
      g.attempt ?? 1,
    ],
  );
  if (inserted.rows.length) {
    await recordEvent(db, g.workflowId, 'gate_opened', null, { gate_id: inserted.rows[0].id, kind: g.kind });
    return gateRowSchema.parse(inserted.rows[0]);
  }
  const { rows } = await db.query('SELECT * FROM gates WHERE step_id = $1 AND attempt = $2', [
    g.stepId,
    g.attempt ?? 1,
  ]);
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

/**
 * An approval of a gate that needs several: recorded when it is not the last one needed and the
 * person has not approved yet. Returns the gate with the approval added, or undefined.
 */
export async function addPartialApproval(
  db: Queryable,
  id: number,
  actor: string,
  eventData: Record<string, unknown> = {},
): Promise<Gate | undefined> {
  const { rows } = await db.query(
    `UPDATE gates SET approvals = array_append(approvals, $2)
     WHERE id = $1 AND state = 'open' AND NOT ($2 = ANY(approvals)) AND cardinality(approvals) + 1 < approvals_needed RETURNING *`,
    [id, actor],
  );
  const gate = parseRows(gateRowSchema, rows)[0];
  if (gate)
    await recordEvent(db, gate.workflow_id, 'gate_partially_approved', actor, {
      gate_id: id,
      approvals: gate.approvals.length,
      needed: gate.approvals_needed,
      ...eventData,
    });
  return gate;
}

/** The states a gate may move to `to` from ({@link GATE_TRANSITIONS}); refuses a `to` that none may reach. */
function decidableFrom(id: number, to: GateState): GateState[] {
  const from = sourcesOf(GATE_TRANSITIONS, to);
  if (!from.length) throw new InvalidTransitionError('gate', id, [], to);
  return from;
}

/**
 * One conditional UPDATE: of two clicks, exactly one gets the row back. An approval completes the
 * gate only when it is the last one needed and from someone who has not approved it yet.
 */
export async function decideGate(
  db: Queryable,
  id: number,
  to: Exclude<GateState, 'open'>,
  actor: string,
  eventData: Record<string, unknown> = {},
): Promise<Gate | undefined> {
  const { rows } = await db.query(
    `UPDATE gates SET state = $2, decided_by = $3, decided_at = now(),
       approvals = CASE WHEN $2 = 'approved' THEN array_append(approvals, $3) ELSE approvals END
     WHERE id = $1 AND state = ANY($4)
       AND ($2 <> 'approved' OR (NOT ($3 = ANY(approvals)) AND cardinality(approvals) + 1 >= approvals_needed)) RETURNING *`,
    [id, to, actor, decidableFrom(id, to)],
  );
  const gate = parseRows(gateRowSchema, rows)[0];
  if (gate)
    await recordEvent(db, gate.workflow_id, `gate_${to}`, actor, { gate_id: id, kind: gate.kind, ...eventData });
  return gate;
}

/** Closes every open gate of a workflow that stopped another way (cancel, failure). */
export async function expireOpenGates(db: Queryable, workflowId: number, actor: string | null): Promise<Gate[]> {
  const { rows } = await db.query(
    `UPDATE gates SET state = 'expired', decided_by = $2, decided_at = now() WHERE workflow_id = $1 AND state = ANY($3) RETURNING *`,
    [workflowId, actor, sourcesOf(GATE_TRANSITIONS, 'expired')],
  );
  return parseRows(gateRowSchema, rows);
}

/** Records an approver's Override of an open gate's failed checks, once per person; the reason comes later. */
export async function addOverride(db: Queryable, id: number, actor: string): Promise<Gate | undefined> {
  const { rows } = await db.query(
    `UPDATE gates SET overrides = overrides || jsonb_build_array(jsonb_build_object('user', $2::text, 'at', to_jsonb(now())))
     WHERE id = $1 AND state = 'open' AND NOT overrides @> jsonb_build_array(jsonb_build_object('user', $2::text)) RETURNING *`,
    [id, actor],
  );
  return parseRows(gateRowSchema, rows)[0];
}

/** Sets the reason of an approver's Override that has none yet; undefined when there is no such Override. */
export async function setOverrideReason(
  db: Queryable,
  id: number,
  actor: string,
  reason: string,
): Promise<Gate | undefined> {
  const { rows } = await db.query(
    `UPDATE gates SET overrides = (
       SELECT jsonb_agg(CASE WHEN o->>'user' = $2 AND NOT o ? 'reason' THEN o || jsonb_build_object('reason', $3::text)
                             ELSE o END ORDER BY i)
         FROM jsonb_array_elements(overrides) WITH ORDINALITY AS t(o, i))
     WHERE id = $1 AND state = 'open'
       AND EXISTS (SELECT 1 FROM jsonb_array_elements(overrides) AS o WHERE o->>'user' = $2 AND NOT o ? 'reason') RETURNING *`,
    [id, actor, reason],
  );
  return parseRows(gateRowSchema, rows)[0];
}

/**
 * Approves an open gate by Override: one conditional UPDATE that succeeds only when `needed` different
 * approvers have overridden it with a reason; they become its approvals, in the order they clicked.
 */
export async function approveByOverride(
  db: Queryable,
  id: number,
  actor: string,
  needed: number,
): Promise<Gate | undefined> {
  const { rows } = await db.query(
    `UPDATE gates SET state = 'approved', decided_by = $2, decided_at = now(),
       approvals = ARRAY(SELECT o->>'user' FROM jsonb_array_elements(overrides) WITH ORDINALITY AS t(o, i) WHERE o ? 'reason' ORDER BY i)
     WHERE id = $1 AND state = ANY($4)
       AND (SELECT count(DISTINCT o->>'user') FROM jsonb_array_elements(overrides) AS o WHERE o ? 'reason') >= $3 RETURNING *`,
    [id, actor, needed, decidableFrom(id, 'approved')],
  );
  return parseRows(gateRowSchema, rows)[0];
}

/**
 * Sends an open gate back with the approver's reason (Request changes): one conditional UPDATE, so of
 * two replies or a reply and an Approve exactly one decides the gate.
 */
export async function requestChangesOnGate(
  db: Queryable,
  id: number,
  actor: string,
  reason: string,
): Promise<Gate | undefined> {
  const { rows } = await db.query(
    `UPDATE gates SET state = 'changes_requested', decided_by = $2, decided_at = now(), reason = $3
     WHERE id = $1 AND state = ANY($4) RETURNING *`,
    [id, actor, reason, decidableFrom(id, 'changes_requested')],
  );
  const gate = parseRows(gateRowSchema, rows)[0];
  if (gate)
    await recordEvent(db, gate.workflow_id, 'gate_changes_requested', actor, { gate_id: id, kind: gate.kind, reason });
  return gate;
}
