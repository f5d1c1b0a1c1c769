import type { Client } from 'pg';
import { z } from 'zod';
import type { Migration } from '../../domain/handoff';
import {
  ENSURE_HISTORY_SQL,
  findApplied,
  HISTORY_LOCK_SQL,
  HISTORY_SESSION_LOCK_SQL,
  HISTORY_TABLE,
  HISTORY_UNLOCK_SQL,
  nextVersion,
  recordApplied,
  removeApplied,
} from './migration-history';
import { adviceFor, asPgError, describePgError, isRetryablePgError } from '../sql/sql-error';
import { loadSqlParser } from '../sql/sql-parser';
import { analyseMigration, batches, refusal, type SqlBatch } from '../sql/sql-policy';
import { TargetApplyError } from './target-apply-error';
import { withClient } from './with-client';

const historyEntrySchema = z.object({ version: z.string(), name: z.string().nullable() });

/** Limits for SQL run on the target; `now` stamps versions (a clock in tests). */
export interface TargetMigrationOptions {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  now: () => Date;
}

/** The outcome of a merge: the migration's version, and whether this call applied it. */
export interface MergeResult {
  version: string;
  /** False when the target already had a migration of this name: nothing was run. */
  applied: boolean;
}

/** The outcome of a revert: whether this call ran the down SQL, and the version it removed. */
export interface RevertResult {
  reverted: boolean;
  version?: string;
}

const UNCHANGED = 'The transaction was rolled back, so the target is unchanged.';

/** What one merge or revert does around the migration's SQL, inside the history lock. */
interface TargetWork<T> {
  action: string;
  sql: string;
  /** Advice for SQL that is wrong (not for a busy database). */
  fix: string;
  /** Runs first, in a transaction: a value here ends the work before any of the SQL runs. */
  before(client: Client): Promise<T | undefined>;
  /** Runs in the same transaction as the last statement (or right after it, when that one ran outside one). */
  after(client: Client): Promise<T>;
}

/**
 * Runs `work` on the target, serialised with every other merge and revert, after the SQL policy has
 * cleared the SQL (so nothing runs when it holds transaction control, server programs and the like).
 * SQL whose statements can all run in a transaction runs in ONE transaction with the history
 * change: applied and recorded, or neither. Statements that cannot (CREATE INDEX CONCURRENTLY…) run
 * on their own, in order, between transactions of the statements around them; a failure then says
 * which statements ran and stay applied ({@link TargetApplyError} `applied: 'partial'`).
 */
async function applyOnTarget<T>(url: string, opts: TargetMigrationOptions, work: TargetWork<T>): Promise<T> {
  await loadSqlParser();
  const analysis = analyseMigration(work.sql);
  const why = refusal(analysis);
  if (why !== undefined)
    throw new TargetApplyError(work.action, `${why}. Nothing was run; the target is unchanged.`, false, 'none');
  const parts = batches(work.sql, analysis);
  const oneTransaction = parts.every((b) => b.transactional);
  const limits = (local: boolean) => [
    `SET ${local ? 'LOCAL ' : ''}lock_timeout = ${Math.floor(opts.lockTimeoutMs)}`,
    `SET ${local ? 'LOCAL ' : ''}statement_timeout = ${Math.floor(opts.statementTimeoutMs)}`,
  ];
  return withClient(url, work.action, async (client) => {
    const ran: number[] = [];
    let current: SqlBatch | undefined;
    const fail = (error: unknown): TargetApplyError => {
      const pg = asPgError(error);
      const where = current ? describePgError(pg, work.sql, -current.offset) : describePgError(pg);
      const retryable = isRetryablePgError(pg);
      const failedStatement = current?.statements.length === 1 ? current.statements[0] : undefined;
      if (!ran.length) {
        const advice = retryable
          ? adviceFor(pg.code, opts.statementTimeoutMs)
          : current
            ? work.fix
            : "Check the target's history table, then try again.";
        const unchanged =
          current && !current.transactional
            ? 'It ran on its own and failed, and nothing before it had run, so the target is unchanged.'
            : UNCHANGED;
        return new TargetApplyError(
          work.action,
          `${where}. ${unchanged} ${advice}`,
          retryable,
          'none',
          [],
          failedStatement,
        );
      }
      const message =
        `${where}. Statement ${ran.join(', ')} of the SQL had already run and stay${ran.length === 1 ? 's' : ''} ` +
        `applied on the target; nothing after ${ran.length === 1 ? 'it' : 'them'} ran, and the migration history ` +
        `was not changed. Finish or undo ${ran.length === 1 ? 'it' : 'them'} by hand (or restore the backup taken ` +
        'before the merge), then try again.';
      return new TargetApplyError(work.action, message, false, 'partial', [...ran], failedStatement);
    };
    const inTransaction = async <R>(fn: () => Promise<R>, lock?: string): Promise<R> => {
      await client.query('BEGIN');
      try {
        // The history lock is waited for without the lock timeout: a second merge queues behind the first.
        if (lock) await client.query(lock);
        for (const sql of limits(true)) await client.query(sql);
        const result = await fn();
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    };
    try {
      if (oneTransaction) {
        return await inTransaction(async () => {
          await client.query(ENSURE_HISTORY_SQL);
          const done = await work.before(client);
          if (done !== undefined) return done;
          for (const part of parts) {
            current = part;
            await client.query(part.text);
          }
          current = undefined;
          return work.after(client);
        }, HISTORY_LOCK_SQL);
      }
      await client.query(HISTORY_SESSION_LOCK_SQL);
      try {
        const done = await inTransaction(async () => {
          await client.query(ENSURE_HISTORY_SQL);
          return work.before(client);
        });
        if (done !== undefined) return done;
        let result: T | undefined;
        for (const [i, part] of parts.entries()) {
          const last = i === parts.length - 1;
          current = part;
          if (part.transactional) {
            result = await inTransaction(async () => {
              await client.query(part.text);
              current = undefined;
              return last ? work.after(client) : undefined;
            });
            ran.push(...part.statements);
          } else {
            for (const sql of limits(false)) await client.query(sql);
            await client.query(part.text);
            current = undefined;
            ran.push(...part.statements);
            if (last) result = await inTransaction(() => work.after(client));
          }
        }
        return result as T;
      } finally {
        await client.query(HISTORY_UNLOCK_SQL).catch(() => undefined);
      }
    } catch (error) {
      if (error instanceof TargetApplyError) throw error;
      throw fail(error);
    }
  });
}

/**
 * Applies `up_sql` to the target and records it in the history, unless a migration of the same
 * name is already recorded (then nothing runs and its version comes back). Refuses SQL the policy
 * forbids, even when called directly, before anything runs.
 */
export async function mergeIntoTarget(
  url: string,
  migration: Migration,
  opts: TargetMigrationOptions,
): Promise<MergeResult> {
  let version = '';
  return applyOnTarget<MergeResult>(url, opts, {
    action: `Merging migration ${migration.name} into the target`,
    sql: migration.up_sql,
    fix: 'Fix the migration, try it on the branch again, then merge.',
    async before(client) {
      const existing = await findApplied(client, migration.name);
      return existing === undefined ? undefined : { version: existing, applied: false };
    },
    async after(client) {
      version = await nextVersion(client, opts.now());
      await recordApplied(client, version, migration.name, migration.up_sql);
      return { version, applied: true };
    },
  });
}

/**
 * Runs `down_sql` on the target and removes the migration from the history; a migration the
 * history does not hold is not reverted again (nothing runs). Refuses SQL the policy forbids.
 */
export async function revertOnTarget(
  url: string,
  migration: Migration,
  opts: TargetMigrationOptions,
): Promise<RevertResult> {
  let version: string | undefined;
  return applyOnTarget<RevertResult>(url, opts, {
    action: `Reverting migration ${migration.name} on the target`,
    sql: migration.down_sql,
    fix: 'Fix the down SQL, or restore the backup taken before the merge.',
    async before(client) {
      version = await findApplied(client, migration.name);
      return version === undefined ? { reverted: false } : undefined;
    },
    async after(client) {
      await removeApplied(client, version!);
      return { reverted: true, version: version! };
    },
  });
}

/** The target's migration history, oldest first; a target without the history table has none. */
export async function targetHistory(url: string): Promise<Array<{ version: string; name?: string }>> {
  return withClient(url, 'Reading the migration history of the target', async (client) => {
    const { rows } = await client.query(`SELECT to_regclass('${HISTORY_TABLE}') IS NOT NULL AS present`);
    if (!rows[0]?.present) return [];
    const history = await client.query(`SELECT version, name FROM ${HISTORY_TABLE} ORDER BY version`);
    return history.rows
      .map((r) => historyEntrySchema.parse(r))
      .map((r) => (r.name === null ? { version: r.version } : { version: r.version, name: r.name }));
  });
}
