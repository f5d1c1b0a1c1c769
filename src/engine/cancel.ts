import { NotAllowedError, WorkflowNotFoundError } from '../domain/errors';
import { getWorkflow } from '../store/workflows-repo';
import { cancelRefusal } from '../domain/approval-policy';
import type { DecisionDeps } from './deps';
import { CLEANUP_BY_JOB } from './clean-up';
import { endWorkflow } from './lifecycle';

/**
 * `/infra cancel <id>`: the requester or an approver stops an active workflow; nothing more is merged.
 * Only records the cancellation (one conditional transition with its event) and queues the
 * `clean-up` job, which does the rest; if Redis loses that job, the reconciler queues it again.
 */
export async function cancelWorkflow(deps: DecisionDeps, workflowId: number, user: string): Promise<string> {
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
  await deps.queue.enqueue({ name: 'clean-up', data: { workflowId } }).catch((err: unknown) => {
    deps.logger.warn(
      { err: err instanceof Error ? err.message : String(err), workflowId },
      'clean-up job not queued; the reconciler will queue it',
    );
  });
  return `Workflow #${workflowId} is cancelled.`;
}
