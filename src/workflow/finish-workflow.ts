import { Handoff, Migration, handoffSchema } from '../agents/handoff';
import { EdgeFunctionSource, functionsInArtifacts } from '../changes/edge-functions';
import { isRetryable } from '../errors';
import { noticeMessage } from '../slack/views/command-responses';
import { registerCompensation } from '../store/compensations-repo';
import { listEvents, recordEvent } from '../store/events';
import { listSteps } from '../store/steps-repo';
import { getWorkflow } from '../store/workflows-repo';
import type { EngineDeps } from './engine-deps';
import { afterEnd, endWorkflow } from './lifecycle';

/**
 * The finish job, after the last gate is approved: take the backup point, merge each approved
 * migration to production (each with its revert registered first), then end the workflow. Merging is
 * idempotent by migration name, so a re-run does not apply anything twice.
 */
export async function finishWorkflow(deps: EngineDeps, workflowId: number, attempt: { attemptsMade: number } = { attemptsMade: 0 }): Promise<void> {
  const workflow = await getWorkflow(deps.pool, workflowId);
  if (!workflow || workflow.state !== 'running' || !workflow.root_ts) return;
  const steps = await listSteps(deps.pool, workflowId);
  const handoffs = steps.flatMap((s) => (s.handoff ? [{ stepId: s.id, handoff: handoffSchema.parse(s.handoff) }] : []));
  const migrations = handoffs.flatMap(({ stepId, handoff }) => (handoff.migration ? [{ stepId, migration: handoff.migration }] : []));
  const functions = deps.change?.functions ? deployableFunctions(handoffs) : [];
  const thread = { channel: workflow.channel_id, threadTs: workflow.root_ts };
  if (deps.change && (migrations.length || functions.length)) {
    try {
      await mergeAll(deps, workflowId, migrations, functions, thread);
    } catch (error) {
      if (isRetryable(error) && attempt.attemptsMade + 1 < deps.attempts) throw error;
      const mergedBefore = (await listEvents(deps.pool, workflowId)).filter((e) => e.type === 'migration_merged').length;
      const reason = (error as Error).message.replace(/\.+$/, '');
      const message =
        `Merging to production failed: ${reason}.` +
        (mergedBefore ? ` ${mergedBefore} migration(s) merged before the failure stay merged; the report's Roll back production button reverts them.` : ' Nothing was merged.');
      await deps.slack.post(`wf:${workflowId}:merge-failed`, thread, noticeMessage(`:x: ${message}`));
      if (await endWorkflow(deps, workflowId, 'failed', { type: 'merge_failed', actor: null, error: message }, { from: ['running'] })) await afterEnd(deps, workflowId);
      return;
    }
  } else if (migrations.length) {
    await deps.slack.post(`wf:${workflowId}:not-merged`, thread, noticeMessage(':information_source: No target is configured (TARGET_DATABASE_URL or SUPABASE_PROJECT_REF), so nothing was merged; the approved SQL is in this thread.'));
  }
  const pushed = (await listEvents(deps.pool, workflowId)).filter((e) => e.type === 'ci_pushed').pop();
  if (pushed) {
    const text = `:white_check_mark: CI changes approved: pull request #${String(pushed.data.pull_request)} (${String(pushed.data.url)}) passed CI on \`${String(pushed.data.branch)}\`. Merge it on GitHub, where your branch protection applies.`;
    await deps.slack.post(`wf:${workflowId}:ci-approved`, thread, noticeMessage(text));
  }
  if (await endWorkflow(deps, workflowId, 'succeeded', { type: 'workflow_succeeded', actor: null }, { from: ['running'] })) {
    await afterEnd(deps, workflowId);
  }
}

/** The Edge Functions the steps proposed, each with the step that proposed its entrypoint last. */
function deployableFunctions(handoffs: Array<{ stepId: number; handoff: Handoff }>): Array<{ stepId: number; fn: EdgeFunctionSource }> {
  const all = functionsInArtifacts(handoffs.flatMap((h) => h.handoff.artifacts));
  return all.map((fn) => ({ fn, stepId: [...handoffs].reverse().find((h) => h.handoff.artifacts.some((a) => a.path === fn.entrypoint))!.stepId }));
}

/**
 * Backup point first, then each migration, its revert registered before it is applied, then each
 * Edge Function (a new one registers its deletion; an existing one is replaced and stays on rollback).
 */
async function mergeAll(
  deps: EngineDeps,
  workflowId: number,
  migrations: Array<{ stepId: number; migration: Migration }>,
  functions: Array<{ stepId: number; fn: EdgeFunctionSource }>,
  thread: { channel: string; threadTs: string },
): Promise<void> {
  const change = deps.change!;
  const backup = await change.backupPoint();
  await recordEvent(deps.pool, workflowId, 'backup_point', null, { backup });
  const merged: string[] = [];
  for (const { stepId, migration } of migrations) {
    await registerCompensation(deps.pool, { workflowId, stepId, key: `revert-${migration.name}`, kind: 'revert-migration', data: { migration } });
    const result = await change.merge(workflowId, migration);
    if (result.applied) await recordEvent(deps.pool, workflowId, 'migration_merged', null, { name: migration.name, version: result.version });
    merged.push(`\`${migration.name}\` (version ${result.version})`);
  }
  const deployed = new Set((await listEvents(deps.pool, workflowId)).filter((e) => e.type === 'function_deployed').map((e) => String(e.data.slug)));
  for (const { stepId, fn } of functions) {
    if (deployed.has(fn.slug)) continue;
    const existed = (await change.functions!.listProduction()).includes(fn.slug);
    if (!existed) await registerCompensation(deps.pool, { workflowId, stepId, key: `delete-function-${fn.slug}`, kind: 'delete-function', data: { slug: fn.slug } });
    const { version } = await change.functions!.deployToProduction(fn);
    await recordEvent(deps.pool, workflowId, 'function_deployed', null, { slug: fn.slug, version, existed });
    merged.push(`Edge Function \`${fn.slug}\` (version ${version}${existed ? ', replacing the deployed one: a rollback leaves this version in place' : ''})`);
  }
  await deps.slack.post(`wf:${workflowId}:merged`, thread, noticeMessage(`:rocket: Merged to production: ${merged.join(', ')}.\nLast backup point before the merge: \`${backup}\``));
}
