import { getWorkflow } from '../store/workflows-repo';
import type { EngineDeps } from './deps';
import { afterEnd, endWorkflow } from './lifecycle';

/**
 * The finish job, after the last gate is approved: the change pipeline merges what the merge gate
 * showed (or refuses to), then the workflow ends as succeeded or failed.
 */
export async function finishWorkflow(
  deps: EngineDeps,
  workflowId: number,
  attempt: { attemptsMade: number } = { attemptsMade: 0 },
): Promise<void> {
  const workflow = await getWorkflow(deps.pool, workflowId);
  if (workflow?.state !== 'running' || !workflow.root_ts || !workflow.plan) return;
  const thread = { channel: workflow.channel_id, threadTs: workflow.root_ts };
  const outcome = await deps.changes.merge(workflow, {
    lastAttempt: attempt.attemptsMade + 1 >= deps.attempts,
    say: async (key, text) => {
      await deps.slack.post(`wf:${workflowId}:${key}`, thread, deps.views.noticeMessage(text));
    },
  });
  const ended =
    outcome.kind === 'merged'
      ? await endWorkflow(
          deps,
          workflowId,
          'succeeded',
          { type: 'workflow_succeeded', actor: null },
          { from: ['running'] },
        )
      : await endWorkflow(
          deps,
          workflowId,
          'failed',
          { type: outcome.kind === 'refused' ? 'merge_refused' : 'merge_failed', actor: null, error: outcome.error },
          { from: ['running'] },
        );
  if (ended) await afterEnd(deps, workflowId);
}
