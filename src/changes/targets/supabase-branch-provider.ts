import { setTimeout as sleep } from 'node:timers/promises';
import { ActionFailedError } from '../../domain/errors';
import { branchName, type Branch, type BranchProvider, type SqlResult } from './branch-provider';
import type { SupabaseBranch, SupabaseBranchDetails, SupabaseLint, SupabaseMigration } from './supabase-api-schemas';
import { SupabaseApiError } from './supabase-api-transport';
import type { SupabaseManagementApi } from './supabase-management-api';

/**
 * `BranchResponse.status` goes CREATING_PROJECT -> RUNNING_MIGRATIONS -> MIGRATIONS_PASSED (-> FUNCTIONS_DEPLOYED),
 * or ends in MIGRATIONS_FAILED / FUNCTIONS_FAILED (enum of the v1 spec). Ready = migrations ran and the database
 * (`BranchDetailResponse.status`, a project status) is ACTIVE_HEALTHY.
 */
const READY = new Set(['MIGRATIONS_PASSED', 'FUNCTIONS_DEPLOYED']);
const FAILED = new Set(['MIGRATIONS_FAILED', 'FUNCTIONS_FAILED']);
/** Project statuses (`BranchDetailResponse.status`) from which the branch will not come up by waiting. */
const DEAD = new Set(['INIT_FAILED', 'REMOVED', 'RESTORE_FAILED', 'PAUSE_FAILED', 'GOING_DOWN']);
const NAME = /^infra-wf-(\d+)$/;
const CREATE = 'Creating a Supabase branch';

/** Options of {@link SupabaseBranchProvider}. */
export interface SupabaseBranchProviderOptions {
  api: SupabaseManagementApi;
  /** The production project (SUPABASE_PROJECT_REF): branches are made from it, SQL never runs on it. */
  projectRef: string;
  /** Between two status checks while a branch comes up; default 5000 ms. */
  pollIntervalMs?: number;
  /** How long `createBranch` waits for the branch to be ready; default 10 minutes. */
  readyTimeoutMs?: number;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** The last backup point of the project. */
export interface SupabaseBackupSummary {
  pitrEnabled: boolean;
  /** The newest backup of any status, or undefined when there is none. */
  last?: { insertedAt: Date; status: string; physical: boolean };
  /** The newest COMPLETED backup: the point a restore would go back to. */
  lastCompleted?: { insertedAt: Date; physical: boolean };
}

/**
 * Supabase preview branches through the Management API. SQL goes through the query endpoint of the
 * BRANCH's own project ref; the production ref is refused. `runSql` is read-only unless the caller
 * passes `readOnly: false`: read-only runs send `read_only: true`, which the API enforces by running
 * the query as its read-only role (no client-side `BEGIN READ ONLY` wrapping, which would make the
 * endpoint answer the rows of the final `ROLLBACK` instead of the query's).
 */
export class SupabaseBranchProvider implements BranchProvider {
  readonly kind = 'supabase';
  private readonly api: SupabaseManagementApi;
  private readonly projectRef: string;
  private readonly wait: Required<
    Pick<SupabaseBranchProviderOptions, 'pollIntervalMs' | 'readyTimeoutMs' | 'sleep' | 'now'>
  >;
  /** Branch id -> the branch's own project ref. */
  private readonly refs = new Map<string, string>();

  constructor(options: SupabaseBranchProviderOptions) {
    this.api = options.api;
    this.projectRef = options.projectRef;
    const {
      pollIntervalMs = 5_000,
      readyTimeoutMs = 10 * 60_000,
      sleep: pause = (ms: number) => sleep(ms),
      now = Date.now,
    } = options;
    this.wait = { pollIntervalMs, readyTimeoutMs, sleep: pause, now };
  }

  /** Creates `infra-wf-<id>` (or reuses it) and waits until its migrations ran and its database is up. */
  async createBranch(workflowId: number): Promise<Branch> {
    const name = branchName(workflowId);
    const existing = await this.find(workflowId);
    const created = existing ?? (await this.api.createBranch(this.projectRef, { branch_name: name }));
    this.refs.set(created.id, created.project_ref);
    const { now, readyTimeoutMs } = this.wait;
    const deadline = now() + readyTimeoutMs;
    for (let branch = created; ; ) {
      if (FAILED.has(branch.status))
        throw new ActionFailedError(
          CREATE,
          `branch ${name} ended in ${branch.status}; see its logs in the Supabase dashboard, fix the ` +
            `migrations, then delete the branch and retry`,
          false,
        );
      if (READY.has(branch.status)) {
        const details = await this.api.getBranchDetails(branch.id);
        if (DEAD.has(details.status))
          throw new ActionFailedError(
            CREATE,
            `the database of ${name} is ${details.status}; delete the branch and retry`,
            false,
          );
        if (details.status === 'ACTIVE_HEALTHY') return toBranch(branch, workflowId, details);
      }
      if (now() >= deadline)
        throw new ActionFailedError(
          CREATE,
          `branch ${name} was not ready after ${Math.round(readyTimeoutMs / 1000)} s (status ${branch.status}); it can be retried`,
          true,
        );
      await this.wait.sleep(this.wait.pollIntervalMs);
      const again = await this.find(workflowId);
      if (again === undefined)
        throw new ActionFailedError(CREATE, `branch ${name} disappeared while it was coming up; retry`, true);
      branch = again;
    }
  }

  /** The workflow's branch with its connection string, or undefined. */
  async getBranch(workflowId: number): Promise<Branch | undefined> {
    const branch = await this.find(workflowId);
    return branch && toBranch(branch, workflowId, await this.api.getBranchDetails(branch.id));
  }

  /** The bot's branches (`infra-wf-*`) of the project. `databaseUrl` is empty here: `getBranch` has it. */
  async listBranches(): Promise<Branch[]> {
    return (await this.botBranches()).map((b) => toBranch(b, Number(NAME.exec(b.name)?.[1]), undefined));
  }

  /** Deletes the workflow's branch; a branch that is already gone is fine. */
  async deleteBranch(workflowId: number): Promise<void> {
    const branch = await this.find(workflowId);
    if (branch === undefined) return;
    await this.api.deleteBranch(branch.id).catch((error: unknown) => {
      if (!(error instanceof SupabaseApiError && error.status === 404)) throw error;
    });
    this.refs.delete(branch.id);
  }

  /**
   * SQL on the branch's own project; read-only unless `readOnly: false`; `timeoutMs` bounds the HTTP call;
   * `rowLimit` cuts the rows returned.
   */
  async runSql(
    branch: Branch,
    sql: string,
    opts: { readOnly?: boolean; timeoutMs?: number; rowLimit?: number } = {},
  ): Promise<SqlResult> {
    if (!NAME.test(branch.name))
      throw new ActionFailedError(
        'Running SQL',
        `${branch.name} is not a branch of this bot; SQL only runs on infra-wf-* branches`,
        false,
      );
    const ref = await this.refOf(branch.id);
    const rows = await this.api.runQuery(ref, { query: sql, read_only: opts.readOnly ?? true }, opts.timeoutMs);
    return { rows: opts.rowLimit === undefined ? rows : rows.slice(0, opts.rowLimit), rowCount: rows.length };
  }

  /** Applies (and records) a migration on the workflow's branch, never on production. */
  async applyMigration(workflowId: number, migration: { name: string; query: string }): Promise<void> {
    await this.api.applyMigration(await this.refOf((await this.require(workflowId)).id), migration);
  }

  /** Starts merging the branch into production (only after an approved gate); the merge runs asynchronously under `workflowRunId`. */
  async merge(workflowId: number): Promise<{ workflowRunId: string | undefined }> {
    return { workflowRunId: (await this.api.mergeBranch((await this.require(workflowId)).id)).workflow_run_id };
  }

  /** Resets the branch database and re-runs its migrations (asynchronously). */
  async reset(workflowId: number): Promise<{ workflowRunId: string | undefined }> {
    return { workflowRunId: (await this.api.resetBranch((await this.require(workflowId)).id)).workflow_run_id };
  }

  /** Migration history of production, or of the workflow's branch. */
  async listMigrations(workflowId?: number): Promise<SupabaseMigration[]> {
    return this.api.listMigrations(await this.target(workflowId));
  }

  /** Security lints of production, or of the workflow's branch. */
  async securityAdvisors(workflowId?: number): Promise<SupabaseLint[]> {
    return this.api.securityAdvisors(await this.target(workflowId));
  }

  /** The project ref of the workflow's branch (its own project: SQL, functions and logs go there). */
  async branchRef(workflowId: number): Promise<string> {
    return this.target(workflowId);
  }

  /** Runs a logs query (`logs.all`) on production. */
  logs(
    sql: string,
    range: { isoTimestampStart?: string; isoTimestampEnd?: string } = {},
  ): Promise<Array<Record<string, unknown>>> {
    return this.api.logs(this.projectRef, sql, range);
  }

  /** The last backup points of production. */
  async backups(): Promise<SupabaseBackupSummary> {
    const answer = await this.api.backups(this.projectRef);
    const byTime = [...answer.backups].sort((a, b) => Date.parse(b.inserted_at) - Date.parse(a.inserted_at));
    const last = byTime[0];
    const completed = byTime.find((b) => b.status === 'COMPLETED');
    const summary: SupabaseBackupSummary = { pitrEnabled: answer.pitr_enabled };
    if (last)
      summary.last = { insertedAt: new Date(last.inserted_at), status: last.status, physical: last.is_physical_backup };
    if (completed)
      summary.lastCompleted = { insertedAt: new Date(completed.inserted_at), physical: completed.is_physical_backup };
    return summary;
  }

  /** Branches of this project named infra-wf-<n>; none when branching is off (the API answers 422). */
  private async botBranches(): Promise<SupabaseBranch[]> {
    const all = await this.api.listBranches(this.projectRef).catch((error: unknown): SupabaseBranch[] => {
      if (error instanceof SupabaseApiError && error.status === 422) return [];
      throw error;
    });
    const mine = all.filter(
      (b) =>
        NAME.test(b.name) &&
        !b.is_default &&
        b.parent_project_ref === this.projectRef &&
        b.project_ref !== this.projectRef,
    );
    for (const b of mine) this.refs.set(b.id, b.project_ref);
    return mine;
  }

  private async find(workflowId: number): Promise<SupabaseBranch | undefined> {
    return (await this.botBranches()).find((b) => b.name === branchName(workflowId));
  }

  private async require(workflowId: number): Promise<SupabaseBranch> {
    const branch = await this.find(workflowId);
    if (branch === undefined)
      throw new ActionFailedError(
        'Finding the Supabase branch',
        `there is no branch ${branchName(workflowId)}; create it first`,
        false,
      );
    return branch;
  }

  private async target(workflowId: number | undefined): Promise<string> {
    return workflowId === undefined ? this.projectRef : this.refOf((await this.require(workflowId)).id);
  }

  /** The branch's own project ref; refuses production (a default branch shares the parent's ref). */
  private async refOf(branchId: string): Promise<string> {
    const ref = this.refs.get(branchId) ?? (await this.api.getBranchDetails(branchId)).ref;
    if (ref === this.projectRef)
      throw new ActionFailedError(
        'Running SQL',
        'the branch resolves to the production project; refusing to run SQL there',
        false,
      );
    this.refs.set(branchId, ref);
    return ref;
  }
}

/** `postgresql://user:pass@host:port/postgres` when the API gives credentials, else ''. */
function toBranch(branch: SupabaseBranch, workflowId: number, details: SupabaseBranchDetails | undefined): Branch {
  let databaseUrl = '';
  if (details?.db_user !== undefined && details.db_pass !== undefined) {
    const credentials = `${encodeURIComponent(details.db_user)}:${encodeURIComponent(details.db_pass)}`;
    databaseUrl = `postgresql://${credentials}@${details.db_host}:${details.db_port}/postgres`;
  }
  return { id: branch.id, name: branch.name, workflowId, createdAt: new Date(branch.created_at), databaseUrl };
}
