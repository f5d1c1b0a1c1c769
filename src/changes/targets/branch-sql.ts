import type { QueryConfig, QueryResult } from 'pg';
import { ActionFailedError } from '../../domain/errors';
import type { SqlResult } from './branch-provider';
import { sqlFailed } from '../sql/sql-error';
import { withClient } from './with-client';

/** Options of `runSql`, with the defaults applied. */
export interface BranchSqlOptions {
  readOnly: boolean;
  timeoutMs: number;
  rowLimit: number;
}

export const DEFAULT_SQL_TIMEOUT_MS = 30_000;
export const DEFAULT_ROW_LIMIT = 1000;

/** Checks a caller's runSql options and fills the defaults. */
export function sqlOptions(opts: { readOnly?: boolean; timeoutMs?: number; rowLimit?: number } = {}): BranchSqlOptions {
  const positive = (value: number | undefined, fallback: number): number =>
    value !== undefined && Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
  return {
    readOnly: opts.readOnly ?? false,
    timeoutMs: positive(opts.timeoutMs, DEFAULT_SQL_TIMEOUT_MS),
    rowLimit: positive(opts.rowLimit, DEFAULT_ROW_LIMIT),
  };
}

/**
 * Runs `sql` on the database at `url` with a statement timeout, keeping at most `rowLimit` rows of
 * the last result (`rowCount` is what Postgres reported). Read-only SQL runs as one statement, sent
 * with the extended protocol so it cannot smuggle a `COMMIT` and a write after it, inside a
 * `READ ONLY` transaction that is rolled back. Writable SQL may hold several statements.
 */
export async function runSqlOn(url: string, label: string, sql: string, opts: BranchSqlOptions): Promise<SqlResult> {
  const action = `Running SQL on ${label}`;
  return withClient(url, action, async (client) => {
    await client.query(`SET statement_timeout = ${opts.timeoutMs}`);
    let result: QueryResult | QueryResult[];
    try {
      if (opts.readOnly) {
        await client.query('BEGIN');
        await client.query('SET TRANSACTION READ ONLY');
        const single: QueryConfig & { queryMode: 'extended' } = { text: sql, queryMode: 'extended' };
        result = await client.query(single);
        await client.query('ROLLBACK');
      } else {
        result = await client.query(sql);
      }
    } catch (error) {
      if (opts.readOnly && error instanceof Error && /multiple commands/.test(error.message)) {
        throw new ActionFailedError(
          action,
          'read-only SQL runs one statement at a time; send each statement on its own.',
          false,
        );
      }
      throw sqlFailed(action, error, sql, opts.timeoutMs);
    }
    const results = Array.isArray(result) ? result : [result];
    const last = results[results.length - 1];
    const rows = (last?.rows ?? []) as Array<Record<string, unknown>>;
    return { rows: rows.slice(0, opts.rowLimit), rowCount: last?.rowCount ?? rows.length };
  });
}
