import type { Check, CheckFlag } from '../../domain/records';
import { quoteIdent } from '../checks/rls-table-name';
import { type FindingKind, treeRules } from './sql-findings';
import { qualifiedName } from './sql-node-text';
import {
  child,
  describeSyntaxError,
  isNode,
  names,
  parseSql,
  type PgNode,
  type SqlStatement,
  type SqlSyntaxError,
  str,
  walkNodes,
} from './sql-parser';

export type { FindingKind } from './sql-findings';

/** A rule that matched one statement of a migration. */
export interface SqlFinding {
  kind: FindingKind;
  /** 1-based statement number and the line it starts on. */
  statement: number;
  line: number;
  /** The start of the statement as written, on one line. */
  excerpt: string;
  why: string;
}

/** What the parser and the policy make of a migration's SQL. */
export interface MigrationAnalysis {
  statements: SqlStatement[];
  /** Set when the SQL does not parse; then there are no statements and no findings. */
  syntaxError?: SqlSyntaxError;
  findings: SqlFinding[];
}

/** Splits `sql` with the Postgres parser and applies every rule to every statement. */
export function analyseMigration(sql: string): MigrationAnalysis {
  const parsed = parseSql(sql);
  if (!parsed.ok) return { statements: [], syntaxError: parsed.error, findings: [] };
  const findings: SqlFinding[] = [];
  for (const s of parsed.statements) {
    const seen = new Set<string>();
    for (const match of treeRules({ [s.kind]: s.node })) {
      const key = `${match.kind}:${match.why}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push({ kind: match.kind, statement: s.index, line: s.line, excerpt: excerpt(s.text), why: match.why });
    }
  }
  return { statements: parsed.statements, findings };
}

/** The number of statements `sql` holds, by the parser (0 when it does not parse). */
export function statementCount(sql: string): number {
  const parsed = parseSql(sql);
  return parsed.ok ? parsed.statements.length : 0;
}

/** Why the policy refuses to run this SQL at all (it does not parse, or holds a forbidden statement), or undefined. */
export function refusal(analysis: MigrationAnalysis): string | undefined {
  if (analysis.syntaxError) return `the SQL does not parse: ${describeSyntaxError(analysis.syntaxError)}`;
  const forbidden = analysis.findings.filter((f) => f.kind === 'forbidden');
  if (!forbidden.length) return undefined;
  return `the policy forbids ${forbidden.map(describe).join('; ')}`;
}

/** Statement numbers Postgres refuses to run inside a transaction block. */
export function nonTransactional(analysis: MigrationAnalysis): Set<number> {
  return new Set(analysis.findings.filter((f) => f.kind === 'non_transactional').map((f) => f.statement));
}

/** A run of statements sent together: consecutive transactional ones, or one that must run on its own. */
export interface SqlBatch {
  /** The SQL as written, from the first statement's start to the last one's end. */
  text: string;
  /** Where `text` starts in the whole SQL (0-based characters), to point errors into it. */
  offset: number;
  transactional: boolean;
  /** 1-based statement numbers. */
  statements: number[];
}

/** `sql` cut, in order, into transactional batches and the statements that must run outside a transaction. */
export function batches(sql: string, analysis: MigrationAnalysis): SqlBatch[] {
  const outside = nonTransactional(analysis);
  const out: SqlBatch[] = [];
  for (const s of analysis.statements) {
    const transactional = !outside.has(s.index);
    const last = out[out.length - 1];
    if (last && transactional && last.transactional) {
      last.text = sql.slice(last.offset, s.end);
      last.statements.push(s.index);
    } else {
      out.push({ text: s.text, offset: s.start, transactional, statements: [s.index] });
    }
  }
  return out;
}

const CHECK_OF: Record<FindingKind, { name: string; status: Check['status']; flag?: CheckFlag; advice: string }> = {
  forbidden: {
    name: 'Forbidden statements',
    status: 'fail',
    advice: 'the migration cannot run; rewrite it without them',
  },
  destructive: {
    name: 'Destructive statements',
    status: 'warn',
    flag: 'destructive',
    advice: 'can lose data or break clients: check the backup point before approving (two approvers)',
  },
  unanalysable: {
    name: 'Code the engine cannot read',
    status: 'warn',
    flag: 'unanalysable',
    advice: 'read it yourself before approving (two approvers)',
  },
  non_transactional: {
    name: 'Outside the transaction',
    status: 'warn',
    flag: 'non_transactional',
    advice: 'runs on its own, outside the migration’s transaction: if a later statement fails, it stays applied',
  },
};

/**
 * The policy's verdict on a migration as gate checks: SQL that does not parse and forbidden
 * statements fail; destructive statements (in up_sql; down is expected to drop what up made),
 * unanalysable code and statements run outside the transaction are warnings carrying their flag.
 */
export function policyChecks(migration: { up_sql: string; down_sql: string }): Check[] {
  const up = analyseMigration(migration.up_sql);
  const down = analyseMigration(migration.down_sql);
  const checks: Check[] = [];
  for (const [label, a] of [
    ['up_sql', up],
    ['down_sql', down],
  ] as const) {
    if (a.syntaxError)
      checks.push({ name: 'SQL parses', status: 'fail', detail: `${label}: ${describeSyntaxError(a.syntaxError)}` });
  }
  const tagged = [
    ...up.findings.map((f) => ({ ...f, in: 'up_sql' })),
    ...down.findings.filter((f) => f.kind !== 'destructive').map((f) => ({ ...f, in: 'down_sql' })),
  ];
  for (const kind of ['forbidden', 'destructive', 'unanalysable', 'non_transactional'] as const) {
    const found = tagged.filter((f) => f.kind === kind);
    const of = CHECK_OF[kind];
    if (!found.length) {
      if (kind === 'forbidden' || kind === 'destructive')
        checks.push({ name: of.name, status: 'pass', detail: 'none' });
      continue;
    }
    const detail = `${found.map((f) => `${f.in} ${describe(f)}`).join('; ')} — ${of.advice}`;
    checks.push({
      name: of.name,
      status: of.status,
      detail: detail.length > 1500 ? `${detail.slice(0, 1497)}…` : detail,
      ...(of.flag ? { flags: [of.flag] } : {}),
    });
  }
  return checks;
}

/**
 * Tables a change creates or alters (columns, RLS, policies, grants, renames), schema-qualified
 * (`public` when unqualified) and quoted where a plain name would not read back the same
 * (`public."Notes"`), for the role probes; tables the same SQL drops again are left out. SQL that
 * does not parse touches nothing the engine can name.
 */
export function touchedTables(sql: string): string[] {
  const parsed = parseSql(sql);
  if (!parsed.ok) return [];
  const touched = new Set<string>();
  for (const s of parsed.statements) {
    for (const { type, node } of walkNodes({ [s.kind]: s.node })) {
      for (const name of tablesOf(type, node)) touched.add(name);
      if (type === 'DropStmt' && str(node, 'removeType') === 'OBJECT_TABLE') {
        for (const o of Array.isArray(node.objects) ? node.objects : []) {
          const parts = isNode(o) && isNode(o.List) ? names(o.List.items) : [];
          touched.delete(parts.length === 1 ? `public.${parts[0]}` : parts.join('.'));
        }
      }
    }
  }
  return [...touched].map((name) => {
    const dot = name.indexOf('.');
    return `${identifier(name.slice(0, dot))}.${identifier(name.slice(dot + 1))}`;
  });
}

/** An identifier as SQL text: bare when Postgres reads it back the same, quoted otherwise. */
function identifier(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : quoteIdent(name);
}

function tablesOf(type: string, node: PgNode): string[] {
  const one = (rv: PgNode | undefined): string[] => {
    const name = qualifiedName(rv);
    return name === undefined ? [] : [name];
  };
  switch (type) {
    case 'CreateStmt':
      return one(child(node, 'relation'));
    case 'CreateTableAsStmt':
      return str(node, 'objtype') === 'OBJECT_TABLE' ? one(child(child(node, 'into'), 'rel')) : [];
    case 'AlterTableStmt':
      return str(node, 'objtype') === 'OBJECT_TABLE' ? one(child(node, 'relation')) : [];
    case 'CreatePolicyStmt':
    case 'AlterPolicyStmt':
      return one(child(node, 'table'));
    case 'GrantStmt':
      return str(node, 'objtype') === 'OBJECT_TABLE' && str(node, 'targtype') === 'ACL_TARGET_OBJECT'
        ? (Array.isArray(node.objects) ? node.objects : []).flatMap((o) => (isNode(o) ? one(child(o, 'RangeVar')) : []))
        : [];
    case 'RenameStmt': {
      const rel = child(node, 'relation');
      if (str(node, 'renameType') !== 'OBJECT_TABLE' || !rel) return one(rel);
      return one({ ...rel, relname: str(node, 'newname') });
    }
    default:
      return [];
  }
}

function describe(f: SqlFinding): string {
  return `statement ${f.statement} (line ${f.line}) \`${f.excerpt}\`: ${f.why}`;
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 60 ? `${flat.slice(0, 57)}…` : flat;
}
