import type { EventType } from '../domain/events';
import { inTransaction } from '../store/db';
import { expireOpenGates, listGates } from '../store/gates-repo';
import { findMessage } from '../store/slack-messages-repo';
import type { Workflow } from '../domain/records';
import { ACTIVE_WORKFLOW_STATES, type WorkflowState } from '../domain/states';
import { nextWaitingWorkflow, releaseTarget } from '../store/target-locks-repo';
import { cancelUnfinishedSteps } from '../store/steps-repo';
import { getWorkflow, transitionWorkflow } from '../store/workflows-repo';
import type { EngineDeps } from './deps';
import { postReport } from './thread/thread';
import { drawGate } from './gates/gate-in-step';

type FinalState = Exclude<WorkflowState, (typeof ACTIVE_WORKFLOW_STATES)[number]>;

/**
 * Ends a workflow: one conditional transition, open gates closed, unfinished steps cancelled, the
 * target released (unless a rollback still has to run). Returns the row if this caller ended it.
 */
export async function endWorkflow(
  deps: Pick<EngineDeps, 'pool'>,
  workflowId: number,
  to: FinalState,
  event: { type: EventType; actor: string | null; error?: string; data?: Record<string, unknown> },
  opts: { from?: readonly WorkflowState[]; keepTarget?: boolean } = {},
): Promise<Workflow | undefined> {
  return inTransaction(deps.pool, async (tx) => {
    const ended = await transitionWorkflow(tx, workflowId, opts.from ?? ACTIVE_WORKFLOW_STATES, to, event);
    if (!ended) return undefined;
    await expireOpenGates(tx, workflowId, event.actor);
    await cancelUnfinishedSteps(tx, workflowId);
    await tx.query(`UPDATE questions SET state = 'expired' WHERE workflow_id = $1 AND state = 'open'`, [workflowId]);
    if (!opts.keepTarget) await releaseTarget(tx, ended.target, workflowId);
    return ended;
  });
}

/**
 * After a workflow ended: gates it closed lose their buttons, the report goes in its thread, and the
 * next workflow waiting for its target starts.
 */
export async function afterEnd(deps: EngineDeps, workflowId: number): Promise<void> {
  const ended = await getWorkflow(deps.pool, workflowId);
  for (const gate of (await listGates(deps.pool, workflowId)).filter((g) => g.state === 'expired')) {
    if (ended && (await findMessage(deps.pool, `gate:${gate.id}`))?.ts) await drawGate(deps, ended, gate);
  }
  await postReport(deps, workflowId);
  const workflow = await getWorkflow(deps.pool, workflowId);
  if (!workflow) return;
  await deps.changes.cleanUp(workflow);
  const next = await nextWaitingWorkflow(deps.pool, workflow.target);
  if (next)
    await deps.queue.enqueue({ name: 'plan', data: { workflowId: next.id } }, { dedupeSuffix: `-after-${workflowId}` });
}
