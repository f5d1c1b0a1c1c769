import { listDueSteps } from '../store/steps-repo';
import type { EngineDeps } from './engine-deps';

/**
 * Re-enqueues what Postgres says is due, in case Redis lost it: planned workflows, the current step of
 * running ones, unfinished rollbacks. Job ids are deterministic, so work already queued is not doubled.
 */
export async function reconcile(deps: Pick<EngineDeps, 'pool' | 'queue'>): Promise<number> {
  let enqueued = 0;
  const planned = await deps.pool.query<{ id: string }>(`SELECT id FROM workflows WHERE state = 'planned' ORDER BY id`);
  for (const row of planned.rows) {
    await deps.queue.enqueue({ name: 'plan', data: { workflowId: Number(row.id) } });
    enqueued++;
  }
  for (const step of await listDueSteps(deps.pool)) {
    await deps.queue.enqueue({ name: 'step', data: { workflowId: step.workflow_id, stepId: step.id, generation: step.generation } });
    enqueued++;
  }
  const rollbacks = await deps.pool.query<{ id: string; actor: string | null }>(
    `SELECT w.id, (SELECT actor FROM events e WHERE e.workflow_id = w.id AND e.type = 'workflow_rolled_back' ORDER BY e.id DESC LIMIT 1) AS actor
     FROM workflows w WHERE w.state = 'rolled_back'
       AND NOT EXISTS (SELECT 1 FROM events e WHERE e.workflow_id = w.id AND e.type IN ('rollback_completed','rollback_incomplete'))`,
  );
  for (const row of rollbacks.rows) {
    await deps.queue.enqueue({ name: 'rollback', data: { workflowId: Number(row.id), actor: row.actor ?? 'unknown' } });
    enqueued++;
  }
  return enqueued;
}
