import type { EventType } from '../domain/events';
import { forbiddenSources, WORKFLOW_TRANSITIONS } from '../domain/states';
import { InvalidTransitionError } from '../domain/errors';
import type { Queryable } from './db';
import { recordEvent } from './events';
import { queueCallback } from './callback-outbox-repo';
import { type Workflow, parseRows, workflowRowSchema } from '../domain/records';
import { ACTIVE_WORKFLOW_STATES, type WorkflowState } from '../domain/states';
import type { Plan } from '../domain/plan';

export interface NewWorkflow {
  request: string;
  requester: string;
  teamId: string;
  channelId: string;
  target: string;
  /** The HTTP API token's name when the API started it; copied onto every event of the workflow. */
  apiCaller?: string;
  /** Where the workflow's state changes are POSTed (the API's `callback_url`, checked by the caller). */
  callbackUrl?: string;
  /** The thread it lives in when an @mention started it (the mention's thread); unset for `/infra`. */
  rootTs?: string;
}

export async function insertWorkflow(db: Queryable, w: NewWorkflow): Promise<Workflow> {
  const { rows } = await db.query(
    `INSERT INTO workflows (request, requester, team_id, channel_id, target, api_caller, callback_url, root_ts)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
    [
      w.request,
      w.requester,
      w.teamId,
      w.channelId,
      w.target,
      w.apiCaller ?? null,
      w.callbackUrl ?? null,
      w.rootTs ?? null,
    ],
  );
  const workflow = parseRows(workflowRowSchema, rows)[0]!;
  await recordEvent(db, workflow.id, 'workflow_requested', w.requester, { request: w.request, target: w.target });
  return workflow;
}

export async function getWorkflow(db: Queryable, id: number): Promise<Workflow | undefined> {
  const { rows } = await db.query('SELECT * FROM workflows WHERE id = $1', [id]);
  return parseRows(workflowRowSchema, rows)[0];
}

export async function findWorkflowByThread(
  db: Queryable,
  channelId: string,
  rootTs: string,
): Promise<Workflow | undefined> {
  const { rows } = await db.query('SELECT * FROM workflows WHERE channel_id = $1 AND root_ts = $2', [
    channelId,
    rootTs,
  ]);
  return parseRows(workflowRowSchema, rows)[0];
}

/** Active workflows, oldest first; with `channelId`, only those requested in that channel. */
export async function listActiveWorkflows(
  db: Queryable,
  opts: { channelId?: string; limit?: number } = {},
): Promise<Workflow[]> {
  const { rows } = await db.query(
    'SELECT * FROM workflows WHERE state = ANY($1) AND ($2::text IS NULL OR channel_id = $2) ORDER BY id LIMIT $3',
    [ACTIVE_WORKFLOW_STATES, opts.channelId ?? null, opts.limit ?? 50],
  );
  return parseRows(workflowRowSchema, rows);
}

export async function setPlan(db: Queryable, id: number, plan: Plan, reason: string): Promise<void> {
  await db.query(
    'UPDATE workflows SET kind = $2, plan = $3, routing_reason = $4, updated_at = now() WHERE id = $1 AND plan IS NULL',
    [id, plan.name, JSON.stringify(plan), reason],
  );
}

export async function setRootTs(db: Queryable, id: number, rootTs: string): Promise<void> {
  await db.query('UPDATE workflows SET root_ts = $2, updated_at = now() WHERE id = $1 AND root_ts IS NULL', [
    id,
    rootTs,
  ]);
}

/** The bot's root message when it is a reply in someone else's thread (a workflow started by an @mention). */
export async function setRootMessageTs(db: Queryable, id: number, ts: string): Promise<void> {
  await db.query(
    'UPDATE workflows SET root_message_ts = $2, updated_at = now() WHERE id = $1 AND root_message_ts IS NULL',
    [id, ts],
  );
}

export async function setCurrentStep(db: Queryable, id: number, idx: number): Promise<void> {
  await db.query('UPDATE workflows SET current_step = $2, updated_at = now() WHERE id = $1', [id, idx]);
}

/**
 * The one way a workflow changes state: a conditional UPDATE, so concurrent callers (two approvers,
 * a double click, a job run twice) produce exactly one transition. Returns the row when this caller
 * won, undefined when the workflow was not in an expected state. A workflow with a callback URL gets
 * its outbox row in the same statement batch, so the change and its callback commit together. Throws {@link InvalidTransitionError},
 * before touching the row, when an expected state may not move to `to` ({@link WORKFLOW_TRANSITIONS}).
 */
export async function transitionWorkflow(
  db: Queryable,
  id: number,
  from: readonly WorkflowState[],
  to: WorkflowState,
  event: { type: EventType; actor: string | null; data?: Record<string, unknown>; error?: string },
): Promise<Workflow | undefined> {
  const forbidden = forbiddenSources(WORKFLOW_TRANSITIONS, from, to);
  if (forbidden.length) throw new InvalidTransitionError('workflow', id, forbidden, to);
  const final = !(ACTIVE_WORKFLOW_STATES as readonly string[]).includes(to);
  const { rows } = await db.query(
    `UPDATE workflows SET state = $3, updated_at = now(), error = COALESCE($4, error),
       finished_at = CASE WHEN $5 THEN now() ELSE finished_at END
     WHERE id = $1 AND state = ANY($2) RETURNING *`,
    [id, from, to, event.error ?? null, final],
  );
  const workflow = parseRows(workflowRowSchema, rows)[0];
  if (workflow) {
    await recordEvent(db, id, event.type, event.actor, { from, to, ...event.data });
    await queueCallback(db, workflow, event.type);
  }
  return workflow;
}
