import { handoffSchema } from '../agents/handoff';
import { noticeMessage } from '../slack/views/command-responses';
import { registerCompensation } from '../store/compensations-repo';
import { recordEvent } from '../store/events';
import { listSteps } from '../store/steps-repo';
import { getWorkflow } from '../store/workflows-repo';
import type { EngineDeps } from './engine-deps';
import { afterEnd, endWorkflow } from './lifecycle';

/**
 * The finish job, after the last gate is approved: take the backup point, merge each approved
 * migration to production (each with its revert registered first), then end the workflow. Merging is
 * idempotent by migration name, so a re-run does not apply anything twice.
 */
export async function finishWorkflow(deps: EngineDeps, workflowId: number): Promise<void> {
  const workflow = await getWorkflow(deps.pool, workflowId);
  if (!workflow || workflow.state !== 'running' || !workflow.root_ts) return;
  const steps = await listSteps(deps.pool, workflowId);
  const migrations = steps.flatMap((s) => {
    const handoff = s.handoff ? handoffSchema.parse(s.handoff) : undefined;
    return handoff?.migration ? [{ stepId: s.id, migration: handoff.migration }] : [];
  });
  const thread = { channel: workflow.channel_id, threadTs: workflow.root_ts };
  if (deps.change && migrations.length) {
    const backup = await deps.change.backupPoint();
    await recordEvent(deps.pool, workflowId, 'backup_point', null, { backup });
    const merged: string[] = [];
    for (const { stepId, migration } of migrations) {
      await registerCompensation(deps.pool, { workflowId, stepId, key: `revert-${migration.name}`, kind: 'revert-migration', data: { migration } });
      const result = await deps.change.merge(workflowId, migration);
      if (result.applied) await recordEvent(deps.pool, workflowId, 'migration_merged', null, { name: migration.name, version: result.version });
      merged.push(`\`${migration.name}\` (version ${result.version})`);
    }
    await deps.slack.post(`wf:${workflowId}:merged`, thread, noticeMessage(`:rocket: Merged to production: ${merged.join(', ')}.\nLast backup point before the merge: \`${backup}\``));
  } else if (migrations.length) {
    await deps.slack.post(`wf:${workflowId}:not-merged`, thread, noticeMessage(':information_source: No target is configured (TARGET_DATABASE_URL or SUPABASE_PROJECT_REF), so nothing was merged; the approved SQL is in this thread.'));
  }
  if (await endWorkflow(deps, workflowId, 'succeeded', { type: 'workflow_succeeded', actor: null }, { from: ['running'] })) {
    await afterEnd(deps, workflowId);
  }
}
