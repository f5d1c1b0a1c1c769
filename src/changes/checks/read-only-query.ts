import {
  child,
  describeSyntaxError,
  isNode,
  names,
  parseSql,
  type PgNode,
  str,
  walkNodes,
  walkObjects,
} from '../sql/sql-parser';
import { DYNAMIC_SQL_FUNCTIONS, refusedFunction, SECRET_CATALOGS, WRITING_FUNCTIONS } from '../sql/sql-rules';

/** The read-only check's verdict: the one statement's text, or why the SQL is refused. */
export type ReadOnlyVerdict = { ok: true; sql: string } | { ok: false; reason: string };

const WRITES = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

/**
 * The check in front of `execute_sql` and the smoke tests, a second wall behind the branch's
 * read-only role: exactly one statement, a SELECT (no SELECT INTO, no data-modifying CTE, no
 * FOR UPDATE/SHARE), an EXPLAIN without ANALYZE of such a SELECT, or SHOW; no call of a server-file,
 * large-object, outside-connection, backend-signalling, replication, `set_config`, sequence-writing
 * or SQL-running function; no read of catalogs that hold secrets (`pg_authid`, `pg_shadow`, …).
 */
export function checkReadOnlyQuery(sql: string): ReadOnlyVerdict {
  const parsed = parseSql(sql);
  if (!parsed.ok) return { ok: false, reason: `The query does not parse: ${describeSyntaxError(parsed.error)}.` };
  if (parsed.statements.length !== 1) {
    return { ok: false, reason: `Send exactly one statement; this has ${parsed.statements.length}.` };
  }
  const statement = parsed.statements[0]!;
  const why = refusal(statement.kind, statement.node);
  return why === undefined
    ? { ok: true, sql: statement.text }
    : {
        ok: false,
        reason:
          `Refused: ${why}. Only one read-only SELECT, EXPLAIN (without ANALYZE) or SHOW runs here; ` +
          `propose changes in your handoff instead.`,
      };
}

function refusal(kind: string, node: PgNode): string | undefined {
  switch (kind) {
    case 'VariableShowStmt':
      return undefined;
    case 'ExplainStmt': {
      if (analyzes(node.options)) return 'EXPLAIN ANALYZE runs the statement';
      const inner = child(node, 'query');
      const [innerKind, innerNode] = inner ? (Object.entries(inner)[0] ?? []) : [];
      if (typeof innerKind !== 'string' || !isNode(innerNode)) return 'EXPLAIN of nothing';
      return innerKind === 'SelectStmt'
        ? selectRefusal(innerNode)
        : `EXPLAIN of ${innerKind.replace(/Stmt$/, '').toUpperCase()}, which is not a read`;
    }
    case 'SelectStmt':
      return selectRefusal(node);
    default:
      return `${kind.replace(/Stmt$/, '')} is not a read`;
  }
}

function selectRefusal(select: PgNode): string | undefined {
  const tree = { SelectStmt: select };
  for (const { type, node } of walkNodes(tree)) {
    if (WRITES.has(type)) return `it writes (${type.replace(/Stmt$/, '').toUpperCase()} inside the query)`;
    if (type === 'SelectStmt' && node.intoClause !== undefined) return 'SELECT INTO creates a table';
    if (type === 'SelectStmt' && Array.isArray(node.lockingClause) && node.lockingClause.length)
      return 'FOR UPDATE/SHARE takes row locks';
    if (type === 'RangeVar') {
      const rel = str(node, 'relname')?.toLowerCase();
      const schema = str(node, 'schemaname')?.toLowerCase();
      if (rel && SECRET_CATALOGS.has(rel) && (schema === undefined || schema === 'pg_catalog'))
        return `${rel} holds secrets`;
    }
  }
  if (select.intoClause !== undefined) return 'SELECT INTO creates a table';
  for (const obj of walkObjects(tree)) {
    const fn = names(obj.funcname).at(-1)?.toLowerCase();
    if (fn === undefined) continue;
    const family = refusedFunction(fn);
    if (family) return `${fn}() is a ${family} function`;
    if (WRITING_FUNCTIONS.has(fn)) return `${fn}() writes`;
    if (DYNAMIC_SQL_FUNCTIONS.has(fn)) return `${fn}() runs SQL handed to it as text`;
  }
  return undefined;
}

/** True unless every ANALYZE option of the EXPLAIN is explicitly off. */
function analyzes(options: unknown): boolean {
  if (!Array.isArray(options)) return false;
  return options.some((o) => {
    const def = isNode(o) ? child(o, 'DefElem') : undefined;
    if (!def || str(def, 'defname') !== 'analyze') return false;
    const arg = child(def, 'arg');
    if (!arg) return true;
    const text = str(child(arg, 'String'), 'sval');
    if (text !== undefined) return !['false', 'off', '0', 'no'].includes(text.toLowerCase());
    // The parser's JSON leaves out false and 0.
    const bool = child(arg, 'Boolean');
    if (bool) return bool.boolval === true;
    const int = child(arg, 'Integer');
    return int ? (int.ival ?? 0) !== 0 : true;
  });
}
