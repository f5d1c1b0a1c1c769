import { NotAllowedError, WorkflowNotFoundError } from '../domain/errors';
import type { Queryable } from '../store/db';
import { listEvents, recordEvent } from '../store/events';
import { getWorkflow } from '../store/workflows-repo';
import { cancelRefusal } from '../domain/approval-policy';
import type { EngineDeps } from './deps';
import { afterEnd, endWorkflow } from './lifecycle';

/** The event that says a cancelled workflow's clean-up is done; until it exists, the reconciler queues it again. */
export const CANCEL_CLEANED_UP = 'cancel_cleaned_up';

/**
 * In the `workflow_cancelled` event's data: the clean-up is the `cancel` job's. Cancellations recorded
 * before the job existed were cleaned up by their listener, so the reconciler leaves them alone.
 */
const CLEANUP_BY_JOB = 'cancel_job';

/** What the web role needs to cancel: Postgres, the queue, the approval policy and a logger; nothing that reaches Slack, GitHub or a target. */
export type CancelDeps = Pick<EngineDeps, 'pool' | 'queue' | 'policy' | 'logger'>;

/**
 * `/infra cancel <id>`: the requester or an approver stops an active workflow; nothing more is merged.
 * Only records the cancellation (one conditional transition with its event) and queues the `cancel`
 * job, which does the clean-up; if Redis loses that job, the reconciler queues it again.
 */
export async function cancelWorkflow(deps: CancelDeps, workflowId: number, user: string): Promise<string> {
  const workflow = await getWorkflow(deps.pool, workflowId);
  if (!workflow) throw new WorkflowNotFoundError(String(workflowId));
  const refusal = cancelRefusal(deps.policy, workflow, user);
  if (refusal) throw new NotAllowedError(refusal);
  const ended = await endWorkflow(deps, workflowId, 'cancelled', {
    type: 'workflow_cancelled',
    actor: user,
    data: { cleanup: CLEANUP_BY_JOB },
  });
  if (!ended) return `Workflow #${workflowId} is already ${workflow.state.replace('_', ' ')}; nothing to cancel.`;
  // The cancellation is recorded either way: a job Redis refused now is queued by the reconciler.
  await deps.queue.enqueue({ name: 'cancel', data: { workflowId } }).catch((err: unknown) => {
    deps.logger.warn(
      { err: err instanceof Error ? err.message : String(err), workflowId },
      'cancel job not queued; the reconciler will queue it',
    );
  });
  return `Workflow #${workflowId} is cancelled.`;
}

/** Cancelled workflows whose clean-up is the `cancel` job's and has not recorded {@link CANCEL_CLEANED_UP}, oldest first. */
export async function cancelledAwaitingCleanUp(db: Queryable): Promise<number[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT w.id FROM workflows w WHERE w.state = 'cancelled'
       AND EXISTS (SELECT 1 FROM events e WHERE e.workflow_id = w.id AND e.type = 'workflow_cancelled' AND e.data->>'cleanup' = $1)
       AND NOT EXISTS (SELECT 1 FROM events e WHERE e.workflow_id = w.id AND e.type = $2)
     ORDER BY w.id`,
    [CLEANUP_BY_JOB, CANCEL_CLEANED_UP],
  );
  return rows.map((r) => Number(r.id));
}

/**
 * The `cancel` job: says in the thread who cancelled, takes the buttons off the gates the cancellation
 * closed, posts the report, deletes the branch and the CI pull request, starts the next workflow
 * waiting for the target, then records {@link CANCEL_CLEANED_UP}. Safe to run twice: every post has a
 * key, every deletion looks first, and a run that finds the event does nothing.
 */
export async function cleanUpCancelled(deps: EngineDeps, workflowId: number): Promise<void> {
  const workflow = await getWorkflow(deps.pool, workflowId);
  if (workflow?.state !== 'cancelled') return;
  const events = await listEvents(deps.pool, workflowId);
  if (events.some((e) => e.type === CANCEL_CLEANED_UP)) return;
  const actor = events.filter((e) => e.type === 'workflow_cancelled').pop()?.actor;
  if (workflow.root_ts && actor) {
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
  await recordEvent(deps.pool, workflowId, CANCEL_CLEANED_UP, null);
}
