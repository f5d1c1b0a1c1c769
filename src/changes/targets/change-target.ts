import type { Migration } from '../../domain/handoff';
import type { Check } from '../../domain/records';
import type { BranchProvider } from './branch-provider';
import type { EdgeFunctionSource } from '../checks/edge-functions';

/** What an Edge Function answered when the engine invoked it on the branch. */
export interface FunctionInvocation {
  ok: boolean;
  /** HTTP status; undefined when the function could not be reached. */
  status?: number;
  /** The start of the answer's body, or why there was none. */
  detail: string;
}

/** Where Edge Functions run (Supabase): deployed on the branch to be tried, on production after approval. */
export interface EdgeFunctionHost {
  deployToBranch(workflowId: number, fn: EdgeFunctionSource): Promise<{ version: number }>;
  /** Calls the function on the branch as a client would, with the anon key (supabase-js). */
  invokeOnBranch(workflowId: number, slug: string, body: unknown): Promise<FunctionInvocation>;
  /** The branch's recent Edge Function log lines, newest first. */
  branchLogs(workflowId: number, since: Date): Promise<string[]>;
  /** Slugs of the functions deployed on production. */
  listProduction(): Promise<string[]>;
  deployToProduction(fn: EdgeFunctionSource): Promise<{ version: number }>;
  deleteFromProduction(slug: string): Promise<void>;
}

/** One row of production's migration history (`supabase_migrations.schema_migrations`). */
export interface HistoryEntry {
  version: string;
  name?: string;
}

/**
 * The team's database as the engine sees it: branches to try changes on, and the two paths that touch
 * production, both started only by an approved gate — merge (with a backup point first) and revert.
 */
export interface ChangeTarget {
  /** Production as the merge gate names it (`Supabase project abcd…`, `the Postgres database db.example:5432/app`). */
  description?: string;
  provider: BranchProvider;
  /** Takes the last backup point before a merge; returns where it is (a file, or Supabase's backup time). */
  backupPoint(): Promise<string>;
  /** What the backup point will be, for the merge gate, without taking one. */
  backupPlan(): Promise<string>;
  /** Applies an approved migration to production and records it in the migration history. */
  merge(workflowId: number, migration: Migration): Promise<{ version: string; applied: boolean }>;
  /** Runs the migration's down SQL on production and removes it from the history. */
  revert(workflowId: number, migration: Migration): Promise<void>;
  /** Production's migration history, oldest first (read-only). */
  history(): Promise<HistoryEntry[]>;
  /** The platform's own security advisors on the workflow's branch, as gate checks (Supabase). */
  advisorChecks?(workflowId: number): Promise<Check[]>;
  /** Present where Edge Functions can be deployed and invoked (Supabase). */
  functions?: EdgeFunctionHost;
}
