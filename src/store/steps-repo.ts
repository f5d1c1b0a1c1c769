import { forbiddenSources, sourcesOf, STEP_TRANSITIONS } from '../domain/states';
import { InvalidTransitionError } from '../domain/errors';
import type { Queryable } from './db';
import { recordEvent } from './events';
import { type Check, type Step, parseRows, stepRowSchema } from '../domain/records';
import type { StepState } from '../domain/states';
import type { StepDefinition } from '../domain/plan';
import type { Usage } from '../domain/handoff';

/** Creates the step rows of a plan; safe to call twice. */
export async function insertSteps(db: Queryable, workflowId: number, steps: StepDefinition[]): Promise<void> {
  for (const [idx, step] of steps.entries()) {
    await db.query(
      `INSERT INTO steps (workflow_id, idx, key, agent, title) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (workflow_id, idx) DO NOTHING`,
      [workflowId, idx, step.key, step.agent ?? null, step.title],
    );
  }
}

export async function listSteps(db: Queryable, workflowId: number): Promise<Step[]> {
  const { rows } = await db.query('SELECT * FROM steps WHERE workflow_id = $1 ORDER BY idx', [workflowId]);
  return parseRows(stepRowSchema, rows);
}

export async function getStep(db: Queryable, id: number): Promise<Step | undefined> {
  const { rows } = await db.query('SELECT * FROM steps WHERE id = $1', [id]);
  return parseRows(stepRowSchema, rows)[0];
}

export async function getStepByIndex(db: Queryable, workflowId: number, idx: number): Promise<Step | undefined> {
  const { rows } = await db.query('SELECT * FROM steps WHERE workflow_id = $1 AND idx = $2', [workflowId, idx]);
  return parseRows(stepRowSchema, rows)[0];
}

/**
 * Conditional step transition, like the workflow's; records an event when it happens. Throws
 * {@link InvalidTransitionError} when an expected state may not move to `to` ({@link STEP_TRANSITIONS}).
 */
export async function transitionStep(
  db: Queryable,
  step: Pick<Step, 'id' | 'workflow_id'>,
  from: readonly StepState[],
  to: StepState,
  fields: {
    summary?: string;
    error?: string | null;
    handoff?: unknown;
    checks?: Check[];
    conversation?: unknown;
    countFailure?: boolean;
    usage?: Usage;
  } = {},
): Promise<Step | undefined> {
  const forbidden = forbiddenSources(STEP_TRANSITIONS, from, to);
  if (forbidden.length) throw new InvalidTransitionError('step', step.id, forbidden, to);
  const { rows } = await db.query(
    `UPDATE steps SET state = $3,
       run = CASE WHEN $3 = 'running' AND state <> 'running' THEN run + 1 ELSE run END,
       started_at = CASE WHEN $3 = 'running' THEN COALESCE(started_at, now()) ELSE started_at END,
       finished_at = CASE WHEN $3 IN ('succeeded','failed','skipped','cancelled') THEN now() ELSE NULL END,
       summary = COALESCE($4, summary),
       error = CASE WHEN $5::boolean THEN $6 ELSE error END,
       handoff = COALESCE($7, handoff),
       checks = COALESCE($8, checks),
       conversation = CASE WHEN $9::boolean THEN $10 ELSE conversation END,
       failures = failures + CASE WHEN $11 THEN 1 ELSE 0 END,
       usage = COALESCE($12, usage)
     WHERE id = $1 AND state = ANY($2) RETURNING *`,
    [
      step.id,
      from,
      to,
      fields.summary ?? null,
      fields.error !== undefined,
      fields.error ?? null,
      fields.handoff === undefined ? null : JSON.stringify(fields.handoff),
      fields.checks === undefined ? null : JSON.stringify(fields.checks),
      fields.conversation !== undefined,
      fields.conversation === undefined ? null : JSON.stringify(fields.conversation),
      fields.countFailure ?? false,
      fields.usage === undefined ? null : JSON.stringify(fields.usage),
    ],
  );
  const updated = parseRows(stepRowSchema, rows)[0];
  if (updated)
    await recordEvent(db, step.workflow_id, `step_${to}`, null, {
      step_id: step.id,
      idx: updated.idx,
      agent: updated.agent,
      error: fields.error ?? undefined,
    });
  return updated;
}

/** When a workflow ends: cancels each of its steps that the table lets move to cancelled (the unfinished ones). */
export async function cancelUnfinishedSteps(db: Queryable, workflowId: number): Promise<void> {
  await db.query(
    `UPDATE steps SET state = 'cancelled', finished_at = now() WHERE workflow_id = $1 AND state = ANY($2)`,
    [workflowId, sourcesOf(STEP_TRANSITIONS, 'cancelled')],
  );
}

/** Steps that are due to run: what the reconciler re-enqueues if Redis lost their jobs. */
export async function listDueSteps(db: Queryable): Promise<Step[]> {
  const { rows } = await db.query(
    `SELECT s.* FROM steps s JOIN workflows w ON w.id = s.workflow_id
     WHERE w.state = 'running' AND s.idx = w.current_step AND s.state IN ('pending','running') ORDER BY s.id`,
  );
  return parseRows(stepRowSchema, rows);
}

/** Schedules a new run of a step (resume, retry); the generation is part of the job id. */
export async function bumpGeneration(db: Queryable, stepId: number): Promise<Step> {
  const { rows } = await db.query('UPDATE steps SET generation = generation + 1 WHERE id = $1 RETURNING *', [stepId]);
  return stepRowSchema.parse(rows[0]);
}

/**
 * The step's next attempt after Request changes: succeeded → pending with its attempt counted and a new
 * generation (the job id), in the caller's transaction. Undefined when the step is not succeeded.
 */
export async function startNextAttempt(
  db: Queryable,
  step: Pick<Step, 'id' | 'workflow_id'>,
): Promise<Step | undefined> {
  const moved = await transitionStep(db, step, ['succeeded'], 'pending');
  if (!moved) return undefined;
  const { rows } = await db.query(
    `UPDATE steps SET attempt = attempt + 1, generation = generation + 1, conversation = NULL, started_at = NULL
     WHERE id = $1 RETURNING *`,
    [step.id],
  );
  return stepRowSchema.parse(rows[0]);
}
