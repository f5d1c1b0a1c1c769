import { loadModule, parseSync } from 'libpg-query';
import { ActionFailedError } from '../../domain/errors';

/** A node of the parser's tree (libpg_query JSON): `{ CreateStmt: { … } }` unwrapped to its fields. */
export type PgNode = Record<string, unknown>;

/** One statement of a SQL text, as the Postgres parser split it. */
export interface SqlStatement {
  /** 1-based place in the text. */
  index: number;
  /** The parser's node type, e.g. `CreateStmt`, `IndexStmt`. */
  kind: string;
  /** The node's fields. */
  node: PgNode;
  /** The statement as written, without the `;` and the blank space around it. */
  text: string;
  /** Where `text` starts and ends in the whole SQL (0-based, in characters). */
  start: number;
  end: number;
  /** 1-based line of the whole SQL where the statement starts. */
  line: number;
}

/** SQL the parser refused: its message and where it points (1-based line and column). */
export interface SqlSyntaxError {
  message: string;
  line: number;
  column: number;
}

export type ParsedSql = { ok: true; statements: SqlStatement[] } | { ok: false; error: SqlSyntaxError };

const loading = loadModule();
let loaded = false;
void loading.then(() => {
  loaded = true;
});

/** Loads the parser (WebAssembly); once, before the first verdict. The composition root awaits it at start-up. */
export async function loadSqlParser(): Promise<void> {
  await loading;
  loaded = true;
}

interface RawStatement {
  stmt: Record<string, PgNode>;
  stmt_location?: number;
  stmt_len?: number;
}

/**
 * Splits and parses `sql` with the real Postgres parser (libpg_query, Postgres 17 grammar). Text that
 * is only blank space and comments has no statements; SQL that does not parse gives the parser's
 * message and where it points.
 */
export function parseSql(sql: string): ParsedSql {
  if (!loaded)
    throw new ActionFailedError(
      'Reading SQL',
      'the SQL parser is not loaded yet; await loadSqlParser() at start-up',
      true,
    );
  if (!sql.trim()) return { ok: true, statements: [] };
  let raw: RawStatement[];
  try {
    raw = (parseSync(sql) as { stmts?: RawStatement[] }).stmts ?? [];
  } catch (error) {
    const e = error as Error & { sqlDetails?: { message: string; cursorPosition: number } };
    const at = e.sqlDetails?.cursorPosition ?? 0;
    return { ok: false, error: { message: e.sqlDetails?.message ?? e.message, ...lineAndColumnAt(sql, at) } };
  }
  // Statement locations are in bytes of the UTF-8 text; error positions are in characters.
  const bytes = Buffer.from(sql, 'utf8');
  return {
    ok: true,
    statements: raw.map((r, i) => {
      const from = r.stmt_location ?? 0;
      const to = r.stmt_len === undefined || r.stmt_len === 0 ? bytes.length : from + r.stmt_len;
      const before = bytes.subarray(0, from).toString('utf8').length;
      const piece = bytes.subarray(from, to).toString('utf8');
      const lead = piece.length - piece.trimStart().length;
      const text = piece.trim();
      const start = before + lead;
      const [kind, node] = Object.entries(r.stmt)[0] ?? ['Unknown', {}];
      return {
        index: i + 1,
        kind,
        node,
        text,
        start,
        end: start + text.length,
        line: lineAndColumnAt(sql, start).line,
      };
    }),
  };
}

/** 1-based line and column of the 0-based character offset `at` in `text`. */
export function lineAndColumnAt(text: string, at: number): { line: number; column: number } {
  const lines = text.slice(0, Math.max(0, at)).split('\n');
  return { line: lines.length, column: (lines[lines.length - 1] ?? '').length + 1 };
}

/** "syntax error at or near "x" (line 2, column 8)": a parse failure for a person. */
export function describeSyntaxError(error: SqlSyntaxError): string {
  return `${error.message} (at line ${error.line}, column ${error.column})`;
}

/** One node met while walking a tree: its type and its fields. */
export interface WalkedNode {
  type: string;
  node: PgNode;
}

/**
 * Every wrapped node under `tree`, depth first: expressions, sub-queries, CTEs, defaults, CHECKs,
 * policies, rule actions. Fields that the grammar types exactly (a statement's `relation`) are not
 * wrapped in the parser's JSON; callers that need those read them by field name.
 */
export function* walkNodes(tree: unknown): Generator<WalkedNode> {
  if (Array.isArray(tree)) {
    for (const item of tree) yield* walkNodes(item);
    return;
  }
  if (!isNode(tree)) return;
  const keys = Object.keys(tree);
  const only = keys.length === 1 ? keys[0]! : undefined;
  if (only !== undefined && /^[A-Z]/.test(only) && isNode(tree[only])) {
    yield { type: only, node: tree[only] as PgNode };
    yield* walkNodes(Object.values(tree[only] as PgNode));
    return;
  }
  for (const value of Object.values(tree)) yield* walkNodes(value);
}

/** Every plain object under `tree` (wrapped or not), for fields looked up by name wherever they are. */
export function* walkObjects(tree: unknown): Generator<PgNode> {
  if (Array.isArray(tree)) {
    for (const item of tree) yield* walkObjects(item);
    return;
  }
  if (!isNode(tree)) return;
  yield tree;
  for (const value of Object.values(tree)) yield* walkObjects(value);
}

export function isNode(value: unknown): value is PgNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `sval`s of a list of `String` nodes (a qualified name): `["public", "notes"]`. */
export function names(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item) => {
    const s = isNode(item) && isNode(item.String) ? item.String.sval : undefined;
    return typeof s === 'string' ? [s] : [];
  });
}

/** A string field of a node, or undefined. */
export function str(node: PgNode | undefined, field: string): string | undefined {
  const value = node?.[field];
  return typeof value === 'string' ? value : undefined;
}

/** A node field (unwrapped), or undefined. */
export function child(node: PgNode | undefined, field: string): PgNode | undefined {
  const value = node?.[field];
  return isNode(value) ? value : undefined;
}
