/** Before a step's next attempt (Request changes): the branch goes back to what the earlier steps left on it. */
import type { Pool } from 'pg';
import type { Handoff, Migration } from '../../domain/handoff';
import type { Step, Workflow } from '../../domain/records';
import type { Logger } from '../../logger';
import { listEvents, recordEvent } from '../../store/events';
import { migrationHash } from '../sql/migration-hash';
import type { Branch } from '../targets/branch-provider';
import type { ChangeTarget } from '../targets/change-target';

export interface DiscardAttemptDeps {
  pool: Pool;
  logger: Logger;
  target?: ChangeTarget;
}

/**
 * Undoes the previous attempt's migration on the workflow's branch, so the new attempt's migration is
 * tried on the schema the earlier steps left, not on top of the one the approver sent back. The down
 * SQL passed the round trip, so it runs first; if it fails, the branch is made again from production
 * and the earlier steps' tested migrations are applied to it in order. Returns what was done, in
 * words, or undefined when the branch had nothing of the previous attempt.
 */
export async function discardAttempt(
  deps: DiscardAttemptDeps,
  input: { workflow: Workflow; step: Step; previous?: Handoff; earlier: Handoff[] },
): Promise<string | undefined> {
  const { target, pool } = deps;
  const migration = input.previous?.migration;
  if (!target || !migration) return undefined;
  const branch = await target.provider.getBranch(input.workflow.id);
  if (!branch) return undefined;
  const events = await listEvents(pool, input.workflow.id);
  const tested = (m: Migration, stepId?: number) =>
    events.some(
      (e) =>
        e.type === 'migration_tested' &&
        e.data.sha256 === migrationHash(m) &&
        (stepId === undefined || e.data.step_id === stepId),
    );
  if (!tested(migration, input.step.id)) return undefined;
  // A run of this attempt that was killed after the discard: what is on the branch now is this attempt's
  // (the branch test makes the branch again when a round trip of it had started).
  const discarded = events.some(
    (e) => e.type === 'attempt_discarded' && e.data.step_id === input.step.id && e.data.attempt === input.step.attempt,
  );
  if (discarded) return undefined;
  try {
    await target.provider.runSql(branch, migration.down_sql, { readOnly: false, timeoutMs: 60_000 });
    await recordEvent(pool, input.workflow.id, 'attempt_discarded', null, {
      step_id: input.step.id,
      attempt: input.step.attempt,
      how: 'down',
      migration: migration.name,
    });
    return `The previous attempt's migration ${migration.name} was rolled back on the test branch.`;
  } catch (error) {
    deps.logger.warn(
      { err: (error as Error).message, workflowId: input.workflow.id },
      'the down migration failed on the branch; making the branch again',
    );
  }
  const earlier = input.earlier.flatMap((h) => (h.migration && tested(h.migration) ? [h.migration] : []));
  await recreateBranch({ pool, target }, input.workflow.id, earlier, 'changes_requested');
  await recordEvent(pool, input.workflow.id, 'attempt_discarded', null, {
    step_id: input.step.id,
    attempt: input.step.attempt,
    how: 'recreated',
    reapplied: earlier.map((m) => m.name),
  });
  return (
    `The test branch was made again from production` +
    (earlier.length ? `, with the earlier steps' migrations ${earlier.map((m) => m.name).join(', ')}.` : '.')
  );
}

/**
 * Deletes the workflow's branch, makes it again from production and applies `earlier` (the earlier
 * steps' tested migrations) to it in order: the branch as the earlier steps left it, and nothing else.
 */
export async function recreateBranch(
  deps: { pool: Pool; target: ChangeTarget },
  workflowId: number,
  earlier: Migration[],
  reason: string,
): Promise<Branch> {
  const { pool, target } = deps;
  await target.provider.deleteBranch(workflowId);
  await recordEvent(pool, workflowId, 'branch_deleted', null, { reason });
  const fresh = await target.provider.createBranch(workflowId);
  await recordEvent(pool, workflowId, 'branch_created', null, { branch: fresh.name, provider: target.provider.kind });
  for (const m of earlier) await target.provider.runSql(fresh, m.up_sql, { readOnly: false, timeoutMs: 60_000 });
  return fresh;
}
