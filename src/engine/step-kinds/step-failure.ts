import { inTransaction } from '../../store/db';
import { bumpGeneration, transitionStep } from '../../store/steps-repo';
import { postFailureAnalysis } from '../failure-analysis';
import { afterEnd, endWorkflow } from '../lifecycle';
import { attachStoredFiles } from '../thread/workflow-files';
import type { RunningStep } from './step-run';
import { showFailed, stepKey } from './step-thread';

/**
 * The step goes back to pending with the error, which its agent sees on the next run; the new generation
 * gives the job a new id, so the queue does not take it for this one.
 */
export async function retryOnce(failing: RunningStep, reason: string, elapsedMs: number): Promise<void> {
  const { deps, workflow, step, message } = failing;
  const again = await inTransaction(deps.pool, async (tx) => {
    const moved = await transitionStep(tx, step, ['running'], 'pending', { error: reason, countFailure: true });
    return moved ? bumpGeneration(tx, step.id) : undefined;
  });
  if (!again) return;
  const next = 'trying once more with the error in hand (failure policy: retry once)';
  await showFailed(deps, message, reason, elapsedMs, next);
  await deps.queue.enqueue({
    name: 'step',
    data: { workflowId: workflow.id, stepId: step.id, generation: again.generation },
  });
}

/**
 * The step failed for good, so the workflow stops with nothing merged; only the job whose transition
 * failed the step goes on to {@link finishStop}.
 */
export async function stopOnFailure(failing: RunningStep, reason: string, elapsedMs: number): Promise<void> {
  const { deps, workflow, step, def, message } = failing;
  const stopped = await inTransaction(deps.pool, async (tx) => {
    const moved = await transitionStep(tx, step, ['running'], 'failed', { error: reason, countFailure: true });
    return Boolean(moved);
  });
  if (!stopped) return;
  await finishStop({ deps, workflow, step, def, message }, reason, elapsedMs);
}

/**
 * What follows a step that failed for good; safe to repeat, so a rerun of the step's job (after a Slack
 * error or a dead worker) finishes it: the failure in the step's message, the files, the failure
 * analysis, then the end of the workflow and its report. The analysis comes before the end, so a worker
 * that dies in between leaves the workflow running and the rerun still analyses the failure.
 */
export async function finishStop(failed: RunningStep, reason: string, elapsedMs: number): Promise<void> {
  const { deps, workflow, step, def, message } = failed;
  const next = 'the workflow stopped; nothing was merged. Fix the cause and start a new request.';
  await showFailed(deps, message, reason, elapsedMs, next);
  await attachStoredFiles(deps, workflow, stepKey(step));
  await postFailureAnalysis(deps, workflow, step, def, reason);
  const error = `Step ${step.idx + 1} (${def.agent ?? def.title}) failed: ${reason}`;
  if (await endWorkflow(deps, workflow.id, 'failed', { type: 'workflow_failed', actor: null, error })) {
    await afterEnd(deps, workflow.id);
  }
}
