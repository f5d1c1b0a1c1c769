import { z } from 'zod';
import { catalogQuery, type SchemaSelection } from './schema-catalog-sql';

export type { SchemaSelection } from './schema-catalog-sql';

/** Anything that runs a query and returns rows: a `pg` Client or Pool, or an adapter over `runSql`. */
export interface CatalogReader {
  query(sql: string): Promise<{ rows: unknown[] }>;
}

export interface ColumnSnapshot {
  /** `format_type`, e.g. `character varying(40)`. */
  type: string;
  notNull: boolean;
  default: string | null;
  /** `a` / `d` for identity columns, `s` for stored generated ones, '' otherwise. */
  identity: string;
  generated: string;
}

export interface PolicySnapshot {
  permissive: string;
  command: string;
  roles: string[];
  qual: string | null;
  withCheck: string | null;
}

/** A table; keys of each record are names (policy names as written). */
export interface TableSnapshot {
  columns: Record<string, ColumnSnapshot>;
  constraints: Record<string, string>;
  indexes: Record<string, string>;
  rls: { enabled: boolean; forced: boolean };
  policies: Record<string, PolicySnapshot>;
  triggers: Record<string, string>;
}

export interface SequenceSnapshot {
  type: string;
  start: string;
  increment: string;
  min: string;
  max: string;
  cycle: boolean;
}

/**
 * A deterministic description of a database schema from the catalogs: records keyed by qualified
 * name (`public.profiles`, functions by `public.f(integer)`), every record in sorted key order, so
 * two snapshots of the same schema are deep-equal and serialise to the same JSON.
 */
export interface SchemaSnapshot {
  schemas: string[];
  tables: Record<string, TableSnapshot>;
  views: Record<string, { materialized: boolean; definition: string }>;
  functions: Record<string, string>;
  enums: Record<string, string[]>;
  sequences: Record<string, SequenceSnapshot>;
}

const named = { schema: z.string(), name: z.string() };
const onTable = { schema: z.string(), table: z.string(), name: z.string() };
const catalogSchema = z.object({
  schemas: z.array(z.object({ name: z.string() })),
  tables: z.array(z.object({ ...named, rls: z.boolean(), rls_forced: z.boolean() })),
  columns: z.array(
    z.object({
      ...onTable,
      type: z.string(),
      not_null: z.boolean(),
      default: z.string().nullable(),
      identity: z.string(),
      generated: z.string(),
    }),
  ),
  constraints: z.array(z.object({ ...onTable, definition: z.string() })),
  indexes: z.array(z.object({ ...onTable, definition: z.string() })),
  policies: z.array(
    z.object({
      ...onTable,
      permissive: z.string(),
      command: z.string(),
      roles: z.array(z.string()),
      qual: z.string().nullable(),
      with_check: z.string().nullable(),
    }),
  ),
  triggers: z.array(z.object({ ...onTable, definition: z.string() })),
  views: z.array(z.object({ ...named, materialized: z.boolean(), definition: z.string() })),
  functions: z.array(z.object({ ...named, args: z.string(), definition: z.string() })),
  enums: z.array(z.object({ ...named, labels: z.array(z.string()) })),
  sequences: z.array(
    z.object({
      ...named,
      type: z.string(),
      start: z.string(),
      increment: z.string(),
      min: z.string(),
      max: z.string(),
      cycle: z.boolean(),
    }),
  ),
});
const resultSchema = z.object({
  snapshot: z.preprocess((v) => (typeof v === 'string' ? JSON.parse(v) : v), catalogSchema),
});

/** Compares by code point, so the order never depends on the machine's locale. */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sorted<T>(entries: Iterable<[string, T]>): Record<string, T> {
  return Object.fromEntries([...entries].sort(([a], [b]) => byCodePoint(a, b)));
}

/**
 * Describes `schemas` (default `public`; `'all'` for every non-system schema) from the catalogs,
 * leaving out objects that belong to extensions. Reads only; one query. With `lockTimeoutMs`, it
 * fails with a lock timeout rather than wait behind a session holding an ACCESS EXCLUSIVE lock.
 */
export async function snapshotSchema(
  client: CatalogReader,
  schemas: SchemaSelection = ['public'],
  opts: { lockTimeoutMs?: number } = {},
): Promise<SchemaSnapshot> {
  const { rows } = await client.query(catalogQuery(schemas, opts.lockTimeoutMs));
  const c = resultSchema.parse(rows[0]).snapshot;
  const tableKey = (r: { schema: string; table: string }): string => `${r.schema}.${r.table}`;
  const ofTable = <R extends { schema: string; table: string; name: string }, T>(
    items: R[],
    key: string,
    value: (r: R) => T,
  ): Record<string, T> => sorted(items.filter((r) => tableKey(r) === key).map((r) => [r.name, value(r)]));
  const tables = sorted(
    c.tables.map((t): [string, TableSnapshot] => {
      const key = `${t.schema}.${t.name}`;
      return [
        key,
        {
          columns: ofTable(c.columns, key, (r) => ({
            type: r.type,
            notNull: r.not_null,
            default: r.default,
            identity: r.identity,
            generated: r.generated,
          })),
          constraints: ofTable(c.constraints, key, (r) => r.definition),
          indexes: ofTable(c.indexes, key, (r) => r.definition),
          rls: { enabled: t.rls, forced: t.rls_forced },
          policies: ofTable(c.policies, key, (r) => ({
            permissive: r.permissive,
            command: r.command,
            roles: [...r.roles].sort(byCodePoint),
            qual: r.qual,
            withCheck: r.with_check,
          })),
          triggers: ofTable(c.triggers, key, (r) => r.definition),
        },
      ];
    }),
  );
  return {
    schemas: c.schemas.map((s) => s.name).sort(byCodePoint),
    tables,
    views: sorted(
      c.views.map((v) => [`${v.schema}.${v.name}`, { materialized: v.materialized, definition: v.definition }]),
    ),
    functions: sorted(c.functions.map((f) => [`${f.schema}.${f.name}(${f.args})`, f.definition])),
    enums: sorted(c.enums.map((e) => [`${e.schema}.${e.name}`, e.labels])),
    sequences: sorted(
      c.sequences.map((s) => [
        `${s.schema}.${s.name}`,
        { type: s.type, start: s.start, increment: s.increment, min: s.min, max: s.max, cycle: s.cycle },
      ]),
    ),
  };
}
