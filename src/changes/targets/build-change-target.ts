import { createHash, createHmac } from 'node:crypto';
import { join } from 'node:path';
import { Pool } from 'pg';
import { ConfigError, type Config } from '../../config/config';
import { type Logger, scrubUrl } from '../../logger';
import type { PreflightCheck } from '../../domain/preflight';
import { targetDatabaseCheck } from './target-preflight';
import { ensurePrivateDir } from '../../store/private-files';
import type { ChangeTarget } from './change-target';
import { compareServers } from './branch-server-check';
import { LocalBranchProvider } from './local-branch-provider';
import { readOnlyUrl } from './pg-tools';
import { migrationFilesCheck, withMigrationFiles } from '../checks/migration-files';
import { SupabaseBranchProvider } from './supabase-branch-provider';
import { supabaseChangeTarget } from './supabase-change-target';
import { supabaseEdgeFunctions } from './supabase-edge-functions';
import { SupabaseManagementApi } from './supabase-management-api';
import { targetHistory } from './target-migrations';
import { type RepositoryMigrations, repositoryMigrationsCheck } from './repository-migrations';

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
  /** GITHUB_REPOSITORY's migrations: pre-flight reads them there, instead of INFRA_MIGRATIONS_DIR. */
  repository?: RepositoryMigrations;
}

/**
 * Supabase (SUPABASE_ACCESS_TOKEN + SUPABASE_PROJECT_REF) wins over a self-hosted TARGET_DATABASE_URL;
 * with neither, there is no target and the gates say the branch test was not run.
 */
export function buildChangeSetup(config: Config, logger: Logger, opts: ChangeSetupOptions = {}): ChangeSetup {
  const ownFolder = config.INFRA_MIGRATIONS_DIR === undefined;
  const migrationsDir = config.INFRA_MIGRATIONS_DIR ?? join(config.INFRA_WORKSPACE_DIR, 'supabase', 'migrations');
  const repository = opts.repository;
  // With a repository the merge delivers the files as a pull request (src/changes/merge/); else into the folder.
  const withFiles = (target: ChangeTarget) => (repository ? target : withMigrationFiles(target, migrationsDir));
  const filesCheck = (target: ChangeTarget) =>
    repository
      ? repositoryMigrationsCheck(target, repository)
      : migrationFilesCheck(target, migrationsDir, { ownFolder });
  if (config.SUPABASE_ACCESS_TOKEN && config.SUPABASE_PROJECT_REF) {
    const api = new SupabaseManagementApi({
      baseUrl: config.SUPABASE_API_URL,
      accessToken: config.SUPABASE_ACCESS_TOKEN,
    });
    const projectRef = config.SUPABASE_PROJECT_REF;
    const provider = new SupabaseBranchProvider({
      api,
      projectRef,
      ...(opts.supabasePollIntervalMs === undefined ? {} : { pollIntervalMs: opts.supabasePollIntervalMs }),
    });
    const functions = supabaseEdgeFunctions({ api, provider, projectRef, projectUrl: config.SUPABASE_PROJECT_URL });
    const target = {
      ...withFiles({ ...supabaseChangeTarget({ api, provider, projectRef }), functions }),
      description: `Supabase project ${projectRef}`,
    };
    const reachable = targetDatabaseCheck(async () => {
      await api.listBranches(projectRef);
    }, `Supabase project ${projectRef} (branching)`);
    return { target, preflight: [reachable, filesCheck(target)] };
  }
  if (config.TARGET_DATABASE_URL) {
    const url = config.TARGET_DATABASE_URL;
    const target = {
      ...withFiles(opts.postgresTarget ?? localChangeTarget(config, url, logger)),
      description: `the Postgres database ${databaseLabel(url)}`,
    };
    return {
      target,
      preflight: [targetDatabaseCheck(() => pingPostgres(readOnlyUrl(url)), scrubUrl(url)), filesCheck(target)],
    };
  }
  return { preflight: [] };
}

/** Host, port and database of a connection URL, without its user, password or parameters. */
function databaseLabel(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return 'of TARGET_DATABASE_URL';
  }
}

/** Six hex digits naming this bot's deployment (its own database) in branch names. */
function branchNamespace(databaseUrl: string): string {
  return createHash('sha256').update(databaseUrl).digest('hex').slice(0, 6);
}

/**
 * At start-up, with a self-hosted target: refuses to run when INFRA_BRANCH_DATABASE_URL is the production
 * server (unless INFRA_ALLOW_SHARED_BRANCH_SERVER=true). When either server does not answer yet, it
 * warns and goes on: the provider checks again before it makes its first branch, and the pre-flight
 * check reports an unreachable target.
 */
export async function checkBranchServer(config: Config, logger: Logger, opts: ChangeSetupOptions = {}): Promise<void> {
  const target = config.TARGET_DATABASE_URL;
  if (!target || opts.postgresTarget || (config.SUPABASE_ACCESS_TOKEN && config.SUPABASE_PROJECT_REF)) return;
  const branches = config.INFRA_BRANCH_DATABASE_URL;
  if (!branches) {
    logger.warn(
      'INFRA_ALLOW_SHARED_BRANCH_SERVER=true and no INFRA_BRANCH_DATABASE_URL: branches are made on the ' +
        'production server, each under its own least-privilege roles',
    );
    return;
  }
  let comparison: Awaited<ReturnType<typeof compareServers>>;
  try {
    comparison = await compareServers(target, branches);
  } catch (error) {
    logger.warn(
      { err: scrubUrl((error as Error).message) },
      'could not compare the branch server with the production server yet; the check runs again before the first branch',
    );
    return;
  }
  if (!comparison.same) {
    logger.info(
      { method: comparison.method, branchServer: scrubUrl(branches) },
      'branch server is apart from the production server',
    );
  } else if (config.INFRA_ALLOW_SHARED_BRANCH_SERVER) {
    logger.warn(
      { method: comparison.method },
      'INFRA_BRANCH_DATABASE_URL is the production server, as INFRA_ALLOW_SHARED_BRANCH_SERVER=true allows; ' +
        'branches keep their least-privilege roles',
    );
  } else {
    throw new ConfigError([
      `INFRA_BRANCH_DATABASE_URL is the production server of TARGET_DATABASE_URL (same ${comparison.method}): ` +
        'point it at a separate Postgres server for branches (a login with CREATEDB and CREATEROLE there), or ' +
        'set INFRA_ALLOW_SHARED_BRANCH_SERVER=true to accept branches on the production server',
    ]);
  }
}

/** The secret branch roles' passwords derive from: every replica has the signing secret, so no new setting is needed. */
function branchRoleSecret(config: Config): string {
  return createHmac('sha256', config.SLACK_SIGNING_SECRET).update('infra-orchestrator branch roles').digest('hex');
}

/** Self-hosted Postgres: branches are databases on the branch server cloned from the target's schema; backups are pg_dump files. */
function localChangeTarget(config: Config, targetUrl: string, logger: Logger): ChangeTarget {
  const backupDir = join(config.INFRA_WORKSPACE_DIR, 'backups');
  const provider = new LocalBranchProvider({
    targetUrl,
    branchServerUrl: config.INFRA_BRANCH_DATABASE_URL,
    allowSharedServer: config.INFRA_ALLOW_SHARED_BRANCH_SERVER,
    roleSecret: branchRoleSecret(config),
    logger,
    namespace: branchNamespace(config.DATABASE_URL),
  });
  return {
    provider,
    backupPoint: async () => {
      await ensurePrivateDir(config.INFRA_WORKSPACE_DIR, backupDir);
      return provider.backup(backupDir);
    },
    backupPlan: async () => `a pg_dump of the target, taken just before the merge into ${backupDir}`,
    merge: (workflowId, migration) => provider.merge(workflowId, migration),
    revert: async (workflowId, migration) => {
      await provider.revert(workflowId, migration);
    },
    history: () => targetHistory(readOnlyUrl(targetUrl)),
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
