import type { Pool } from 'pg';
import type { ShownMigration, Workflow } from '../../domain/records';
import { registerCompensation } from '../../store/compensations-repo';
import { listEvents, recordEvent } from '../../store/events';
import type { RepositoryMigrations } from '../targets/repository-migrations';

/**
 * After the merge: the migrations this workflow merged to production go to the repository as one pull
 * request (files and rollback files), linked in the thread and recorded (`migration_pr_opened`, and a
 * compensation that undoes it on Roll back production). Production is already changed, so a GitHub
 * failure does not fail the workflow: the thread says which files to add by hand.
 */
export async function deliverToRepository(
  deps: { pool: Pool; repository: RepositoryMigrations },
  workflow: Workflow,
  shown: readonly ShownMigration[],
  say: (key: string, text: string) => Promise<void>,
): Promise<void> {
  const events = await listEvents(deps.pool, workflow.id);
  if (events.some((e) => e.type === 'migration_pr_opened')) return;
  const merged = events
    .filter((e) => e.type === 'migration_merged')
    .flatMap((e) => {
      const m = shown.find((s) => s.name === e.data.name);
      return m ? [{ version: String(e.data.version), name: m.name, up_sql: m.up_sql, down_sql: m.down_sql }] : [];
    });
  if (!merged.length) return;
  try {
    const pr = await deps.repository.openMergePullRequest(workflow.id, workflow.request, merged);
    await registerCompensation(deps.pool, {
      workflowId: workflow.id,
      stepId: shown[0]!.step_id,
      key: 'migration-pull-request',
      kind: 'revert-migration-pr',
      data: { pull_request: pr.number, branch: pr.branch, files: pr.files },
    });
    await recordEvent(deps.pool, workflow.id, 'migration_pr_opened', null, {
      pull_request: pr.number,
      url: pr.html_url,
      branch: pr.branch,
      base: pr.base,
      files: pr.files,
    });
    await say(
      'migration-pr',
      `:octocat: Pull request #${pr.number} adds the merged migration file(s) to \`${pr.base}\` of ` +
        `${deps.repository.where.split(':')[0]}: ${pr.html_url}\nMerge it so the repository matches production.`,
    );
  } catch (error) {
    const message = (error as Error).message;
    await recordEvent(deps.pool, workflow.id, 'migration_pr_failed', null, { error: message });
    await say(
      'migration-pr-failed',
      `:warning: The merged migrations are on production, but the pull request could not be opened: ${message}. ` +
        `Add ${merged.map((m) => `\`supabase/migrations/${m.version}_${m.name}.sql\``).join(', ')} to the repository by hand.`,
    );
  }
}
