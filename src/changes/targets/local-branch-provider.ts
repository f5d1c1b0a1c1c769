import type { Client } from 'pg';
import type { Migration } from '../../domain/handoff';
import { migrationSchema } from '../../domain/handoff';
import { ActionFailedError } from '../../domain/errors';
import { type Logger, scrubUrl } from '../../logger';
import { type Branch, type BranchProvider, branchName, type SqlResult } from './branch-provider';
import {
  BRANCH_DATABASES_SQL,
  BRANCH_DATABASE_PATTERN,
  type BranchComment,
  branchDatabaseName,
  branchDatabaseRowSchema,
  parseBranchComment,
} from './branch-database';
import { runSqlOn, sqlOptions } from './branch-sql';
import { databaseOf, parsePgUrl, readOnlyUrl, withDatabase } from './pg-tools';
import {
  branchRoles,
  createBranchRoles,
  dropBranchRoles,
  grantReader,
  loginUrl,
  resetBranchPasswords,
  rolePassword,
} from './branch-roles';
import { assertSeparateServers } from './branch-server-check';
import { DEFAULT_PROBE_ROLES } from '../checks/rls-audit';
import { cloneSchema, createDatabaseSql, describeTarget } from './schema-clone';
import { applyDefaultAcls, ensureTargetRoles, readTargetRoles } from './target-roles';
import { type MergeResult, mergeIntoTarget, type RevertResult, revertOnTarget } from './target-migrations';
import { withClient } from './with-client';
import { type LocalBranchTimings, type LocalBranchProviderOptions, localBranchTimings } from './local-branch-options';
import { backupTarget } from './target-backup';

/**
 * Branches for self-hosted Postgres: a branch is a new database `infra_wf_<id>` on the branch server
 * holding the target's current schema, roles and grants, and no data. It is owned by a role of its own
 * (`<database>_owner`, which migrations log in as) and read by another (`<database>_reader`, for
 * read-only SQL); neither has any attribute or predefined role that reaches past the branch. Its
 * `COMMENT ON DATABASE` says whose it is (`{ workflowId, createdAt, target, ready }`). Only the
 * read-only schema copy, `merge`, `revert` and `backup` connect to the target.
 */
export class LocalBranchProvider implements BranchProvider {
  readonly kind = 'postgres';
  private readonly targetUrl: string;
  private readonly namespace?: string;
  private readonly adminUrl: string;
  private readonly targetDatabase: string;
  private readonly roleSecret: string;
  private readonly logger: Logger;
  private readonly opts: LocalBranchTimings;
  /** Set once the branch server was found apart from production (checked before the first branch). */
  private serverChecked?: Promise<unknown>;

  constructor(options: LocalBranchProviderOptions) {
    parsePgUrl(options.targetUrl);
    this.targetUrl = options.targetUrl;
    this.namespace = options.namespace;
    this.adminUrl = withDatabase(options.branchServerUrl ?? options.targetUrl, 'postgres');
    this.targetDatabase = databaseOf(options.targetUrl);
    if (BRANCH_DATABASE_PATTERN.test(this.targetDatabase)) {
      throw new ActionFailedError(
        'Setting up branches',
        `the target ${scrubUrl(options.targetUrl)} is itself a branch database; point TARGET_DATABASE_URL at the real database.`,
        false,
      );
    }
    if (options.branchServerUrl === undefined || options.allowSharedServer) this.serverChecked = Promise.resolve();
    this.roleSecret = options.roleSecret;
    this.logger = options.logger;
    this.opts = localBranchTimings(options);
  }

  async createBranch(workflowId: number): Promise<Branch> {
    const name = branchDatabaseName(workflowId, this.namespace);
    const action = `Creating branch ${branchName(workflowId)}`;
    await this.checkServer(action);
    return withClient(this.adminUrl, action, async (admin) => {
      const lockKey = `infra-orchestrator:branch:${name}`;
      await admin.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
      try {
        const existing = await this.findDatabase(admin, name, action);
        const roles = branchRoles(name);
        if (existing.exists && existing.comment?.ready && (await resetBranchPasswords(admin, roles, this.roleSecret)))
          return this.toBranch(name, existing.comment);
        if (existing.exists) {
          this.logger.warn(
            { branch: name },
            'branch database left unfinished by an earlier attempt (or made without its own roles); creating it again',
          );
          await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
        }
        const production = readOnlyUrl(this.targetUrl);
        const { database, targetRoles } = await withClient(production, action, async (client) => ({
          database: await describeTarget(client, action),
          targetRoles: await readTargetRoles(client, DEFAULT_PROBE_ROLES),
        }));
        const comment: BranchComment = {
          workflowId,
          createdAt: this.opts.now().toISOString(),
          target: this.targetDatabase,
          ready: false,
        };
        try {
          await createBranchRoles(admin, roles, this.roleSecret);
          await ensureTargetRoles(admin, targetRoles.roles, DEFAULT_PROBE_ROLES, roles.owner, this.logger);
          await admin.query(createDatabaseSql(admin, name, roles.owner, database));
          await this.writeComment(admin, name, comment);
          const ownerUrl = this.loginUrl(name, roles.owner);
          await withClient(ownerUrl, action, async (owner) => {
            await owner.query(`REVOKE ALL ON DATABASE ${owner.escapeIdentifier(name)} FROM PUBLIC`);
            await owner.query(
              `GRANT CONNECT ON DATABASE ${owner.escapeIdentifier(name)} TO ${owner.escapeIdentifier(roles.reader)}`,
            );
          });
          await cloneSchema(production, ownerUrl, {
            lockWaitTimeoutMs: this.opts.lockTimeoutMs * 2,
            toolTimeoutMs: this.opts.toolTimeoutMs,
            action,
          });
          await withClient(ownerUrl, action, async (owner) => {
            await applyDefaultAcls(owner, targetRoles.defaultAcls);
            await grantReader(owner, roles.reader);
          });
          await this.writeComment(admin, name, { ...comment, ready: true });
        } catch (error) {
          await admin
            .query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`)
            .catch(() => undefined);
          await dropBranchRoles(admin, roles).catch(() => undefined);
          throw error;
        }
        this.logger.info(
          { branch: name, target: scrubUrl(this.targetUrl), server: scrubUrl(this.adminUrl) },
          'branch created with the target schema and grants',
        );
        return this.toBranch(name, { ...comment, ready: true });
      } finally {
        await admin.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]).catch(() => undefined);
      }
    });
  }

  /** The workflow's branch, when it exists and finished loading the target's schema. */
  async getBranch(workflowId: number): Promise<Branch | undefined> {
    const name = branchDatabaseName(workflowId, this.namespace);
    const action = `Looking up branch ${branchName(workflowId)}`;
    const found = await withClient(this.adminUrl, action, (admin) => this.findDatabase(admin, name, action));
    return found.comment?.ready ? this.toBranch(name, found.comment) : undefined;
  }

  /** Every branch of this target, including ones whose creation did not finish (so clean-up finds them). */
  async listBranches(): Promise<Branch[]> {
    const { rows } = await withClient(this.adminUrl, 'Listing branches', (admin) =>
      admin.query(BRANCH_DATABASES_SQL, [null]),
    );
    return rows
      .map((row) => branchDatabaseRowSchema.parse(row))
      .flatMap((row) => {
        const comment = parseBranchComment(row.comment);
        return comment &&
          comment.target === this.targetDatabase &&
          BRANCH_DATABASE_PATTERN.test(row.datname) &&
          (!this.namespace || row.datname.endsWith(`_${this.namespace}`))
          ? [this.toBranch(row.datname, comment)]
          : [];
      });
  }

  async deleteBranch(workflowId: number): Promise<void> {
    const name = branchDatabaseName(workflowId, this.namespace);
    const action = `Deleting branch ${branchName(workflowId)}`;
    await withClient(this.adminUrl, action, async (admin) => {
      // The lock createBranch holds: a deletion (the reconciler's, say) waits for a creation under way.
      const lockKey = `infra-orchestrator:branch:${name}`;
      await admin.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
      try {
        await this.findDatabase(admin, name, action);
        await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
        await dropBranchRoles(admin, branchRoles(name));
      } finally {
        await admin.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]).catch(() => undefined);
      }
    });
    this.logger.info({ branch: name }, 'branch deleted');
  }

  /**
   * Runs SQL on the branch database named by `branch.id` (never the target, whatever the URL says):
   * writable SQL logged in as the branch's owner, read-only SQL as its reader.
   */
  async runSql(
    branch: Branch,
    sql: string,
    opts?: { readOnly?: boolean; timeoutMs?: number; rowLimit?: number },
  ): Promise<SqlResult> {
    if (!BRANCH_DATABASE_PATTERN.test(branch.id)) {
      throw new ActionFailedError(
        'Running SQL on a branch',
        `${branch.id} is not a branch database (infra_wf_<id>); SQL from agents runs on branches only.`,
        false,
      );
    }
    const options = sqlOptions(opts);
    const roles = branchRoles(branch.id);
    return runSqlOn(
      this.loginUrl(branch.id, options.readOnly ? roles.reader : roles.owner),
      `branch ${branch.name}`,
      sql,
      options,
    );
  }

  /** Applies a migration to the TARGET (after an approved gate); merging the same name again is a no-op. */
  async merge(workflowId: number, migration: Migration): Promise<MergeResult> {
    const m = migrationSchema.parse(migration);
    const result = await mergeIntoTarget(this.targetUrl, m, this.opts);
    this.logger.info(
      { workflowId, migration: m.name, version: result.version, applied: result.applied },
      'migration merged into the target',
    );
    return result;
  }

  /** Runs the migration's down SQL on the TARGET and removes it from the history (no-op when absent). */
  async revert(workflowId: number, migration: Migration): Promise<RevertResult> {
    const m = migrationSchema.parse(migration);
    const result = await revertOnTarget(this.targetUrl, m, this.opts);
    this.logger.info(
      { workflowId, migration: m.name, version: result.version, reverted: result.reverted },
      'migration reverted on the target',
    );
    return result;
  }

  /** A full `pg_dump -Fc` of the target into `dir` (see backupTarget): the last backup point before a merge. */
  backup(dir: string): Promise<string> {
    return backupTarget(this.targetUrl, dir, {
      timeoutMs: this.opts.backupTimeoutMs,
      now: this.opts.now,
      logger: this.logger,
    });
  }

  /** The branch server, logged in as one of a branch's roles. */
  private loginUrl(database: string, role: string): string {
    return loginUrl(this.adminUrl, role, rolePassword(this.roleSecret, role), database);
  }

  /** Before the first branch: the branch server must not be the production server (unless shared is allowed). */
  private async checkServer(action: string): Promise<void> {
    this.serverChecked ??= assertSeparateServers(this.targetUrl, this.adminUrl, action);
    try {
      await this.serverChecked;
    } catch (error) {
      this.serverChecked = undefined;
      throw error;
    }
  }

  private toBranch(name: string, comment: BranchComment): Branch {
    return {
      id: name,
      name: branchName(comment.workflowId),
      workflowId: comment.workflowId,
      createdAt: new Date(comment.createdAt),
      databaseUrl: this.loginUrl(name, branchRoles(name).owner),
      ready: comment.ready,
    };
  }

  private async writeComment(admin: Client, name: string, comment: BranchComment): Promise<void> {
    await admin.query(
      `COMMENT ON DATABASE ${admin.escapeIdentifier(name)} IS ${admin.escapeLiteral(JSON.stringify(comment))}`,
    );
  }

  /** The branch database `name`, refusing one that another target's provider made. */
  private async findDatabase(
    admin: Client,
    name: string,
    action: string,
  ): Promise<{ exists: boolean; comment?: BranchComment }> {
    const { rows } = await admin.query(BRANCH_DATABASES_SQL, [name]);
    if (rows[0] === undefined) return { exists: false };
    const comment = parseBranchComment(branchDatabaseRowSchema.parse(rows[0]).comment);
    if (comment && comment.target !== this.targetDatabase) {
      throw new ActionFailedError(
        action,
        `the database ${name} on this server is a branch of ${comment.target}, not ${this.targetDatabase}; ` +
          `finish or delete that workflow's branch first.`,
        false,
      );
    }
    return { exists: true, comment };
  }
}
