import type { PreflightResult } from '../../domain/preflight';
import { compareMigrations, migrationFilesOf, migrationPreflight } from '../checks/migration-files';
import type { ChangeTarget } from './change-target';
import { type GitHubApi, GitHubApiError, type PullRequest } from './github-api';

/** Where merged migrations go in the repository: the Supabase CLI's folder. */
export const REPO_MIGRATIONS_DIR = 'supabase/migrations';
/** Their rollback SQL, apart from supabase/migrations (whose every file the CLI applies). */
export const REPO_ROLLBACKS_DIR = 'supabase/rollbacks';

const SAFE_PATH = /^supabase\/(migrations\/\d{14}_[a-z0-9_]+\.sql|rollbacks\/\d{14}_[a-z0-9_]+\.down\.sql)$/;

/** A migration merged to production, with the version the target's history gave it. */
export interface DeliveredMigration {
  version: string;
  name: string;
  up_sql: string;
  down_sql: string;
}

/** The pull request carrying a workflow's merged migrations. */
export interface MigrationPullRequest extends PullRequest {
  branch: string;
  base: string;
  files: string[];
}

/** What undoing the migrations' pull request did. */
export type MigrationPullRequestUndo =
  | { action: 'closed'; number: number; url: string }
  | { action: 'reverted'; number: number; url: string; reverts: number }
  | { action: 'none'; number: number; url: string };

/** The branch of a workflow's migrations pull request, and of the one that reverts it. */
export const migrationsBranch = (workflowId: number) => `infra-wf-${workflowId}-migrations`;
const revertBranch = (workflowId: number) => `infra-wf-${workflowId}-revert-migrations`;

/**
 * The team's repository as the home of its migrations (GITHUB_REPOSITORY): pre-flight reads the files
 * of the default branch, a merge opens a pull request adding them, a rollback undoes that pull request.
 */
export class RepositoryMigrations {
  constructor(private readonly github: GitHubApi) {}

  /** Where the files are read from, for pre-flight's messages. */
  get where(): string {
    return `${this.github.repository}:${REPO_MIGRATIONS_DIR}`;
  }

  /** The migration files of the default branch; a repository without the folder has none yet. */
  async files() {
    const base = await this.github.defaultBranch();
    const entries = (await this.github.listDirectory(REPO_MIGRATIONS_DIR, base)) ?? [];
    return migrationFilesOf(entries.filter((e) => e.type === 'file').map((e) => e.name));
  }

  /** Opens (or finds) the pull request adding each migration and its rollback file to the default branch. */
  async openMergePullRequest(
    workflowId: number,
    request: string,
    migrations: readonly DeliveredMigration[],
  ): Promise<MigrationPullRequest> {
    const base = await this.github.defaultBranch();
    const branch = migrationsBranch(workflowId);
    await this.branchFrom(branch, base);
    const files: string[] = [];
    for (const m of migrations) {
      const up = checked(`${REPO_MIGRATIONS_DIR}/${m.version}_${m.name}.sql`);
      const down = checked(`${REPO_ROLLBACKS_DIR}/${m.version}_${m.name}.down.sql`);
      await this.github.commitFile(branch, up, `${m.up_sql.trimEnd()}\n`, `infra #${workflowId}: migration ${m.name}`);
      await this.github.commitFile(
        branch,
        down,
        `${m.down_sql.trimEnd()}\n`,
        `infra #${workflowId}: rollback of ${m.name}`,
      );
      files.push(up, down);
    }
    const pr = await this.github.openPullRequest(
      branch,
      base,
      `infra #${workflowId}: ${migrations.map((m) => m.name).join(', ')}`.slice(0, 120),
      [
        `Migrations that infra-orchestrator workflow #${workflowId} merged to production after its gates were approved in Slack.`,
        `Request: ${request.slice(0, 500)}`,
        '',
        ...migrations.map((m) => `- \`${m.version}_${m.name}\``),
        '',
        'They are already applied to production: merge this so the repository matches it. ' +
          `Rollback SQL is in ${REPO_ROLLBACKS_DIR}/.`,
      ].join('\n'),
    );
    return { ...pr, branch, base, files };
  }

  /**
   * After a production rollback: an unmerged pull request is closed (nothing reached the default
   * branch); a merged one gets a pull request deleting its files again.
   */
  async undoMergePullRequest(
    workflowId: number,
    pr: { pull_request: number; branch: string; files: readonly string[] },
  ): Promise<MigrationPullRequestUndo> {
    const state = await this.github.pullRequest(pr.pull_request);
    if (state.state === 'open') {
      await this.github.closePullRequest(pr.pull_request);
      await this.github.deleteBranch(pr.branch);
      return { action: 'closed', number: state.number, url: state.html_url };
    }
    if (!state.merged) return { action: 'none', number: state.number, url: state.html_url };
    const base = await this.github.defaultBranch();
    const branch = revertBranch(workflowId);
    await this.branchFrom(branch, base);
    for (const file of pr.files)
      await this.github.deleteFile(branch, checked(file), `infra #${workflowId}: roll back ${file}`);
    const revert = await this.github.openPullRequest(
      branch,
      base,
      `Revert infra #${workflowId} migrations (rolled back on production)`,
      `Production was rolled back in Slack, so the files of #${pr.pull_request} go too:\n` +
        pr.files.map((f) => `- \`${f}\``).join('\n'),
    );
    return { action: 'reverted', number: revert.number, url: revert.html_url, reverts: pr.pull_request };
  }

  private async branchFrom(branch: string, base: string): Promise<void> {
    if (await this.github.branchSha(branch)) return;
    const sha = await this.github.branchSha(base);
    if (!sha)
      throw new GitHubApiError(
        'Creating a branch',
        `the default branch ${base} has no commit; push one first`,
        false,
        undefined,
      );
    await this.github.createBranch(branch, sha);
  }
}

/** Only the two migration folders, with the names the bot writes: never a path a name could bend. */
function checked(path: string): string {
  if (!SAFE_PATH.test(path))
    throw new GitHubApiError(
      `Committing ${JSON.stringify(path)}`,
      `refused: the bot writes only ${REPO_MIGRATIONS_DIR}/<version>_<name>.sql and ${REPO_ROLLBACKS_DIR}/<version>_<name>.down.sql`,
      false,
      undefined,
    );
  return path;
}

/** Pre-flight against the repository's default branch, so every worker compares the same files. */
export function repositoryMigrationsCheck(target: ChangeTarget, repository: RepositoryMigrations) {
  return {
    name: 'Pending migrations',
    async run(): Promise<PreflightResult[]> {
      const [files, history] = await Promise.all([repository.files(), target.history()]);
      return migrationPreflight(compareMigrations(files, history), repository.where);
    },
  };
}
