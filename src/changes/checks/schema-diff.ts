import type {
  ColumnSnapshot,
  PolicySnapshot,
  SchemaSnapshot,
  SequenceSnapshot,
  TableSnapshot,
} from './schema-snapshot';

type Lines = string[];

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Added, removed and changed entries of two records, each turned into lines. */
function diffRecords<T>(
  before: Record<string, T>,
  after: Record<string, T>,
  on: {
    added: (key: string, v: T) => Lines;
    removed: (key: string, v: T) => Lines;
    changed: (key: string, a: T, b: T) => Lines;
  },
): Lines {
  const lines: Lines = [];
  for (const [key, a] of Object.entries(before)) {
    const b = after[key];
    if (b === undefined) lines.push(...on.removed(key, a));
    else if (!same(a, b)) lines.push(...on.changed(key, a, b));
  }
  for (const [key, b] of Object.entries(after)) {
    if (!(key in before)) lines.push(...on.added(key, b));
  }
  return lines;
}

/** `~ <what>: a → b` for each field that differs. */
function fieldChanges<T extends object>(what: string, a: T, b: T, label: (field: string) => string = (f) => f): Lines {
  return Object.keys(a)
    .filter((field) => !same(a[field as keyof T], b[field as keyof T]))
    .map((field) => `~ ${what} ${label(field)}: ${show(a[field as keyof T])} → ${show(b[field as keyof T])}`);
}

function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return 'none';
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}

const POLICY_FIELDS: Record<string, string> = {
  qual: 'using',
  withCheck: 'with check',
  command: 'command',
  roles: 'roles',
  permissive: 'kind',
};

function describeColumn(c: ColumnSnapshot): string {
  return `${c.type}${c.notNull ? ' not null' : ''}${c.default !== null ? ` default ${c.default}` : ''}`;
}

function describePolicy(name: string, table: string, p: PolicySnapshot): string {
  return `policy "${name}" on ${table} (${p.permissive.toLowerCase()} for ${p.command} to ${p.roles.join(', ')})`;
}

/** Lines for a table both snapshots hold. */
function diffTable(key: string, a: TableSnapshot, b: TableSnapshot): Lines {
  const columnChange = (name: string, x: ColumnSnapshot, y: ColumnSnapshot): Lines => {
    const lines: Lines = [];
    if (x.type !== y.type) lines.push(`~ column ${key}.${name}: ${x.type} → ${y.type}`);
    if (x.notNull !== y.notNull)
      lines.push(
        `~ column ${key}.${name}: ${x.notNull ? 'not null' : 'nullable'} → ${y.notNull ? 'not null' : 'nullable'}`,
      );
    const { type: _t, notNull: _n, ...restX } = x;
    const { type: _u, notNull: _m, ...restY } = y;
    return [...lines, ...fieldChanges(`column ${key}.${name}`, restX, restY)];
  };
  const lines = [
    ...diffRecords(a.columns, b.columns, {
      added: (name, c) => [`+ column ${key}.${name}: ${describeColumn(c)}`],
      removed: (name) => [`- column ${key}.${name}`],
      changed: columnChange,
    }),
    ...diffRecords(a.constraints, b.constraints, definitions('constraint', key)),
    ...diffRecords(a.indexes, b.indexes, definitions('index', key)),
    ...diffRecords(a.policies, b.policies, {
      added: (name, p) => [`+ ${describePolicy(name, key, p)}`],
      removed: (name) => [`- policy "${name}" on ${key}`],
      changed: (name, x, y) =>
        fieldChanges(`policy "${name}" on ${key}`, x, y, (field) => POLICY_FIELDS[field] ?? field),
    }),
    ...diffRecords(a.triggers, b.triggers, definitions('trigger', key)),
  ];
  if (a.rls.enabled !== b.rls.enabled)
    lines.push(
      `~ row level security on ${key}: ${a.rls.enabled ? 'enabled' : 'disabled'} → ${b.rls.enabled ? 'enabled' : 'disabled'}`,
    );
  if (a.rls.forced !== b.rls.forced)
    lines.push(
      `~ forced row level security on ${key}: ${a.rls.forced ? 'yes' : 'no'} → ${b.rls.forced ? 'yes' : 'no'}`,
    );
  return lines;
}

/** Handlers for records of definitions (constraints, indexes, triggers) on `table`. */
function definitions(kind: string, table: string): Parameters<typeof diffRecords<string>>[2] {
  return {
    added: (name, def) => [`+ ${kind} ${name} on ${table}: ${def}`],
    removed: (name) => [`- ${kind} ${name} on ${table}`],
    changed: (name, x, y) => [`~ ${kind} ${name} on ${table}: ${x} → ${y}`],
  };
}

/** What a new table brings that matters for review beyond its columns: RLS, policies, triggers. */
function addedTable(key: string, t: TableSnapshot): Lines {
  return [
    `+ table ${key} (${Object.entries(t.columns)
      .map(([name, c]) => `${name} ${c.type}`)
      .join(', ')})`,
    ...(t.rls.enabled ? [`+ row level security on ${key}${t.rls.forced ? ' (forced)' : ''}`] : []),
    ...Object.entries(t.policies).map(([name, p]) => `+ ${describePolicy(name, key, p)}`),
    ...Object.keys(t.triggers).map((name) => `+ trigger ${name} on ${key}`),
  ];
}

/**
 * Human-readable differences from `before` to `after`, one per line and sorted by object:
 * `+ table public.user_preferences (…)`, `~ column public.t.c: text → integer`, `- policy "p" on public.t`.
 * Empty when the schemas are the same.
 */
export function diffSnapshots(before: SchemaSnapshot, after: SchemaSnapshot): string[] {
  const lines: Lines = [
    ...after.schemas.filter((s) => !before.schemas.includes(s)).map((s) => `+ schema ${s}`),
    ...before.schemas.filter((s) => !after.schemas.includes(s)).map((s) => `- schema ${s}`),
    ...diffRecords(before.tables, after.tables, {
      added: addedTable,
      removed: (key) => [`- table ${key}`],
      changed: diffTable,
    }),
    ...diffRecords(before.views, after.views, {
      added: (key, v) => [`+ ${v.materialized ? 'materialized view' : 'view'} ${key}`],
      removed: (key, v) => [`- ${v.materialized ? 'materialized view' : 'view'} ${key}`],
      changed: (key) => [`~ view ${key}: definition changed`],
    }),
    ...diffRecords(before.functions, after.functions, {
      added: (key) => [`+ function ${key}`],
      removed: (key) => [`- function ${key}`],
      changed: (key) => [`~ function ${key}: definition changed`],
    }),
    ...diffRecords(before.enums, after.enums, {
      added: (key, labels) => [`+ enum ${key} (${labels.join(', ')})`],
      removed: (key) => [`- enum ${key}`],
      changed: (key, x, y) => [`~ enum ${key}: ${x.join(', ')} → ${y.join(', ')}`],
    }),
    ...diffRecords<SequenceSnapshot>(before.sequences, after.sequences, {
      added: (key) => [`+ sequence ${key}`],
      removed: (key) => [`- sequence ${key}`],
      changed: (key, x, y) => fieldChanges(`sequence ${key}`, x, y),
    }),
  ];
  return lines.sort((x, y) => compare(x.slice(2), y.slice(2)) || compare(x, y));
}
