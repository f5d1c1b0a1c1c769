import type { Logger } from '../../logger';

/** Settings of a LocalBranchProvider; `targetUrl`, `roleSecret` and `logger` are required. */
export interface LocalBranchProviderOptions {
  /** The team's database (production). Only the read-only schema copy, merge, revert and backup use it. */
  targetUrl: string;
  /**
   * The branch server: a login with CREATEDB and CREATEROLE on a Postgres server apart from production
   * (INFRA_BRANCH_DATABASE_URL). Without it, branches go on the target's server (the shared mode,
   * INFRA_ALLOW_SHARED_BRANCH_SERVER), under the same per-branch roles.
   */
  branchServerUrl?: string;
  /** Allows a branch server that turns out to be the production server (default false). */
  allowSharedServer?: boolean;
  /** The secret the branch roles' passwords are derived from (HMAC); the same on every replica. */
  roleSecret: string;
  logger: Logger;
  /** Lock and statement timeouts of merge and revert on the target (defaults 5 s and 60 s). */
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
  /** pg_dump and pg_restore are stopped after this long when creating a branch (default 2 min). */
  toolTimeoutMs?: number;
  /** A backup is stopped after this long (default 30 min). */
  backupTimeoutMs?: number;
  now?: () => Date;
  /** Appended to branch names so that several bots (or test runs) can share one server. */
  namespace?: string;
}

/** The timeouts and clock of a LocalBranchProvider, with their defaults filled in. */
export interface LocalBranchTimings {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  toolTimeoutMs: number;
  backupTimeoutMs: number;
  now: () => Date;
}

export function localBranchTimings(options: LocalBranchProviderOptions): LocalBranchTimings {
  return {
    lockTimeoutMs: options.lockTimeoutMs ?? 5000,
    statementTimeoutMs: options.statementTimeoutMs ?? 60_000,
    toolTimeoutMs: options.toolTimeoutMs ?? 120_000,
    backupTimeoutMs: options.backupTimeoutMs ?? 1_800_000,
    now: options.now ?? (() => new Date()),
  };
}
