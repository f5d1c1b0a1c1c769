import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { z } from 'zod';
import { migrationSchema, type Migration } from '../../src/domain/handoff';
import { ActionFailedError } from '../../src/domain/errors';
import type { Logger } from '../../src/logger';
import { BRANCH_DATABASE_PATTERN, branchDatabaseName } from '../../src/changes/targets/branch-database';
import {
  type Branch,
  type BranchProvider,
  branchName,
  type SqlResult,
} from '../../src/changes/targets/branch-provider';
import { runSqlOn, sqlOptions } from '../../src/changes/targets/branch-sql';
import type { ChangeTarget } from '../../src/changes/targets/change-target';
import {
  mergeIntoTarget,
  revertOnTarget,
  targetHistory,
  type TargetMigrationOptions,
} from '../../src/changes/targets/target-migrations';
import type { EmbeddedPostgres } from './embedded-postgres';

/** Settings of an EmbeddedBranchProvider. */
export interface EmbeddedBranchProviderOptions {
  server: EmbeddedPostgres;
  /** The embedded database that plays production. */
  target: string;
  logger: Logger;
  /** Appended to branch names, as for the self-hosted provider. */
  namespace?: string;
  now?: () => Date;
}

/** Tables of the schemas a project owns: everything but the catalogs. */
const USER_TABLES_SQL = `
  select format('%I.%I', n.nspname, c.relname) as name
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'`;

const userTableSchema = z.object({ name: z.string() });

/**
 * Branches on the embedded Postgres (the demo without a server): a branch is a new embedded database
 * copied from the target's files — schema, roles and grants — with every table emptied, so it holds
 * what the self-hosted provider's pg_dump --schema-only copy holds, without needing pg_dump. Branches
 * live in memory with the server; SQL reaches them over the wire protocol like any database.
 */
export class EmbeddedBranchProvider implements BranchProvider {
  readonly kind = 'postgres';
  private readonly branches = new Map<string, Branch>();
  private readonly creating = new Map<string, Promise<Branch>>();
  private readonly now: () => Date;

  constructor(private readonly options: EmbeddedBranchProviderOptions) {
    this.now = options.now ?? (() => new Date());
  }

  createBranch(workflowId: number): Promise<Branch> {
    const name = branchDatabaseName(workflowId, this.options.namespace);
    const existing = this.branches.get(name);
    if (existing) return Promise.resolve(existing);
    const pending = this.creating.get(name) ?? this.make(workflowId, name).finally(() => this.creating.delete(name));
    this.creating.set(name, pending);
    return pending;
  }

  async getBranch(workflowId: number): Promise<Branch | undefined> {
    return this.branches.get(branchDatabaseName(workflowId, this.options.namespace));
  }

  async listBranches(): Promise<Branch[]> {
    return [...this.branches.values()];
  }

  async deleteBranch(workflowId: number): Promise<void> {
    const name = branchDatabaseName(workflowId, this.options.namespace);
    await this.creating.get(name)?.catch(() => undefined);
    this.branches.delete(name);
    await this.options.server.dropDatabase(name);
    this.options.logger.info({ branch: name }, 'embedded branch deleted');
  }

  async runSql(
    branch: Branch,
    sql: string,
    opts?: { readOnly?: boolean; timeoutMs?: number; rowLimit?: number },
  ): Promise<SqlResult> {
    if (!BRANCH_DATABASE_PATTERN.test(branch.id) || !this.branches.has(branch.id)) {
      throw new ActionFailedError(
        'Running SQL on a branch',
        `${branch.id} is not a branch of the embedded target; SQL from agents runs on branches only.`,
        false,
      );
    }
    return runSqlOn(this.options.server.url(branch.id), `branch ${branch.name}`, sql, sqlOptions(opts));
  }

  private async make(workflowId: number, name: string): Promise<Branch> {
    const { server, target } = this.options;
    const action = `Creating branch ${branchName(workflowId)}`;
    try {
      await server.cloneDatabase(target, name);
      await server.exclusive(name, emptyTables);
    } catch (error) {
      await server.dropDatabase(name).catch(() => undefined);
      throw new ActionFailedError(
        action,
        `the embedded target could not be copied (${(error as Error).message}); restart the demo.`,
        false,
      );
    }
    const branch: Branch = {
      id: name,
      name: branchName(workflowId),
      workflowId,
      createdAt: this.now(),
      databaseUrl: server.url(name),
      ready: true,
    };
    this.branches.set(name, branch);
    this.options.logger.info({ branch: name }, 'embedded branch created with the target schema');
    return branch;
  }
}

/** Empties every table of a fresh copy, so the branch has the target's schema and none of its data. */
async function emptyTables(db: PGlite): Promise<void> {
  const { rows } = await db.query(USER_TABLES_SQL);
  const names = rows.map((row) => userTableSchema.parse(row).name);
  if (names.length) await db.exec(`truncate ${names.join(', ')} restart identity cascade`);
}

/** Settings of the embedded change target. */
export interface EmbeddedChangeTargetOptions extends EmbeddedBranchProviderOptions {
  /** Where backup points (copies of the target's files) are written. */
  backupDir: string;
}

/**
 * The embedded target as the engine sees it: branches from EmbeddedBranchProvider; merge, revert and
 * history over the wire protocol exactly as on a self-hosted server; backup points are gzipped copies
 * of the target's data directory, which `new PGlite({ loadDataDir })` opens again.
 */
export function embeddedChangeTarget(options: EmbeddedChangeTargetOptions): ChangeTarget {
  const provider = new EmbeddedBranchProvider(options);
  const url = options.server.url(options.target);
  const limits: TargetMigrationOptions = {
    lockTimeoutMs: 5000,
    statementTimeoutMs: 60_000,
    now: options.now ?? (() => new Date()),
  };
  return {
    provider,
    backupPoint: () => backupTarget(options),
    backupPlan: async () =>
      `a copy of the embedded target's data directory, taken just before the merge into ${options.backupDir}`,
    merge: (_workflowId, migration: Migration) => mergeIntoTarget(url, migrationSchema.parse(migration), limits),
    revert: async (_workflowId, migration: Migration) => {
      await revertOnTarget(url, migrationSchema.parse(migration), limits);
    },
    history: () => targetHistory(url),
  };
}

async function backupTarget(options: EmbeddedChangeTargetOptions): Promise<string> {
  await mkdir(options.backupDir, { recursive: true, mode: 0o700 });
  await chmod(options.backupDir, 0o700);
  const stamp = (options.now ?? (() => new Date()))().toISOString().replace(/[-:.]/g, '');
  const path = join(options.backupDir, `backup-${stamp}.tar.gz`);
  const partial = `${path}.partial`;
  try {
    const dump = await options.server.exclusive(options.target, (db) => db.dumpDataDir('gzip'));
    await writeFile(partial, Buffer.from(await dump.arrayBuffer()), { mode: 0o600 });
    await chmod(partial, 0o600);
    await rename(partial, path);
  } finally {
    await rm(partial, { force: true });
  }
  options.logger.info({ path }, 'embedded target backed up');
  return path;
}
