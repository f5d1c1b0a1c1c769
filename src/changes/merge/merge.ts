import type { Pool } from 'pg';
import { isRetryable } from '../../domain/errors';
import { type Handoff, type Migration, handoffSchema } from '../../domain/handoff';
import type { ShownMigration, Workflow } from '../../domain/records';
import type { MergeOutcome } from '../../engine/ports/change-pipeline';
import { registerCompensation } from '../../store/compensations-repo';
import { listEvents, recordEvent } from '../../store/events';
import { listGates } from '../../store/gates-repo';
import { listSteps } from '../../store/steps-repo';
import type { ChangeTarget } from '../targets/change-target';
import { type EdgeFunctionSource, functionsInArtifacts } from '../checks/edge-functions';
import { mergeCandidates, pinProblem } from './merge-candidates';
import type { RepositoryMigrations } from '../targets/repository-migrations';
import { deliverToRepository } from './repository-delivery';
import { recordNotDone } from './not-done';

export interface MergeDeps {
  pool: Pool;
  /** The team's database; absent when no target is configured, and then nothing is merged. */
  target?: ChangeTarget;
  /** GITHUB_REPOSITORY: the merged migrations go there as a pull request. */
  repository?: RepositoryMigrations;
}

/**
 * The finish job's merge, after the last gate is approved: take the backup point, merge each approved
 * migration to production (each with its revert registered first), then deploy the Edge Functions.
 * Merging is idempotent by migration name, so a re-run does not apply anything twice. Only migrations
 * from steps that test them on the branch are merged, and only the exact texts that passed that test
 * and that the merge gate showed; anything else stops the merge before it starts.
 */
export async function mergeApproved(
  deps: MergeDeps,
  workflow: Workflow,
  opts: { lastAttempt: boolean; say(key: string, text: string): Promise<void> },
): Promise<MergeOutcome> {
  const workflowId = workflow.id;
  const [steps, gates, events] = await Promise.all([
    listSteps(deps.pool, workflowId),
    listGates(deps.pool, workflowId),
    listEvents(deps.pool, workflowId),
  ]);
  const handoffs = steps.flatMap((s) => (s.handoff ? [{ stepId: s.id, handoff: handoffSchema.parse(s.handoff) }] : []));
  const { migrations: candidates, ignored } = mergeCandidates(workflow.plan!, steps, events);
  const functions = deps.target?.functions ? deployableFunctions(handoffs) : [];
  const undeployable = deps.target?.functions ? [] : deployableFunctions(handoffs).map((f) => f.fn.slug);
  if (undeployable.length)
    await recordNotDone(
      deps.pool,
      workflowId,
      'functions',
      `Edge Function ${undeployable.join(', ')} not deployed: Edge Functions run only on a Supabase target ` +
        '(set SUPABASE_ACCESS_TOKEN and SUPABASE_PROJECT_REF)',
    );
  if (ignored.length) {
    const list = ignored.map((m) => `\`${m.name}\` from ${m.stepTitle}`).join(', ');
    await recordEvent(deps.pool, workflowId, 'migration_ignored', null, { migrations: ignored });
    await opts.say(
      'ignored',
      `:warning: Not merged, because their steps do not test migrations on the branch: ${list}.`,
    );
  }
  const target = deps.target;
  if (target && (candidates.length || functions.length)) {
    const shown = gates.find((g) => g.merges && g.state === 'approved')?.migrations ?? [];
    const problems = candidates.flatMap((m) => pinProblem(m, shown) ?? []);
    if (problems.length) {
      const error =
        `Nothing was merged: ${problems.join('; ')}. Production is unchanged; start a new request ` +
        `to test and approve the change again.`;
      await opts.say('merge-refused', `:x: ${error}`);
      return { kind: 'refused', error };
    }
    const repository = deps.repository;
    const deliver = () =>
      repository ? deliverToRepository({ pool: deps.pool, repository }, workflow, candidates, opts.say) : undefined;
    try {
      await mergeAll({ ...deps, target }, workflowId, candidates, functions, opts.say);
      await deliver();
    } catch (error) {
      if (isRetryable(error) && !opts.lastAttempt) throw error;
      // What was merged before the failure stays on production: the repository gets it too.
      await deliver();
      const message = await mergeFailedMessage(deps, workflowId, error);
      await opts.say('merge-failed', `:x: ${message}`);
      return { kind: 'failed', error: message };
    }
  } else if (candidates.length) {
    // Said once, in the report's Not done and the root; no notice of its own.
    await recordNotDone(
      deps.pool,
      workflowId,
      'merge',
      `Nothing merged to production: no target is configured (${candidates.map((m) => m.name).join(', ')} not applied)`,
    );
  }
  const pushed = events.filter((e) => e.type === 'ci_pushed').pop();
  if (pushed) {
    await opts.say(
      'ci-approved',
      `:white_check_mark: CI changes approved: pull request #${String(pushed.data.pull_request)} ` +
        `(${String(pushed.data.url)}) passed CI on \`${String(pushed.data.branch)}\`. ` +
        'Merge it on GitHub, where your branch protection applies.',
    );
  }
  return { kind: 'merged' };
}

/**
 * What a failed merge left on production, from the events: what this workflow applied before the
 * failure stays; the failing migration was applied in part when the error says `applied: 'partial'`
 * (statements that run outside a transaction), else not at all.
 */
async function mergeFailedMessage(deps: MergeDeps, workflowId: number, error: unknown): Promise<string> {
  const events = await listEvents(deps.pool, workflowId);
  const applied = [
    ...events.filter((e) => e.type === 'migration_merged').map((e) => `\`${String(e.data.name)}\``),
    ...events.filter((e) => e.type === 'function_deployed').map((e) => `Edge Function \`${String(e.data.slug)}\``),
  ];
  const partial = (error as { applied?: unknown } | null)?.applied === 'partial';
  const reason = (error as Error).message.replace(/\.+$/, '');
  return [
    `Merging to production failed: ${reason}.`,
    ...(partial
      ? [
          'The failing migration was partly applied: its statements that run outside a transaction stayed on ' +
            'production, and it is not in the migration history. Check the target before trying again.',
        ]
      : []),
    applied.length
      ? `${applied.join(', ')} merged before the failure and stay merged; the report's Roll back production button reverts them.`
      : partial
        ? 'Nothing else was merged.'
        : 'Nothing was merged.',
  ].join(' ');
}

/** The Edge Functions the steps proposed, each with the step that proposed its entrypoint last. */
function deployableFunctions(
  handoffs: Array<{ stepId: number; handoff: Handoff }>,
): Array<{ stepId: number; fn: EdgeFunctionSource }> {
  const all = functionsInArtifacts(handoffs.flatMap((h) => h.handoff.artifacts));
  return all.map((fn) => ({
    fn,
    stepId: [...handoffs].reverse().find((h) => h.handoff.artifacts.some((a) => a.path === fn.entrypoint))!.stepId,
  }));
}

/**
 * Backup point first, then each migration, its revert registered before it is applied, then each
 * Edge Function (a new one registers its deletion; an existing one is replaced and stays on rollback).
 */
async function mergeAll(
  deps: MergeDeps & { target: ChangeTarget },
  workflowId: number,
  migrations: ShownMigration[],
  functions: Array<{ stepId: number; fn: EdgeFunctionSource }>,
  say: (key: string, text: string) => Promise<void>,
): Promise<void> {
  const change = deps.target;
  const backup = await change.backupPoint();
  await recordEvent(deps.pool, workflowId, 'backup_point', null, { backup });
  const merged: string[] = [];
  for (const shown of migrations) {
    const migration: Migration = { name: shown.name, up_sql: shown.up_sql, down_sql: shown.down_sql };
    await registerCompensation(deps.pool, {
      workflowId,
      stepId: shown.step_id,
      key: `revert-${migration.name}`,
      kind: 'revert-migration',
      data: { migration },
    });
    const result = await change.merge(workflowId, migration);
    if (result.applied)
      await recordEvent(deps.pool, workflowId, 'migration_merged', null, {
        name: migration.name,
        version: result.version,
        sha256: shown.sha256,
      });
    merged.push(
      `\`${migration.name}\` (version ${result.version}${result.applied ? '' : ', already in the migration history: not applied again'})`,
    );
  }
  const deployed = new Set(
    (await listEvents(deps.pool, workflowId))
      .filter((e) => e.type === 'function_deployed')
      .map((e) => String(e.data.slug)),
  );
  for (const { stepId, fn } of functions) {
    if (deployed.has(fn.slug)) continue;
    const existed = (await change.functions!.listProduction()).includes(fn.slug);
    if (!existed)
      await registerCompensation(deps.pool, {
        workflowId,
        stepId,
        key: `delete-function-${fn.slug}`,
        kind: 'delete-function',
        data: { slug: fn.slug },
      });
    const { version } = await change.functions!.deployToProduction(fn);
    await recordEvent(deps.pool, workflowId, 'function_deployed', null, { slug: fn.slug, version, existed });
    merged.push(
      `Edge Function \`${fn.slug}\` (version ${version}` +
        (existed ? ', replacing the deployed one: a rollback leaves this version in place' : '') +
        ')',
    );
  }
  await say(
    'merged',
    `:rocket: Merged to production: ${merged.join(', ')}.\nLast backup point before the merge: \`${backup}\``,
  );
}
