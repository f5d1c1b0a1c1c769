import { NotAllowedError } from '../domain/errors';
import { listEvents, recordEvent } from '../store/events';
import { getWorkflow, transitionWorkflow } from '../store/workflows-repo';
import { rollbackRefusal } from '../domain/approval-policy';
import { clickRefusal, type ClickOrigin } from './gates/click-origin';
import type { DecisionDeps } from './deps';

/**
 * The report's "Roll back production": an approver undoes what a workflow merged, clicking the button
 * on that workflow's own report. One conditional transition (succeeded or failed → rolled_back), then
 * the rollback job runs the registered reverts.
 */
export async function rollbackProduction(
  deps: DecisionDeps,
  workflowId: number,
  user: string,
  click: ClickOrigin,
): Promise<string> {
  const workflow = await getWorkflow(deps.pool, workflowId);
  if (!workflow) return `There is no workflow #${workflowId}.`;
  const forged = await clickRefusal(deps.pool, `wf:${workflowId}:report`, click, 'report');
  const refusal = forged?.message ?? rollbackRefusal(deps.policy, user);
  if (refusal) {
    await recordEvent(deps.pool, workflowId, 'rollback_refused', user, { reason: refusal });
    throw new NotAllowedError(refusal);
  }
  const merged = (await listEvents(deps.pool, workflowId)).some(
    (e) => e.type === 'migration_merged' || (e.type === 'function_deployed' && e.data.existed === false),
  );
  if (!merged) return `Workflow #${workflowId} merged nothing to production, so there is nothing to roll back.`;
  const moved = await transitionWorkflow(deps.pool, workflowId, ['succeeded', 'failed'], 'rolled_back', {
    type: 'workflow_rolled_back',
    actor: user,
    data: { after: 'merge' },
  });
  if (!moved) return `Workflow #${workflowId} is ${workflow.state.replace('_', ' ')}; there is nothing to roll back.`;
  await deps.queue.enqueue({ name: 'rollback', data: { workflowId, actor: user } });
  return `Rolling back workflow #${workflowId} on production; the thread will say when it is done.`;
}
