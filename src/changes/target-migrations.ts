import type { Client } from 'pg';
import { z } from 'zod';
import type { Migration } from '../agents/handoff';
import { sqlFailed } from './sql-error';
import { withClient } from './with-client';
import { ENSURE_HISTORY_SQL, findApplied, HISTORY_LOCK_SQL, HISTORY_TABLE, nextVersion, recordApplied, removeApplied } from './migration-history';

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

/**
 * Runs `fn` in one transaction on the target, serialised with every other merge and revert, with
 * lock and statement timeouts, after making sure the history table exists.
 */
async function inHistoryTransaction<T>(url: string, action: string, opts: TargetMigrationOptions, fn: (client: Client) => Promise<T>): Promise<T> {
  return withClient(url, action, async (client) => {
    try {
      await client.query('BEGIN');
      await client.query(HISTORY_LOCK_SQL);
      await client.query(`SET LOCAL lock_timeout = ${Math.floor(opts.lockTimeoutMs)}`);
      await client.query(`SET LOCAL statement_timeout = ${Math.floor(opts.statementTimeoutMs)}`);
      await client.query(ENSURE_HISTORY_SQL);
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw sqlFailed(action, error, '', opts.statementTimeoutMs, `${UNCHANGED} Check the target's history table, then try again.`);
    }
  });
}

/**
 * Applies `up_sql` to the target in one transaction and records it in the history, unless a
 * migration of the same name is already recorded (then nothing runs and its version comes back).
 */
export async function mergeIntoTarget(url: string, migration: Migration, opts: TargetMigrationOptions): Promise<MergeResult> {
  const action = `Merging migration ${migration.name} into the target`;
  return inHistoryTransaction(url, action, opts, async (client) => {
    const existing = await findApplied(client, migration.name);
    if (existing !== undefined) return { version: existing, applied: false };
    const version = await nextVersion(client, opts.now());
    try {
      await client.query(migration.up_sql);
    } catch (error) {
      throw sqlFailed(action, error, migration.up_sql, opts.statementTimeoutMs, `${UNCHANGED} Fix the migration, try it on the branch again, then merge.`);
    }
    await recordApplied(client, version, migration.name, migration.up_sql);
    return { version, applied: true };
  });
}

/**
 * Runs `down_sql` on the target in one transaction and removes the migration from the history;
 * a migration the history does not hold is not reverted again (nothing runs).
 */
export async function revertOnTarget(url: string, migration: Migration, opts: TargetMigrationOptions): Promise<RevertResult> {
  const action = `Reverting migration ${migration.name} on the target`;
  return inHistoryTransaction(url, action, opts, async (client) => {
    const version = await findApplied(client, migration.name);
    if (version === undefined) return { reverted: false };
    try {
      await client.query(migration.down_sql);
    } catch (error) {
      throw sqlFailed(action, error, migration.down_sql, opts.statementTimeoutMs, `${UNCHANGED} Fix the down SQL, or restore the backup taken before the merge.`);
    }
    await removeApplied(client, version);
    return { reverted: true, version };
  });
}

/** The target's migration history, oldest first; a target without the history table has none. */
export async function targetHistory(url: string): Promise<Array<{ version: string; name?: string }>> {
  return withClient(url, 'Reading the migration history of the target', async (client) => {
    const { rows } = await client.query(`SELECT to_regclass('${HISTORY_TABLE}') IS NOT NULL AS present`);
    if (!rows[0]?.present) return [];
    const history = await client.query(`SELECT version, name FROM ${HISTORY_TABLE} ORDER BY version`);
    return history.rows.map((r) => historyEntrySchema.parse(r)).map((r) => (r.name === null ? { version: r.version } : { version: r.version, name: r.name }));
  });
}
