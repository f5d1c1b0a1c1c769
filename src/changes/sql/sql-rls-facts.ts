import { qualifiedName } from './sql-node-text';
import { child, isNode, parseSql, type PgNode, str, walkNodes } from './sql-parser';

/** What proposed SQL says about row level security, read by the parser. Names are `schema.table`. */
export interface RlsFacts {
  /** Tables the SQL creates, in order. */
  created: string[];
  /** Tables the SQL turns RLS on for. */
  rlsEnabled: Set<string>;
  /** Tables the SQL creates a policy on. */
  withPolicy: Set<string>;
  /** Permissive write policies (INSERT, UPDATE, DELETE or ALL) whose USING or WITH CHECK is the constant true. */
  alwaysTrueWrites: string[];
  /** Pieces of SQL that do not parse, with the parser's message. */
  unreadable: string[];
}

const WRITES = new Set(['insert', 'update', 'delete', 'all']);

/** Reads the RLS facts of every SQL text given (each parsed on its own). */
export function rlsFacts(sqls: string[]): RlsFacts {
  const facts: RlsFacts = {
    created: [],
    rlsEnabled: new Set(),
    withPolicy: new Set(),
    alwaysTrueWrites: [],
    unreadable: [],
  };
  for (const sql of sqls) {
    const parsed = parseSql(sql);
    if (!parsed.ok) {
      facts.unreadable.push(`${parsed.error.message} (line ${parsed.error.line}, column ${parsed.error.column})`);
      continue;
    }
    for (const s of parsed.statements) {
      for (const { type, node } of walkNodes({ [s.kind]: s.node })) read(facts, type, node);
    }
  }
  return facts;
}

function read(facts: RlsFacts, type: string, node: PgNode): void {
  if (type === 'CreateStmt') {
    const name = qualifiedName(child(node, 'relation'));
    if (name && !facts.created.includes(name)) facts.created.push(name);
  }
  if (type === 'AlterTableStmt' && str(node, 'objtype') === 'OBJECT_TABLE') {
    const name = qualifiedName(child(node, 'relation'));
    const cmds = Array.isArray(node.cmds) ? node.cmds : [];
    if (name && cmds.some((c) => isNode(c) && str(child(c, 'AlterTableCmd'), 'subtype') === 'AT_EnableRowSecurity'))
      facts.rlsEnabled.add(name);
  }
  if (type === 'CreatePolicyStmt') {
    const table = qualifiedName(child(node, 'table'));
    if (table) facts.withPolicy.add(table);
    const write = WRITES.has(str(node, 'cmd_name') ?? 'all');
    if (write && node.permissive !== false && (isConstantTrue(node.qual) || isConstantTrue(node.with_check)))
      facts.alwaysTrueWrites.push(str(node, 'policy_name') ?? '?');
  }
}

/** `true`, `'t'::boolean`, `(true)`: a constant the parser reads as true. */
function isConstantTrue(expr: unknown): boolean {
  if (!isNode(expr)) return false;
  const constant = child(expr, 'A_Const');
  if (constant) {
    if (child(constant, 'boolval')?.boolval === true) return true;
    const text = str(child(constant, 'sval'), 'sval')?.toLowerCase();
    return text !== undefined && ['t', 'true', 'on', 'yes', 'y', '1'].includes(text);
  }
  const cast = child(expr, 'TypeCast');
  return cast !== undefined && isConstantTrue(cast.arg);
}
