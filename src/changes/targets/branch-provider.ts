/**
 * Where migrations are tried before production: a Supabase preview branch, or a database cloned from
 * a self-hosted target. Agents and engine actions reach the branch only through this interface; only
 * `merge` (after an approved gate) touches production.
 */
export interface Branch {
  /** Provider-specific id (Supabase branch id, or the branch database name). */
  id: string;
  /** Carries the workflow id, e.g. `infra-wf-12`. */
  name: string;
  workflowId: number;
  createdAt: Date;
  /** Connection string of the branch database; never shown in Slack (it may hold a password). */
  databaseUrl: string;
  /** False while the branch is still being made (listed so that clean-up can find a creation that died). */
  ready?: boolean;
}

export interface SqlResult {
  rows: Array<Record<string, unknown>>;
  rowCount: number;
}

export interface BranchProvider {
  /** `supabase` or `postgres`. */
  readonly kind: string;
  /** Creates the branch for a workflow, or returns the one it already has (idempotent by name). */
  createBranch(workflowId: number): Promise<Branch>;
  getBranch(workflowId: number): Promise<Branch | undefined>;
  listBranches(): Promise<Branch[]>;
  /** Deletes the branch; deleting a missing branch is not an error. */
  deleteBranch(workflowId: number): Promise<void>;
  /** Runs SQL on the branch (never on production). Say `readOnly` explicitly: the providers differ in their default. */
  runSql(
    branch: Branch,
    sql: string,
    opts?: { readOnly?: boolean; timeoutMs?: number; rowLimit?: number },
  ): Promise<SqlResult>;
}

/** Branch names carry the workflow id, so orphans can be traced to their workflow. */
export function branchName(workflowId: number): string {
  return `infra-wf-${workflowId}`;
}
