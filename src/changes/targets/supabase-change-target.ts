import type { Migration } from '../../domain/handoff';
import type { Check } from '../../domain/records';
import { ActionFailedError } from '../../domain/errors';
import type { ChangeTarget } from './change-target';
import { loadSqlParser } from '../sql/sql-parser';
import { analyseMigration, refusal } from '../sql/sql-policy';
import { TargetApplyError } from './target-apply-error';
import type { SupabaseBranchProvider } from './supabase-branch-provider';
import type { SupabaseLint } from './supabase-api-schemas';
import type { SupabaseManagementApi } from './supabase-management-api';

/** Options of {@link supabaseChangeTarget}. */
export interface SupabaseChangeTargetOptions {
  api: SupabaseManagementApi;
  provider: SupabaseBranchProvider;
  /** The production project (SUPABASE_PROJECT_REF). */
  projectRef: string;
}

/** A SQL string literal. */
function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * A Supabase project as the engine's target. Branches are preview branches; the two production paths,
 * both started only by an approved gate, go through the Management API on the production project:
 * merge applies the approved migration with `database/migrations` (which records it in
 * `supabase_migrations.schema_migrations`), and revert runs the down SQL and removes the history row in
 * one transaction. Merging is idempotent by migration name: a name already in the history is not applied again.
 */
export function supabaseChangeTarget(opts: SupabaseChangeTargetOptions): ChangeTarget {
  const { api, provider, projectRef } = opts;
  const applied = async (name: string) => (await api.listMigrations(projectRef)).find((m) => m.name === name);
  return {
    provider,
    backupPlan() {
      return this.backupPoint();
    },
    async backupPoint() {
      const backups = await provider.backups();
      const pitr = backups.pitrEnabled ? '; point-in-time recovery is on' : '';
      if (!backups.lastCompleted) return `no completed Supabase backup yet${pitr}`;
      const kind = backups.lastCompleted.physical ? 'physical' : 'logical';
      return `Supabase ${kind} backup of ${backups.lastCompleted.insertedAt.toISOString()}${pitr}`;
    },
    async merge(_workflowId, migration: Migration) {
      await refuseOnSupabase(`Merging migration ${migration.name} to Supabase`, migration.up_sql);
      const before = await applied(migration.name);
      if (before) return { version: before.version, applied: false };
      await api.applyMigration(projectRef, { name: migration.name, query: migration.up_sql });
      const after = await applied(migration.name);
      if (!after)
        throw new ActionFailedError(
          'Merging to Supabase',
          `the migration ${migration.name} was accepted but is not in the project's migration history; check ` +
            `the project's migrations in the dashboard before retrying`,
          false,
        );
      return { version: after.version, applied: true };
    },
    async revert(_workflowId, migration: Migration) {
      await refuseOnSupabase(`Reverting migration ${migration.name} on Supabase`, migration.down_sql);
      const entry = await applied(migration.name);
      if (!entry) return;
      const sql =
        'BEGIN;\nSET LOCAL lock_timeout = 5000;\nSET LOCAL statement_timeout = 60000;\n' +
        `${migration.down_sql}\n;\n` +
        `DELETE FROM supabase_migrations.schema_migrations WHERE version = ${literal(entry.version)};\nCOMMIT;`;
      await api.runQuery(projectRef, { query: sql, read_only: false });
    },
    async history() {
      return (await api.listMigrations(projectRef)).sort((a, b) => a.version.localeCompare(b.version));
    },
    async advisorChecks(workflowId) {
      return advisorChecks(await provider.securityAdvisors(workflowId));
    },
  };
}

/**
 * Refuses, before anything is sent, SQL the policy forbids and statements that cannot run inside a
 * transaction: Supabase applies a migration (and this target a revert) as one transaction, where
 * CREATE INDEX CONCURRENTLY and the like fail.
 */
async function refuseOnSupabase(action: string, sql: string): Promise<void> {
  await loadSqlParser();
  const analysis = analyseMigration(sql);
  const why = refusal(analysis);
  if (why !== undefined)
    throw new TargetApplyError(
      action,
      `${why}. Nothing was sent to Supabase; the project is unchanged.`,
      false,
      'none',
    );
  const outside = analysis.findings.filter((f) => f.kind === 'non_transactional');
  if (outside.length) {
    const list = outside.map((f) => `statement ${f.statement} (line ${f.line}) \`${f.excerpt}\``).join('; ');
    throw new TargetApplyError(
      action,
      `${list} cannot run inside a transaction, and Supabase applies a migration as one transaction. ` +
        'Nothing was sent to Supabase; the project is unchanged. Write it without CONCURRENTLY ' +
        '(it then holds a write lock while it runs), or run that statement on the project by hand.',
      false,
      'none',
    );
  }
}

/** Supabase's security advisors as gate checks: ERROR fails, WARN warns, INFO is left out. */
export function advisorChecks(lints: SupabaseLint[]): Check[] {
  const shown = lints.filter((l) => l.level === 'ERROR' || l.level === 'WARN');
  if (!shown.length)
    return [{ name: 'Supabase security advisors', status: 'pass', detail: 'no errors or warnings on the branch' }];
  return shown.map((l) => ({
    name: `Advisor: ${l.title}`,
    status: l.level === 'ERROR' ? 'fail' : 'warn',
    detail: `${l.detail} ${l.remediation}`.slice(0, 300),
  }));
}
