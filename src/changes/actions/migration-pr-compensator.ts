import type { Pool } from 'pg';
import { recordEvent } from '../../store/events';
import type { Compensator } from '../../engine/ports/step-actions';
import type { RepositoryMigrations } from '../targets/repository-migrations';

/**
 * Roll back production: the merged migrations' pull request is undone too, so the repository keeps
 * matching production — closed while still open, or reverted by a pull request deleting its files once
 * merged. The outcome (with the reverting pull request's link) is recorded as `migration_pr_reverted`.
 */
export function revertMigrationPullRequestCompensator(deps: {
  pool: Pool;
  repository?: RepositoryMigrations;
}): Compensator {
  return {
    kind: 'revert-migration-pr',
    async run(data, ctx) {
      if (!deps.repository)
        throw new Error(
          `GITHUB_REPOSITORY is not configured here, so pull request #${data.pull_request} was left as it is; close or revert it by hand`,
        );
      const undone = await deps.repository.undoMergePullRequest(ctx.workflow.id, data);
      await recordEvent(deps.pool, ctx.workflow.id, 'migration_pr_reverted', null, {
        ...undone,
        of: data.pull_request,
      });
    },
  };
}
