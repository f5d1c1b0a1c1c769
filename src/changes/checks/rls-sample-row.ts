import { randomUUID } from 'node:crypto';
import type { ClientBase } from 'pg';
import { quoteIdent, type TableName } from './rls-table-name';

/** What the role probes need to know of a column to build a row or an update. */
export interface ColumnInfo {
  name: string;
  /** `format_type` of the column, for casts. */
  type: string;
  notNull: boolean;
  hasDefault: boolean;
  /** `a` (always), `d` (by default) or empty. */
  identity: string;
  /** `s` (stored) or empty. */
  generated: string;
  defaultExpr: string | null;
  /** Name and category (`pg_type.typcategory`) of the type, or of the base type of a domain. */
  baseType: string;
  category: string;
  firstEnumLabel: string | null;
  refsAuthUsers: boolean;
}

/** The columns of a table, in order, without dropped or system columns. */
export async function readColumns(db: ClientBase, table: TableName): Promise<ColumnInfo[]> {
  const { rows } = await db.query<ColumnInfo>(
    `select a.attname as name, pg_catalog.format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as "notNull",
            a.atthasdef as "hasDefault", a.attidentity as identity, a.attgenerated as generated,
            pg_catalog.pg_get_expr(d.adbin, d.adrelid) as "defaultExpr",
            coalesce(bt.typname, t.typname) as "baseType", coalesce(bt.typcategory, t.typcategory) as category,
            (select e.enumlabel from pg_catalog.pg_enum e where e.enumtypid = coalesce(bt.oid, t.oid)
              order by e.enumsortorder limit 1) as "firstEnumLabel",
            exists (select 1 from pg_catalog.pg_constraint k where k.conrelid = a.attrelid and k.contype = 'f'
                     and a.attnum = any(k.conkey) and k.confrelid = to_regclass('auth.users')) as "refsAuthUsers"
       from pg_catalog.pg_attribute a
       join pg_catalog.pg_type t on t.oid = a.atttypid
       left join pg_catalog.pg_type bt on t.typtype = 'd' and bt.oid = t.typbasetype
       left join pg_catalog.pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
      where a.attrelid = to_regclass($1) and a.attnum > 0 and not a.attisdropped
      order by a.attnum`,
    [table.sql],
  );
  return rows;
}

const OWNER_NAME =
  /^(user|owner|author|creator|profile|account|member)(_?id)?$|^(created|updated|owned)_by$|_user_id$/i;

/**
 * Columns that say whose a row is: uuid columns referencing auth.users, defaulting to auth.uid(),
 * or named like `user_id` / `owner_id` / `created_by`.
 */
export function ownerColumns(columns: ColumnInfo[]): ColumnInfo[] {
  return columns.filter(
    (c) =>
      c.baseType === 'uuid' &&
      c.generated === '' &&
      c.identity !== 'a' &&
      (c.refsAuthUsers || /auth\.uid\(\)/.test(c.defaultExpr ?? '') || OWNER_NAME.test(c.name)),
  );
}

/** A column an UPDATE can set to itself, or undefined when every column is generated. */
export function updatableColumn(columns: ColumnInfo[]): ColumnInfo | undefined {
  return columns.find((c) => c.generated === '' && c.identity !== 'a');
}

/** An INSERT statement with its parameters, or why no row could be built. */
export type SampleInsert = { sql: string; params: string[] } | { reason: string };

/**
 * An INSERT of one row: owner columns get `ownerId`, columns with a default or that accept NULL are
 * left out, and the other required columns get a simple value of their type.
 */
export function sampleInsert(table: TableName, columns: ColumnInfo[], ownerId: string): SampleInsert {
  const owners = new Set(ownerColumns(columns).map((c) => c.name));
  const names: string[] = [];
  const values: string[] = [];
  const params: string[] = [];
  for (const c of columns) {
    let value: string | undefined;
    if (owners.has(c.name)) value = ownerId;
    else if (c.generated !== '' || c.identity !== '' || c.hasDefault || !c.notNull) continue;
    else value = sampleValue(c);
    if (value === undefined) return { reason: `no sample value for column ${c.name} of type ${c.type}` };
    params.push(value);
    names.push(quoteIdent(c.name));
    values.push(`$${params.length}::${c.type}`);
  }
  return names.length
    ? { sql: `insert into ${table.sql} (${names.join(', ')}) values (${values.join(', ')})`, params }
    : { sql: `insert into ${table.sql} default values`, params };
}

function sampleValue(c: ColumnInfo): string | undefined {
  switch (c.category) {
    case 'S':
      return 'x';
    case 'N':
      return '1';
    case 'B':
      return 'false';
    case 'D':
      return 'now';
    case 'T':
      return '1 hour';
    case 'A':
      return '{}';
    case 'I':
      return '127.0.0.1';
    case 'V':
      return '0';
    case 'R':
      return 'empty';
    case 'E':
      return c.firstEnumLabel ?? undefined;
    case 'U':
      if (c.baseType === 'uuid') return randomUUID();
      if (c.baseType === 'json' || c.baseType === 'jsonb') return '{}';
      if (c.baseType === 'bytea') return '\\x00';
      return undefined;
    default:
      return undefined;
  }
}
