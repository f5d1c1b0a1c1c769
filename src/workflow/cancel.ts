import { NotAllowedError, WorkflowNotFoundError } from '../errors';
import { noticeMessage } from '../slack/views/command-responses';
import { getWorkflow } from '../store/workflows-repo';
import { cancelRefusal } from './approval-policy';
import type { EngineDeps } from './engine-deps';
import { afterEnd, endWorkflow } from './lifecycle';

/** `/infra cancel <id>`: the requester or an approver stops an active workflow; nothing more is merged. */
export async function cancelWorkflow(deps: EngineDeps, workflowId: number, user: string): Promise<string> {
  const workflow = await getWorkflow(deps.pool, workflowId);
  if (!workflow) throw new WorkflowNotFoundError(String(workflowId));
  const refusal = cancelRefusal(deps.policy, workflow, user);
  if (refusal) throw new NotAllowedError(refusal);
  const ended = await endWorkflow(deps, workflowId, 'cancelled', { type: 'workflow_cancelled', actor: user });
  if (!ended) return `Workflow #${workflowId} is already ${workflow.state.replace('_', ' ')}; nothing to cancel.`;
  if (workflow.root_ts) {
    await deps.slack.post(`wf:${workflowId}:cancelled`, { channel: workflow.channel_id, threadTs: workflow.root_ts }, noticeMessage(`:heavy_multiplication_x: Cancelled by <@${user}>. Nothing more will run; nothing was merged.`));
  }
  await afterEnd(deps, workflowId);
  return `Workflow #${workflowId} is cancelled.`;
}
