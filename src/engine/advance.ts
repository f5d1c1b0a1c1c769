import { inTransaction } from '../store/db';
import { getStepByIndex } from '../store/steps-repo';
import { getWorkflow, setCurrentStep } from '../store/workflows-repo';
import type { DecisionDeps } from './deps';
import { refreshRoot } from './thread/thread';

/**
 * Moves a running workflow past step `idx`: the next step becomes current and is enqueued, or, after
 * the last step, the finish job merges what was approved and ends the workflow. Called after commit of
 * the transition that allowed it.
 */
export async function advancePast(deps: DecisionDeps, workflowId: number, idx: number): Promise<void> {
  const next = await getStepByIndex(deps.pool, workflowId, idx + 1);
  if (!next) {
    await deps.queue.enqueue({ name: 'finish', data: { workflowId } });
    return;
  }
  const moved = await inTransaction(deps.pool, async (tx) => {
    const workflow = await getWorkflow(tx, workflowId);
    if (workflow?.state !== 'running' || workflow.current_step !== idx) return false;
    await setCurrentStep(tx, workflowId, idx + 1);
    return true;
  });
  if (!moved) return;
  await deps.queue.enqueue({ name: 'step', data: { workflowId, stepId: next.id, generation: next.generation } });
  await refreshRoot(deps, workflowId);
}
