import { randomUUID } from 'node:crypto';
import type { ClientBase } from 'pg';
import type { RoleProbe } from './rls-types';
import { ownerColumns, readColumns, sampleInsert, updatableColumn, type ColumnInfo } from './rls-sample-row';
import { quoteIdent, type TableName } from './rls-table-name';

/** Verdict strings start with one of these words; the rest says why or how many. */
export type ProbeVerdict = 'allowed' | 'denied' | 'not tested' | 'not available';

interface Outcome {
  verdict: ProbeVerdict;
  reason?: string;
  rows?: number;
}

const NO_ROLES = 'not available (no Supabase roles)';

/** Probes that could not run for a role, with the same reason for every verb. */
export function unavailableProbe(table: string, role: string, reason = NO_ROLES): RoleProbe {
  return { table, role, select: reason, insert: reason, update: reason, delete: reason };
}

/**
 * Tries SELECT, INSERT, UPDATE and DELETE on one table as each role, with a random user's JWT claims
 * (`request.jwt.claims`, as PostgREST sets them), inside one transaction that is always rolled back;
 * each verb runs under its own savepoint. Nothing is left in the database.
 */
export async function probeTable(
  db: ClientBase,
  table: TableName,
  roles: string[],
  timeoutMs: number,
): Promise<RoleProbe[]> {
  const columns = await readColumns(db, table);
  if (!columns.length)
    return roles.map((role) => unavailableProbe(table.display, role, 'not tested (the table does not exist)'));
  await db.query('begin');
  try {
    await db.query(`select set_config('statement_timeout', $1, true), set_config('lock_timeout', $1, true)`, [
      `${timeoutMs}ms`,
    ]);
    const existing = await existingRows(db, table, columns);
    const probes: RoleProbe[] = [];
    for (const role of roles) {
      await db.query('savepoint rls_probe_role');
      try {
        probes.push(await probeAs(db, table, columns, role, existing, timeoutMs));
      } finally {
        await db.query('rollback to savepoint rls_probe_role');
      }
    }
    return probes;
  } finally {
    await db.query('rollback');
  }
}

async function probeAs(
  db: ClientBase,
  table: TableName,
  columns: ColumnInfo[],
  role: string,
  existing: Existing,
  timeoutMs: number,
): Promise<RoleProbe> {
  const sub = randomUUID();
  const anonymous = role === 'anon';
  const claims = JSON.stringify(anonymous ? { role } : { sub, role });
  await db.query(
    `select set_config('request.jwt.claims', $1, true), set_config('request.jwt.claim.sub', $2, true), ` +
      `set_config('request.jwt.claim.role', $3, true)`,
    [claims, anonymous ? '' : sub, role],
  );
  const switched = await attempt(
    db,
    async () => {
      await db.query(`set local role ${quoteIdent(role)}`);
      return { verdict: 'allowed' };
    },
    true,
  );
  if (switched.verdict !== 'allowed') {
    return unavailableProbe(
      table.display,
      role,
      `not tested (cannot switch to role ${role}: ${switched.reason ?? 'refused'})`,
    );
  }
  const select = await attempt(db, async () => ({ verdict: 'allowed', rows: await count(db, table) }));
  const tried = (o: Outcome): string => format(o, timeoutMs);
  const column = updatableColumn(columns);
  const update = column
    ? await attempt(db, async () =>
        changed(
          await db.query(`update ${table.sql} set ${quoteIdent(column.name)} = ${quoteIdent(column.name)}`),
          existing,
        ),
      )
    : { verdict: 'not tested' as const, reason: 'no column can be updated' };
  const remove = await attempt(db, async () => changed(await db.query(`delete from ${table.sql}`), existing));
  return {
    table: table.display,
    role,
    select:
      select.verdict === 'allowed'
        ? `allowed (${select.rows} row${select.rows === 1 ? '' : 's'} visible${ofTotal(existing)})`
        : tried(select),
    insert: await insertVerdict(db, table, columns, anonymous ? undefined : sub, timeoutMs),
    update: tried(update),
    delete: tried(remove),
    ...(select.verdict === 'allowed' && select.rows !== undefined ? { visibleRows: select.rows } : {}),
  };
}

/** With owner columns, a user with an id tries its own row and then another user's row. */
async function insertVerdict(
  db: ClientBase,
  table: TableName,
  columns: ColumnInfo[],
  sub: string | undefined,
  timeoutMs: number,
): Promise<string> {
  const tryInsert = async (ownerId: string): Promise<Outcome> => {
    const row = sampleInsert(table, columns, ownerId);
    if ('reason' in row) return { verdict: 'not tested', reason: row.reason };
    return attempt(db, async () => {
      await db.query(row.sql, row.params);
      return { verdict: 'allowed' };
    });
  };
  if (!sub || !ownerColumns(columns).length) return format(await tryInsert(randomUUID()), timeoutMs);
  const own = await tryInsert(sub);
  const other = await tryInsert(randomUUID());
  return `${format(own, timeoutMs, 'for its own row')}; ${format(other, timeoutMs, "for another user's row")}`;
}

function changed(result: { rowCount: number | null }, existing: Existing): Outcome {
  const n = result.rowCount ?? 0;
  const { total } = existing;
  if (n > 0)
    return {
      verdict: 'allowed',
      rows: n,
      reason: `${n}${total !== undefined ? ` of ${total}` : ''} row${n === 1 && (total ?? 1) === 1 ? '' : 's'}${existing.note}`,
    };
  if (total === undefined) return { verdict: 'not tested', reason: '0 rows changed; the number of rows is unknown' };
  if (total === 0)
    return { verdict: 'not tested', reason: 'the table is empty and no row could be added for the probe' };
  return {
    verdict: 'denied',
    reason: `RLS: 0 of ${total} row${total === 1 ? '' : 's'} could be changed${existing.note}`,
  };
}

/** Rows in the table before the roles act; `note` says when the probe added one. */
interface Existing {
  total?: number;
  note: string;
}

/**
 * Counts the rows as the connecting user. An empty table (the usual case for a new one) gets one row
 * of another user, so UPDATE and DELETE have something to be refused; the final rollback removes it.
 */
async function existingRows(db: ClientBase, table: TableName, columns: ColumnInfo[]): Promise<Existing> {
  const counted = await attempt(db, async () => ({ verdict: 'allowed', rows: await count(db, table) }));
  if (counted.verdict !== 'allowed' || counted.rows !== 0) return { total: counted.rows, note: '' };
  const row = sampleInsert(table, columns, randomUUID());
  if ('reason' in row) return { total: 0, note: '' };
  const seeded = await attempt(
    db,
    async () => {
      await db.query(row.sql, row.params);
      return { verdict: 'allowed', rows: 1 };
    },
    true,
  );
  return seeded.rows === 1 ? { total: 1, note: '; the probe added 1 row of another user' } : { total: 0, note: '' };
}

function ofTotal(existing: Existing): string {
  return existing.total === undefined ? '' : ` of ${existing.total}${existing.note}`;
}

async function count(db: ClientBase, table: TableName): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from ${table.sql}`);
  return rows[0]?.n ?? 0;
}

/**
 * Runs statements under a savepoint and classifies how Postgres answered; their effects are rolled
 * back unless `keep` (then only a failure is).
 */
async function attempt(db: ClientBase, run: () => Promise<Outcome>, keep = false): Promise<Outcome> {
  await db.query('savepoint rls_probe');
  try {
    const outcome = await run();
    await db.query(keep ? 'release savepoint rls_probe' : 'rollback to savepoint rls_probe');
    return outcome;
  } catch (error) {
    await db.query('rollback to savepoint rls_probe');
    const e = error as { code?: string; message?: string };
    const message = e.message ?? String(error);
    if (e.code === '42501') return { verdict: 'denied', reason: message };
    if (e.code === '57014') return { verdict: 'not tested', reason: 'timed out' };
    if (e.code?.startsWith('23'))
      return { verdict: 'allowed', reason: `privileges and RLS passed, then a constraint stopped it: ${message}` };
    if (e.code === undefined) throw error;
    return { verdict: 'not tested', reason: message };
  }
}

function format(o: Outcome, timeoutMs: number, subject?: string): string {
  const reason = o.reason === 'timed out' ? `timed out after ${timeoutMs} ms` : o.reason;
  return `${o.verdict}${subject ? ` ${subject}` : ''}${reason ? ` (${reason})` : ''}`;
}
