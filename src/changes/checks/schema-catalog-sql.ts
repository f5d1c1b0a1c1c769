/** Which schemas a snapshot covers: a list, or every schema that is not Postgres's own. */
export type SchemaSelection = readonly string[] | 'all';

function literal(value: string): string {
  return `E'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** A SQL condition on a schema-name column for the selection. */
function schemaFilter(column: string, schemas: SchemaSelection): string {
  if (schemas === 'all') {
    return (
      `(${column} NOT IN ('pg_catalog', 'information_schema') AND ${column} NOT LIKE 'pg\\_toast%' ` +
      `AND ${column} NOT LIKE 'pg\\_temp\\_%')`
    );
  }
  return schemas.length ? `${column} IN (${schemas.map(literal).join(', ')})` : 'false';
}

/** A condition excluding objects that belong to an extension (they come and go with it). */
function notFromExtension(catalog: string, oid: string): string {
  return `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${catalog}'::regclass AND d.objid = ${oid} AND d.deptype = 'e')`;
}

function list(select: string): string {
  return `(SELECT coalesce(json_agg(x), '[]'::json) FROM (${select}) x)`;
}

/**
 * One catalog query describing the selected schemas as a single JSON document (one round trip, so
 * it runs as well through a provider's `runSql` as through a direct connection), with every name
 * schema-qualified. Deparsing index, policy, default and view definitions takes ACCESS SHARE locks,
 * so it waits behind an ACCESS EXCLUSIVE lock; with `lockTimeoutMs` it gives up after that long.
 */
export function catalogQuery(schemas: SchemaSelection, lockTimeoutMs?: number): string {
  // A materialised CTE is scanned before the select list (and its sub-selects) is evaluated. An
  // empty search_path makes every deparsed name schema-qualified, whatever the session's path.
  const lockTimeout =
    lockTimeoutMs === undefined
      ? ''
      : `, set_config('lock_timeout', '${Math.max(1, Math.floor(lockTimeoutMs))}', true) AS lock_timeout`;
  const settings = `WITH settings AS MATERIALIZED (SELECT set_config('search_path', '', true) AS search_path${lockTimeout})\n`;
  const nsp = schemaFilter('n.nspname', schemas);
  const tableKinds = `c.relkind IN ('r', 'p', 'f')`;
  const ofTable = `FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace`;
  return `${settings}SELECT json_build_object(
  'schemas', ${list(`SELECT n.nspname AS name FROM pg_namespace n WHERE ${nsp}`)},
  'tables', ${list(`SELECT n.nspname AS schema, c.relname AS name, c.relrowsecurity AS rls, c.relforcerowsecurity AS rls_forced
    ${ofTable} WHERE ${tableKinds} AND ${nsp} AND ${notFromExtension('pg_class', 'c.oid')}`)},
  'columns', ${list(`SELECT n.nspname AS schema, c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
      a.attnotnull AS not_null, pg_get_expr(ad.adbin, ad.adrelid) AS default, a.attidentity::text AS identity,
      a.attgenerated::text AS generated
    ${ofTable} JOIN pg_attribute a ON a.attrelid = c.oid LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
    WHERE ${tableKinds} AND a.attnum > 0 AND NOT a.attisdropped AND ${nsp}`)},
  'constraints', ${list(`SELECT n.nspname AS schema, c.relname AS table, con.conname AS name,
      pg_get_constraintdef(con.oid, true) AS definition
    ${ofTable} JOIN pg_constraint con ON con.conrelid = c.oid WHERE ${tableKinds} AND ${nsp}`)},
  'indexes', ${list(`SELECT n.nspname AS schema, c.relname AS table, i.relname AS name, pg_get_indexdef(i.oid) AS definition
    ${ofTable} JOIN pg_index x ON x.indrelid = c.oid JOIN pg_class i ON i.oid = x.indexrelid WHERE ${tableKinds} AND ${nsp}`)},
  'policies', ${list(`SELECT p.schemaname AS schema, p.tablename AS table, p.policyname AS name, p.permissive, p.cmd AS command,
      p.roles::text[] AS roles, p.qual, p.with_check FROM pg_policies p WHERE ${schemaFilter('p.schemaname', schemas)}`)},
  'triggers', ${list(`SELECT n.nspname AS schema, c.relname AS table, t.tgname AS name, pg_get_triggerdef(t.oid, true) AS definition
    ${ofTable} JOIN pg_trigger t ON t.tgrelid = c.oid WHERE NOT t.tgisinternal AND ${nsp}`)},
  'views', ${list(`SELECT n.nspname AS schema, c.relname AS name, c.relkind = 'm' AS materialized, pg_get_viewdef(c.oid, true) AS definition
    ${ofTable} WHERE c.relkind IN ('v', 'm') AND ${nsp} AND ${notFromExtension('pg_class', 'c.oid')}`)},
  'functions', ${list(`SELECT n.nspname AS schema, p.proname AS name, pg_get_function_identity_arguments(p.oid) AS args,
      pg_get_functiondef(p.oid) AS definition
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE p.prokind IN ('f', 'p') AND ${nsp} AND ${notFromExtension('pg_proc', 'p.oid')}`)},
  'enums', ${list(`SELECT n.nspname AS schema, t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_enum e ON e.enumtypid = t.oid
    WHERE ${nsp} AND ${notFromExtension('pg_type', 't.oid')} GROUP BY n.nspname, t.typname`)},
  'sequences', ${list(`SELECT n.nspname AS schema, c.relname AS name, format_type(s.seqtypid, NULL) AS type, s.seqstart::text AS start,
      s.seqincrement::text AS increment, s.seqmin::text AS min, s.seqmax::text AS max, s.seqcycle AS cycle
    ${ofTable} JOIN pg_sequence s ON s.seqrelid = c.oid WHERE ${nsp} AND ${notFromExtension('pg_class', 'c.oid')}`)}
) AS snapshot FROM settings`;
}
