import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Pool } from 'pg';
import type { Config } from '../config/config';
import { Logger, scrubUrl } from '../logger';
import { targetDatabaseCheck, type PreflightCheck } from '../workflow/preflight';
import type { ChangeTarget } from './change-target';
import { LocalBranchProvider } from './local-branch-provider';
import { migrationFilesCheck, withMigrationFiles } from './migration-files';
import { SupabaseBranchProvider } from './supabase-branch-provider';
import { supabaseChangeTarget } from './supabase-change-target';
import { supabaseEdgeFunctions } from './supabase-edge-functions';
import { SupabaseManagementApi } from './supabase-management-api';
import { targetHistory } from './target-migrations';

/** The configured target and the pre-flight checks that go with it. */
export interface ChangeSetup {
  target?: ChangeTarget;
  preflight: PreflightCheck[];
}

/** Test seams: how long a Supabase branch may take to come up, and how often it is polled. */
export interface ChangeSetupOptions {
  supabasePollIntervalMs?: number;
  /** Stands in for the self-hosted target of TARGET_DATABASE_URL (the demo's embedded Postgres). */
  postgresTarget?: ChangeTarget;
}

/**
 * Supabase (SUPABASE_ACCESS_TOKEN + SUPABASE_PROJECT_REF) wins over a self-hosted TARGET_DATABASE_URL;
 * with neither, there is no target and the gates say the branch test was not run.
 */
export function buildChangeSetup(config: Config, logger: Logger, opts: ChangeSetupOptions = {}): ChangeSetup {
  const ownFolder = config.INFRA_MIGRATIONS_DIR === undefined;
  const migrationsDir = config.INFRA_MIGRATIONS_DIR ?? join(config.INFRA_WORKSPACE_DIR, 'supabase', 'migrations');
  if (config.SUPABASE_ACCESS_TOKEN && config.SUPABASE_PROJECT_REF) {
    const api = new SupabaseManagementApi({ baseUrl: config.SUPABASE_API_URL, accessToken: config.SUPABASE_ACCESS_TOKEN });
    const projectRef = config.SUPABASE_PROJECT_REF;
    const provider = new SupabaseBranchProvider({ api, projectRef, ...(opts.supabasePollIntervalMs === undefined ? {} : { pollIntervalMs: opts.supabasePollIntervalMs }) });
    const functions = supabaseEdgeFunctions({ api, provider, projectRef, projectUrl: config.SUPABASE_PROJECT_URL });
    const target = withMigrationFiles({ ...supabaseChangeTarget({ api, provider, projectRef }), functions }, migrationsDir);
    const reachable = targetDatabaseCheck(async () => {
      await api.listBranches(projectRef);
    }, `Supabase project ${projectRef} (branching)`);
    return { target, preflight: [reachable, migrationFilesCheck(target, migrationsDir, { ownFolder })] };
  }
  if (config.TARGET_DATABASE_URL) {
    const url = config.TARGET_DATABASE_URL;
    const target = withMigrationFiles(opts.postgresTarget ?? localChangeTarget(url, join(config.INFRA_WORKSPACE_DIR, 'backups'), branchNamespace(config.DATABASE_URL), logger), migrationsDir);
    return { target, preflight: [targetDatabaseCheck(() => pingPostgres(url), scrubUrl(url)), migrationFilesCheck(target, migrationsDir, { ownFolder })] };
  }
  return { preflight: [] };
}

/** Six hex digits naming this bot's deployment (its own database) in branch names. */
function branchNamespace(databaseUrl: string): string {
  return createHash('sha256').update(databaseUrl).digest('hex').slice(0, 6);
}

/** Self-hosted Postgres: branches are databases cloned from the target's schema; backups are pg_dump files. */
function localChangeTarget(targetUrl: string, backupDir: string, namespace: string, logger: Logger): ChangeTarget {
  const provider = new LocalBranchProvider({ targetUrl, logger, namespace });
  return {
    provider,
    backupPoint: async () => {
      await mkdir(backupDir, { recursive: true });
      return provider.backup(backupDir);
    },
    backupPlan: async () => `a pg_dump of the target, taken just before the merge into ${backupDir}`,
    merge: (workflowId, migration) => provider.merge(workflowId, migration),
    revert: async (workflowId, migration) => {
      await provider.revert(workflowId, migration);
    },
    history: () => targetHistory(targetUrl),
  };
}

async function pingPostgres(url: string): Promise<void> {
  const pool = new Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 5000 });
  try {
    await pool.query('SELECT 1');
  } finally {
    await pool.end();
  }
}
