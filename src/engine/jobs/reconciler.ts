import { ACTIVE_WORKFLOW_STATES } from '../../domain/states';
import { listDueSteps } from '../../store/steps-repo';
import { advancePast } from '../advance';
import { endedAwaitingCleanUp } from '../clean-up';
import type { EngineDeps } from '../deps';
import { expireUnansweredQuestions } from '../thread/question-timeouts';

/**
 * Re-enqueues what Postgres says is due, in case Redis lost it, a process died between two writes, or
 * the job used up its attempts (an outage longer than INFRA_OUTAGE_TOLERANCE_MS): planned workflows,
 * the current step of running ones, running workflows whose current step is done (and its gate, if
 * any, approved) but that never moved on or never finished, or that failed but never ended, unfinished
 * rollbacks, ended workflows whose clean-up has not recorded that it is done. Work whose job is under way is left alone; a failed job is
 * replaced under a new id (`JobQueue.enqueueDue`), and advancing is conditional, so nothing is doubled.
 * Returns how many jobs it added or moved on.
 */
export async function reconcile(deps: EngineDeps): Promise<number> {
  let enqueued = 0;
  // A planned workflow queued behind another active workflow's lock on its target is not due: the
  // holder's end queues it (afterEnd). Re-running its plan job every tick cost each waiting workflow a
  // job, a dozen queries and an event per tick, and put the job of a person's click behind them all.
  const planned = await deps.pool.query<{ id: string }>(
    `SELECT w.id FROM workflows w WHERE w.state = 'planned' AND NOT (w.plan IS NOT NULL AND EXISTS (
       SELECT 1 FROM target_locks l JOIN workflows h ON h.id = l.workflow_id
       WHERE l.target = w.target AND l.workflow_id <> w.id AND h.state = ANY($1)))
     ORDER BY w.id`,
    [ACTIVE_WORKFLOW_STATES],
  );
  for (const row of planned.rows) {
    if (await deps.queue.enqueueDue({ name: 'plan', data: { workflowId: Number(row.id) } })) enqueued++;
  }
  for (const step of await listDueSteps(deps.pool)) {
    const data = { workflowId: step.workflow_id, stepId: step.id, generation: step.generation };
    if (await deps.queue.enqueueDue({ name: 'step', data })) enqueued++;
  }
  const stuck = await deps.pool.query<{ workflow_id: string; idx: number; last: boolean }>(
    `SELECT w.id AS workflow_id, s.idx,
            NOT EXISTS (SELECT 1 FROM steps n WHERE n.workflow_id = w.id AND n.idx = s.idx + 1) AS last
     FROM workflows w JOIN steps s ON s.workflow_id = w.id AND s.idx = w.current_step
     LEFT JOIN gates g ON g.step_id = s.id AND g.attempt = s.attempt
     WHERE w.state = 'running' AND s.state = 'succeeded' AND (g.id IS NULL OR g.state = 'approved')`,
  );
  for (const row of stuck.rows) {
    const workflowId = Number(row.workflow_id);
    if (!row.last) {
      await advancePast(deps, workflowId, row.idx);
      enqueued++;
    } else if (await deps.queue.enqueueDue({ name: 'finish', data: { workflowId } })) enqueued++;
  }
  // A step that failed for good, then its worker died or failed on Slack before the workflow ended: its
  // job again finishes the stop (the failure analysis, the end, the report). Left alone while the job is
  // under way: its worker is ending the workflow itself.
  const stopped = await deps.pool.query<{ workflow_id: string; step_id: string; generation: number }>(
    `SELECT w.id AS workflow_id, s.id AS step_id, s.generation
     FROM workflows w JOIN steps s ON s.workflow_id = w.id AND s.idx = w.current_step
     WHERE w.state = 'running' AND s.state = 'failed'`,
  );
  for (const row of stopped.rows) {
    const data = { workflowId: Number(row.workflow_id), stepId: Number(row.step_id), generation: row.generation };
    if (await deps.queue.enqueueDue({ name: 'step', data })) enqueued++;
  }
  const rollbacks = await deps.pool.query<{ id: string; actor: string | null }>(
    `SELECT w.id, (SELECT actor FROM events e WHERE e.workflow_id = w.id AND e.type = 'workflow_rolled_back'
                   ORDER BY e.id DESC LIMIT 1) AS actor
     FROM workflows w WHERE w.state = 'rolled_back'
       AND NOT EXISTS (SELECT 1 FROM events e WHERE e.workflow_id = w.id AND e.type IN ('rollback_completed','rollback_incomplete'))`,
  );
  for (const row of rollbacks.rows) {
    const data = { workflowId: Number(row.id), actor: row.actor ?? 'unknown' };
    if (await deps.queue.enqueueDue({ name: 'rollback', data })) enqueued++;
  }
  for (const workflowId of await endedAwaitingCleanUp(deps.pool)) {
    if (await deps.queue.enqueueDue({ name: 'clean-up', data: { workflowId } })) enqueued++;
  }
  await expireUnansweredQuestions(deps);
  await deps.changes.sweepOrphanBranches();
  return enqueued;
}
