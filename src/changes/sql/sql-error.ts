import { ActionFailedError } from '../../domain/errors';

/** The fields of a Postgres error that `pg` exposes and this pipeline reports. */
export interface PgErrorFields {
  message: string;
  code?: string;
  position?: string;
  detail?: string;
  hint?: string;
}

/** SQLSTATEs worth another attempt: the database was busy or unreachable, not the SQL wrong. */
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01', '55P03', '57P01', '57P03', '53300']);
const RETRYABLE_NODE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE']);

/**
 * SQL that Postgres refused, on a branch or on the target. `pg.position` (1-based, in characters of
 * the SQL that was sent) lets a caller that wrapped the SQL point into the part the person wrote.
 */
export class SqlFailedError extends ActionFailedError {
  constructor(
    action: string,
    message: string,
    retryable: boolean,
    readonly pg: PgErrorFields,
  ) {
    super(action, message, retryable);
    this.name = 'SqlFailedError';
  }
}

/** The Postgres fields of an error thrown by `pg` (only `message` for anything else). */
export function asPgError(error: unknown): PgErrorFields {
  if (error instanceof Error) {
    const e = error as Error & Partial<Record<'code' | 'position' | 'detail' | 'hint', unknown>>;
    return {
      message: e.message,
      code: typeof e.code === 'string' ? e.code : undefined,
      position: typeof e.position === 'string' ? e.position : undefined,
      detail: typeof e.detail === 'string' ? e.detail : undefined,
      hint: typeof e.hint === 'string' ? e.hint : undefined,
    };
  }
  return { message: String(error) };
}

/** "line 3, column 7" for a 1-based character position in `sql`. */
export function lineAndColumn(sql: string, position: number): string {
  const before = sql.slice(0, Math.max(0, position - 1));
  const lines = before.split('\n');
  return `line ${lines.length}, column ${(lines[lines.length - 1] ?? '').length + 1}`;
}

/** The Postgres message with its detail, hint and (when `sql` is given) where in `sql` it points. */
export function describePgError(pg: PgErrorFields, sql?: string, offset = 0): string {
  const parts = [pg.message];
  const position = pg.position === undefined ? undefined : Number(pg.position) - offset;
  if (sql !== undefined && position !== undefined && position >= 1 && position <= sql.length + 1) {
    parts[0] += ` (at ${lineAndColumn(sql, position)})`;
  }
  if (pg.detail) parts.push(`Detail: ${pg.detail}`);
  if (pg.hint) parts.push(`Hint: ${pg.hint}`);
  return parts.join('. ');
}

/** Advice for the person, by SQLSTATE: what to do about this failure. */
export function adviceFor(code: string | undefined, timeoutMs?: number): string {
  switch (code) {
    case '55P03':
      return 'Another session holds a lock on a table it needs; try again when the database is quieter.';
    case '57014':
      return `The statement ran longer than ${timeoutMs ?? 'the allowed'} ms and was cancelled; narrow it, or allow more time.`;
    case '25006':
      return 'This session is read-only; make changes through a migration instead.';
    case '3D000':
      return 'The database no longer exists (a branch may have been cleaned up); create the branch again.';
    case '42501':
      return 'The database user lacks a privilege this needs; grant it, or use a user that has it.';
    default:
      return code && RETRYABLE_SQLSTATES.has(code)
        ? 'The database was busy; try again.'
        : 'Fix the SQL and run it again.';
  }
}

/** True when the failure was the database being busy or unreachable, not the SQL being wrong. */
export function isRetryablePgError(pg: PgErrorFields): boolean {
  return pg.code !== undefined && (RETRYABLE_SQLSTATES.has(pg.code) || RETRYABLE_NODE_CODES.has(pg.code));
}

/**
 * Wraps an error thrown by `pg` while running `sql` into a SqlFailedError for `action`; `next` replaces
 * the generic advice for SQL that is simply wrong.
 */
export function sqlFailed(
  action: string,
  error: unknown,
  sql: string,
  timeoutMs?: number,
  next?: string,
): SqlFailedError {
  if (error instanceof SqlFailedError) return error;
  const pg = asPgError(error);
  const retryable = isRetryablePgError(pg);
  const advice = next !== undefined && !retryable && pg.code !== '57014' ? next : adviceFor(pg.code, timeoutMs);
  return new SqlFailedError(action, `${describePgError(pg, sql)}. ${advice}`, retryable, pg);
}
