import type { Queryable } from '../store/db';
import { listEvents, recordEvent } from '../store/events';
import { getWorkflow } from '../store/workflows-repo';
import type { EngineDeps } from './deps';
import { afterEnd } from './lifecycle';

/** The event that says an ended workflow's clean-up is done; until it exists, the reconciler queues it again. */
export const CLEANED_UP = 'cleaned_up';

/**
 * In the ending event's data (`workflow_cancelled`, `workflow_rejected`): the clean-up is the
 * `clean-up` job's. Workflows ended before the job existed were cleaned up where they ended.
 */
export const CLEANUP_BY_JOB = 'clean_up_job';

/** Ended workflows whose clean-up is the `clean-up` job's and has not recorded {@link CLEANED_UP}, oldest first. */
export async function endedAwaitingCleanUp(db: Queryable): Promise<number[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT w.id FROM workflows w WHERE w.state IN ('cancelled', 'rejected')
       AND EXISTS (SELECT 1 FROM events e WHERE e.workflow_id = w.id
                   AND e.type IN ('workflow_cancelled', 'workflow_rejected') AND e.data->>'cleanup' = $1)
       AND NOT EXISTS (SELECT 1 FROM events e WHERE e.workflow_id = w.id AND e.type = $2)
     ORDER BY w.id`,
    [CLEANUP_BY_JOB, CLEANED_UP],
  );
  return rows.map((r) => Number(r.id));
}

/**
 * The `clean-up` job, after a person cancelled or rejected a workflow: says in the thread who
 * cancelled, takes the buttons off the gates the ending closed, posts the report, deletes the branch
 * and the CI pull request, starts the next workflow waiting for the target, then records
 * {@link CLEANED_UP}. Safe to run twice: every post has a key, every deletion looks first, and a run
 * that finds the event does nothing.
 */
export async function cleanUpEnded(deps: EngineDeps, workflowId: number): Promise<void> {
  const workflow = await getWorkflow(deps.pool, workflowId);
  if (workflow?.state !== 'cancelled' && workflow?.state !== 'rejected') return;
  const events = await listEvents(deps.pool, workflowId);
  if (events.some((e) => e.type === CLEANED_UP)) return;
  const actor = events.filter((e) => e.type === 'workflow_cancelled').pop()?.actor;
  if (workflow.state === 'cancelled' && workflow.root_ts && actor) {
    const notice = deps.views.noticeMessage(
      `:heavy_multiplication_x: Cancelled by <@${actor}>. Nothing more will run; nothing was merged.`,
    );
    await deps.slack.post(
      `wf:${workflowId}:cancelled`,
      { channel: workflow.channel_id, threadTs: workflow.root_ts },
      notice,
    );
  }
  await afterEnd(deps, workflowId);
  await recordEvent(deps.pool, workflowId, CLEANED_UP, null);
}
