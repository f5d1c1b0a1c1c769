import type { Pool } from 'pg';
import { listEvents, recordEvent } from '../../store/events';

/**
 * Records, once per key, something the workflow could not do although a step's title says it would
 * (the report's **Not done** and the root's "Succeeded with N things not done" read it back).
 */
export async function recordNotDone(pool: Pool, workflowId: number, key: string, what: string): Promise<void> {
  const events = await listEvents(pool, workflowId);
  if (events.some((e) => e.type === 'not_done' && e.data.key === key)) return;
  await recordEvent(pool, workflowId, 'not_done', null, { key, what });
}
