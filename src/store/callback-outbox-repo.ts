import { z } from 'zod';
import type { EventType } from '../domain/events';
import { parseRows, type Workflow } from '../domain/records';
import type { Queryable } from './db';

/** One state change waiting to be POSTed to a workflow's callback URL (007_api_callers_and_callbacks.sql). */
export const callbackRowSchema = z.object({
  id: z.coerce.number().int().positive(),
  workflow_id: z.coerce.number().int().positive(),
  caller: z.string(),
  url: z.string(),
  body: z.record(z.string(), z.unknown()),
  attempts: z.number().int(),
  delivered_at: z.coerce.date().nullable(),
  given_up_at: z.coerce.date().nullable(),
});
export type CallbackRow = z.infer<typeof callbackRowSchema>;

/** The link to a workflow's thread, once its root message is posted. */
export function threadUrl(channelId: string, rootTs: string | null): string | null {
  return rootTs ? `https://slack.com/archives/${channelId}/p${rootTs.replace('.', '')}` : null;
}

/**
 * Writes the outbox row of a state change when the workflow has a callback URL; a no-op otherwise.
 * Call it with the connection of the transition, so the change and its callback commit together.
 */
export async function queueCallback(db: Queryable, workflow: Workflow, event: EventType): Promise<void> {
  const body = {
    type: 'workflow.state_changed',
    workflow_id: workflow.id,
    state: workflow.state,
    event,
    at: workflow.updated_at.toISOString(),
    thread_url: threadUrl(workflow.channel_id, workflow.root_ts),
  };
  await db.query(
    `INSERT INTO callback_outbox (workflow_id, caller, url, body)
     SELECT id, api_caller, callback_url, $2 FROM workflows
     WHERE id = $1 AND callback_url IS NOT NULL AND api_caller IS NOT NULL`,
    [workflow.id, JSON.stringify(body)],
  );
}

/**
 * Pending callbacks to hand to the queue: never queued, or queued longer ago than `requeueAfterMs`
 * without an outcome (Redis lost the job). Marks them queued now; the job id keeps a repeat harmless.
 */
export async function claimPendingCallbacks(db: Queryable, requeueAfterMs: number, limit = 100): Promise<number[]> {
  const { rows } = await db.query<{ id: string }>(
    `UPDATE callback_outbox SET enqueued_at = now()
     WHERE id IN (
       SELECT id FROM callback_outbox
       WHERE delivered_at IS NULL AND given_up_at IS NULL
         AND (enqueued_at IS NULL OR enqueued_at < now() - make_interval(secs => $1 / 1000.0))
       ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
     RETURNING id`,
    [requeueAfterMs, limit],
  );
  return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
}

/** Gives back a claim whose job Redis refused, so the next pass queues it again. */
export async function releaseCallback(db: Queryable, id: number): Promise<void> {
  await db.query('UPDATE callback_outbox SET enqueued_at = NULL WHERE id = $1 AND delivered_at IS NULL', [id]);
}

export async function getCallback(db: Queryable, id: number): Promise<CallbackRow | undefined> {
  const { rows } = await db.query('SELECT * FROM callback_outbox WHERE id = $1', [id]);
  return parseRows(callbackRowSchema, rows)[0];
}

/** Records one delivery attempt: delivered, or the error that makes the job try again. */
export async function recordCallbackAttempt(
  db: Queryable,
  id: number,
  outcome: { delivered: true } | { delivered: false; error: string; giveUp: boolean },
): Promise<void> {
  if (outcome.delivered) {
    await db.query(
      'UPDATE callback_outbox SET attempts = attempts + 1, delivered_at = now(), last_error = NULL WHERE id = $1',
      [id],
    );
    return;
  }
  await db.query(
    `UPDATE callback_outbox SET attempts = attempts + 1, last_error = $2,
       given_up_at = CASE WHEN $3 THEN now() ELSE given_up_at END
     WHERE id = $1`,
    [id, outcome.error.slice(0, 500), outcome.giveUp],
  );
}
