/** Which statements of a migration lock or rewrite tables that exist before it, read by the Postgres parser. */
import { qualifiedName } from './sql-node-text';
import { child, parseSql, type PgNode, str } from './sql-parser';

/** One statement that holds a lock on an existing table while the migration runs, or rewrites it. */
export interface LockFact {
  /** `lock`: other sessions wait (reads, writes or both); `rewrite`: the whole table is copied under that lock. */
  kind: 'lock' | 'rewrite';
  /** The table, schema-qualified (`public.notes`). */
  table: string;
  /** 1-based statement number. */
  statement: number;
  /** What the statement does to the table, in words. */
  why: string;
}

/** Statement kinds whose target table they lock (Postgres' lock levels), with what waits for them. */
function locksOf(kind: string, node: PgNode): Array<{ table?: string; kind: LockFact['kind']; why: string }> {
  switch (kind) {
    case 'AlterTableStmt':
      return str(node, 'objtype') === 'OBJECT_TABLE'
        ? [
            {
              table: qualifiedName(child(node, 'relation')),
              kind: 'lock',
              why: 'ALTER TABLE takes an ACCESS EXCLUSIVE lock: reads and writes wait until the migration commits',
            },
          ]
        : [];
    case 'IndexStmt':
      return node.concurrent
        ? []
        : [
            {
              table: qualifiedName(child(node, 'relation')),
              kind: 'lock',
              why: 'CREATE INDEX without CONCURRENTLY blocks writes while the index is built',
            },
          ];
    case 'CreateTrigStmt':
      return [
        {
          table: qualifiedName(child(node, 'relation')),
          kind: 'lock',
          why: 'CREATE TRIGGER blocks writes until the migration commits',
        },
      ];
    case 'CreatePolicyStmt':
    case 'AlterPolicyStmt':
      return [
        {
          table: qualifiedName(child(node, 'table')),
          kind: 'lock',
          why: `${kind === 'CreatePolicyStmt' ? 'CREATE' : 'ALTER'} POLICY takes an ACCESS EXCLUSIVE lock`,
        },
      ];
    case 'LockStmt':
      return [{ kind: 'lock', why: 'LOCK TABLE holds the lock until the migration commits' }];
    case 'ClusterStmt':
      return [{ table: qualifiedName(child(node, 'relation')), kind: 'rewrite', why: 'CLUSTER rewrites the table' }];
    case 'VacuumStmt':
      return JSON.stringify(node.options ?? []).includes('"full"')
        ? [{ kind: 'rewrite', why: 'VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock' }]
        : [];
    case 'RefreshMatViewStmt':
      return node.concurrent
        ? []
        : [
            {
              table: qualifiedName(child(node, 'relation')),
              kind: 'lock',
              why: 'REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks reads of the view',
            },
          ];
    default:
      return [];
  }
}

/**
 * The statements of `sql` that lock or rewrite a table the migration did not create itself (a table
 * created earlier in the same SQL is empty and unused, so its locks cost nothing). A statement whose
 * table the parser cannot name (LOCK, VACUUM FULL) counts as on an existing table. SQL that does not
 * parse has no facts: the policy reports it.
 */
export function lockFacts(sql: string): LockFact[] {
  const parsed = parseSql(sql);
  if (!parsed.ok) return [];
  const created = new Set<string>();
  const out: LockFact[] = [];
  for (const s of parsed.statements) {
    if (s.kind === 'CreateStmt') {
      const name = qualifiedName(child(s.node, 'relation'));
      if (name) created.add(name);
      continue;
    }
    for (const lock of locksOf(s.kind, s.node)) {
      if (lock.table && created.has(lock.table)) continue;
      out.push({ kind: lock.kind, table: lock.table ?? 'the tables it names', statement: s.index, why: lock.why });
    }
  }
  return out;
}
