import type { Migration } from '../../domain/handoff';
import type { Check } from '../../domain/records';
import type { Branch, BranchProvider } from '../targets/branch-provider';
import { diffSnapshots } from './schema-diff';
import { type SchemaSelection, type SchemaSnapshot, snapshotSchema } from './schema-snapshot';
import { describePgError, SqlFailedError } from '../sql/sql-error';
import { loadSqlParser } from '../sql/sql-parser';
import { analyseMigration, batches, refusal } from '../sql/sql-policy';

export type RoundTripStageName = 'up' | 'down' | 'compare' | 'up-again';

/** One stage of the round trip; `ms` covers its SQL and the schema snapshot that checks it. */
export interface RoundTripStage {
  name: RoundTripStageName;
  ok: boolean;
  ms: number;
  error?: string;
}

/** What trying a migration on a branch showed. Stages after a failing one are absent. */
export interface RoundTripResult {
  ok: boolean;
  stages: RoundTripStage[];
  /** The migration's effect on the schema: before → after up. */
  diff: string[];
  /** What down left different from before (empty when it restored the schema). */
  residue: string[];
  /** Statements of up_sql run on their own, outside a transaction (CREATE INDEX CONCURRENTLY…), as `statement N`. */
  outsideTransaction: string[];
}

/** Limits for each apply; `schemas` to snapshot (default: every non-system schema). */
export interface RoundTripOptions {
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
  schemas?: SchemaSelection;
}

/** Rows enough for the catalog query's single row. */
const SNAPSHOT_ROWS = 10;

/**
 * The SQL sent to apply `sql` in one transaction with lock and statement timeouts. A failing
 * statement aborts the transaction, so nothing after it runs or commits.
 */
export function transactionSql(
  sql: string,
  lockTimeoutMs: number,
  statementTimeoutMs: number,
): { text: string; offset: number } {
  const prefix =
    `BEGIN; SET LOCAL lock_timeout = ${Math.floor(lockTimeoutMs)}; SET LOCAL statement_timeout ` +
    `= ${Math.floor(statementTimeoutMs)};\n`;
  return { text: `${prefix}${sql}\n;\nCOMMIT;`, offset: prefix.length };
}

/** The Postgres message of a failure, pointing into `sql` (what the person wrote) when it can. */
function failure(error: unknown, sql?: string, offset = 0): string {
  if (error instanceof SqlFailedError) return describePgError(error.pg, sql, offset);
  return error instanceof Error ? error.message : String(error);
}

/**
 * Tries a migration on the BRANCH through the provider: up, down (the schema must come back to what
 * it was), and up again (the schema must come out as the first up left it). Nothing runs when the
 * SQL policy refuses up or down (SQL that does not parse, transaction control, server programs…).
 * Each apply runs its statements in order: consecutive ones in one transaction with `lock_timeout`
 * (default 5 s) and `statement_timeout` (default 60 s), and those Postgres cannot run in a
 * transaction (CREATE INDEX CONCURRENTLY…) on their own, with the statement timeout.
 */
export async function runRoundTrip(
  provider: BranchProvider,
  branch: Branch,
  migration: Migration,
  opts: RoundTripOptions = {},
): Promise<RoundTripResult> {
  const lockTimeoutMs = opts.lockTimeoutMs ?? 5000;
  const statementTimeoutMs = opts.statementTimeoutMs ?? 60_000;
  const reader = {
    query: (sql: string) =>
      provider.runSql(branch, sql, { readOnly: true, rowLimit: SNAPSHOT_ROWS, timeoutMs: statementTimeoutMs }),
  };
  const snapshot = (): Promise<SchemaSnapshot> => snapshotSchema(reader, opts.schemas ?? 'all', { lockTimeoutMs });
  const apply = async (sql: string): Promise<void> => {
    const ran: number[] = [];
    for (const batch of batches(sql, analyseMigration(sql))) {
      const wrapped = batch.transactional
        ? transactionSql(batch.text, lockTimeoutMs, statementTimeoutMs)
        : { text: batch.text, offset: 0 };
      try {
        await provider.runSql(branch, wrapped.text, { readOnly: false, timeoutMs: statementTimeoutMs, rowLimit: 1 });
      } catch (error) {
        const already = ran.length
          ? ` (statement ${ran.join(', ')} had already run outside a transaction and stays applied)`
          : '';
        throw new StageFailure(`${failure(error, sql, wrapped.offset - batch.offset)}${already}`);
      }
      if (!batch.transactional) ran.push(...batch.statements);
    }
  };

  await loadSqlParser();
  const upAnalysis = analyseMigration(migration.up_sql);
  const refused = [
    ['up_sql', refusal(upAnalysis)],
    ['down_sql', refusal(analyseMigration(migration.down_sql))],
  ].find(([, why]) => why !== undefined);
  if (refused) {
    return {
      ok: false,
      stages: [{ name: 'up', ok: false, ms: 0, error: `not run: in ${refused[0]}, ${refused[1]}` }],
      diff: [],
      residue: [],
      outsideTransaction: [],
    };
  }

  const outsideTransaction = batches(migration.up_sql, upAnalysis)
    .filter((b) => !b.transactional)
    .flatMap((b) => b.statements.map((n) => `statement ${n}`));
  const result: RoundTripResult = { ok: false, stages: [], diff: [], residue: [], outsideTransaction };
  const stage = async (name: RoundTripStageName, work: () => Promise<void>): Promise<boolean> => {
    const started = performance.now();
    let error: string | undefined;
    try {
      await work();
    } catch (e) {
      error = e instanceof StageFailure ? e.message : `${failure(e)}`;
    }
    result.stages.push({
      name,
      ok: error === undefined,
      ms: Math.round(performance.now() - started),
      ...(error !== undefined ? { error } : {}),
    });
    return error === undefined;
  };

  // Reading the schema waits on the same locks as the migration would: a lock timeout here fails 'up'.
  let before: SchemaSnapshot;
  const started = performance.now();
  try {
    before = await snapshot();
  } catch (error) {
    const ms = Math.round(performance.now() - started);
    const why =
      error instanceof SqlFailedError && error.pg.code === '55P03'
        ? ' (another session holds a lock on one of its tables)'
        : '';
    result.stages.push({
      name: 'up',
      ok: false,
      ms,
      error: `could not read the branch schema before applying${why}: ${failure(error)}`,
    });
    return result;
  }
  let afterUp: SchemaSnapshot | undefined;
  const ok =
    (await stage('up', async () => {
      await apply(migration.up_sql);
      afterUp = await snapshot();
      result.diff = diffSnapshots(before, afterUp);
    })) &&
    (await stage('down', () => apply(migration.down_sql))) &&
    (await stage('compare', async () => {
      result.residue = diffSnapshots(before, await snapshot());
      if (result.residue.length)
        throw new StageFailure(`down left the schema different from before: ${result.residue.join('; ')}`);
    })) &&
    (await stage('up-again', async () => {
      await apply(migration.up_sql);
      const again = diffSnapshots(must(afterUp), await snapshot());
      if (again.length)
        throw new StageFailure(`up applied again gave a different schema from the first time: ${again.join('; ')}`);
    }));
  result.ok = ok;
  return result;
}

/** A stage's failure, already worded for the person. */
class StageFailure extends Error {}

function must<T>(value: T | undefined): T {
  if (value === undefined) throw new StageFailure('an earlier stage left no schema snapshot');
  return value;
}

/**
 * The round trip as gate checks: "Up applies on the branch", "Down restores the schema" (a warning
 * when up removes columns or tables: down brings back their shape, not their data), "Up applies again".
 */
export function checks(result: RoundTripResult): Check[] {
  const find = (name: RoundTripStageName): RoundTripStage | undefined => result.stages.find((s) => s.name === name);
  const notRun = { status: 'warn' as const, detail: 'not run: an earlier stage failed' };
  const up = find('up');
  const down = find('down');
  const compare = find('compare');
  const again = find('up-again');
  const removed = result.diff.filter((line) => /^- (column|table|schema|materialized view|view|sequence) /.test(line));

  const outside = result.outsideTransaction.length
    ? `; ${result.outsideTransaction.join(', ')} ran on its own, outside the transaction`
    : '';
  const upCheck: Check = up?.ok
    ? {
        name: 'Up applies on the branch',
        status: 'pass',
        detail: `${up.ms} ms; ${result.diff.length} schema change(s)${outside}`,
      }
    : { name: 'Up applies on the branch', status: 'fail', detail: up?.error ?? 'not run' };
  let downCheck: Check;
  if (!down) downCheck = { name: 'Down restores the schema', ...notRun };
  else if (!down.ok)
    downCheck = { name: 'Down restores the schema', status: 'fail', detail: `down failed: ${down.error ?? ''}` };
  else if (!compare) downCheck = { name: 'Down restores the schema', ...notRun };
  else if (!compare.ok)
    downCheck = { name: 'Down restores the schema', status: 'fail', detail: `down left: ${result.residue.join('; ')}` };
  else if (removed.length)
    downCheck = {
      name: 'Down restores the schema',
      status: 'warn',
      detail: `the schema comes back, but not the data of: ${removed.map((l) => l.slice(2)).join('; ')}`,
    };
  else
    downCheck = {
      name: 'Down restores the schema',
      status: 'pass',
      detail: `${down.ms} ms; schema identical to before`,
    };
  const againCheck: Check = !again
    ? { name: 'Up applies again', ...notRun }
    : again.ok
      ? { name: 'Up applies again', status: 'pass', detail: `${again.ms} ms; same schema as the first up` }
      : { name: 'Up applies again', status: 'fail', detail: again.error ?? '' };
  return [upCheck, downCheck, againCheck];
}
