import type { ClientBase, Pool, PoolClient } from 'pg';
import { ActionFailedError, InfraError, isRetryable } from '../../domain/errors';
import { catalogFindings } from './rls-findings';
import type { RlsFinding, RoleProbe } from './rls-types';
import { probeTable, unavailableProbe } from './rls-probes';
import { parseTableName, type TableName } from './rls-table-name';
import type { Check } from '../../domain/records';

const ACTION = 'RLS audit';

/** Roles the probes act as: Supabase's roles of API callers without and with a login. */
export const DEFAULT_PROBE_ROLES: readonly string[] = ['anon', 'authenticated'];

/** A finding's identity, to compare the audit with the branch's baseline. */
export function findingKey(finding: Pick<RlsFinding, 'rule' | 'object'>): string {
  return `${finding.rule} ${finding.object}`;
}

export interface RlsAuditResult {
  findings: RlsFinding[];
  probes: RoleProbe[];
}

export interface RlsAuditOptions {
  /** Tables the migration touched, schema-qualified (`public.todos`); these are probed. */
  tables: string[];
  /** Schemas exposed through the API (default `public`): every table, view and function in them is audited. */
  schemas?: string[];
  /** Roles to probe as (default {@link DEFAULT_PROBE_ROLES}); missing roles are reported, never created. */
  roles?: readonly string[];
  /** Statement and lock timeout of each probe (default 5 s). */
  probeTimeoutMs?: number;
  /**
   * Keys ({@link findingKey}) of the findings on the fresh branch, before any migration: what is already
   * on production. A finding among them, about no touched table, is marked `existing`; without a
   * baseline every finding counts as the change's.
   */
  baseline?: readonly string[];
}

/**
 * The findings of a fresh branch, before any migration ran on it: production's own, as keys for
 * {@link RlsAuditOptions.baseline}. Reads the catalogs only.
 */
export async function auditBaseline(client: ClientBase | Pool, schemas: string[] = ['public']): Promise<string[]> {
  return withConnection(client, async (db) => (await catalogFindings(db, schemas, [])).map(findingKey));
}

/**
 * Audits row level security on a branch: catalog findings in the spirit of Supabase's security
 * advisors, then role probes on each touched table, in transactions that are always rolled back.
 * It writes nothing that outlives it; it needs a connection allowed to `SET ROLE` to the probe roles.
 * A client must not be inside a transaction; a pool lends one connection for the whole audit.
 */
export async function auditRls(client: ClientBase | Pool, opts: RlsAuditOptions): Promise<RlsAuditResult> {
  const tables = opts.tables.map((text) => {
    const name = parseTableName(text);
    if (!name)
      throw new ActionFailedError(
        ACTION,
        `"${text}" is not a table name. Pass schema-qualified names such as public.todos.`,
        false,
      );
    return name;
  });
  const schemas = opts.schemas ?? ['public'];
  const roles = opts.roles ?? DEFAULT_PROBE_ROLES;
  try {
    return await withConnection(client, async (db) => {
      const baseline = new Set(opts.baseline ?? []);
      const touched = new Set(tables.map((t) => t.display));
      const findings = (await catalogFindings(db, schemas, tables)).map((f) =>
        baseline.has(findingKey(f)) &&
        !(f.table !== undefined && touched.has(parseTableName(f.table)?.display ?? f.table))
          ? { ...f, existing: true }
          : f,
      );
      const { rows } = await db.query<{ rolname: string }>(
        'select rolname from pg_catalog.pg_roles where rolname = any($1)',
        [[...roles]],
      );
      const present = roles.filter((r) => rows.some((row) => row.rolname === r));
      const probes: RoleProbe[] = [];
      for (const table of unique(tables)) {
        const tried = present.length ? await probeTable(db, table, present, opts.probeTimeoutMs ?? 5000) : [];
        probes.push(
          ...roles.map((role) => tried.find((p) => p.role === role) ?? unavailableProbe(table.display, role)),
        );
      }
      return { findings, probes };
    });
  } catch (error) {
    if (error instanceof InfraError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new ActionFailedError(
      ACTION,
      `${message}. Check that the branch database answers and that the bot's user may read its catalogs, then run the audit again.`,
      isRetryable(error),
    );
  }
}

const RULE_TITLES: Record<string, string> = {
  rls_disabled_in_public: 'RLS disabled on an exposed table',
  policy_exists_rls_disabled: 'Policies on a table without RLS',
  rls_enabled_no_policy: 'RLS enabled without any policy',
  rls_policy_always_true: 'Write policy that is always true',
  security_definer_view: 'View running with its owner’s rights',
  function_search_path_mutable: 'Function with a mutable search_path',
  auth_users_exposed: 'auth.users exposed through the API',
};

/**
 * Checks for a gate: one per rule found about the change (`fail` if any of its findings is an error,
 * else `warn`), or a pass when there is none; the findings already on production, per rule, marked
 * `existing` (shown apart, never failing the gate); then one summary per probed role, e.g.
 * "anon can read 0 rows, cannot write".
 */
export function rlsChecks(result: RlsAuditResult): Check[] {
  const checks: Check[] = byRule(
    result.findings.filter((f) => !f.existing),
    'RLS: ',
  );
  if (!checks.length) checks.push({ name: 'RLS: no findings', status: 'pass' });
  checks.push(
    ...byRule(
      result.findings.filter((f) => f.existing),
      'RLS, already on production: ',
    ).map((c) => ({ ...c, existing: true })),
  );
  if (!result.probes.length) return checks;
  if (result.probes.every((p) => p.select.startsWith('not available'))) {
    return [
      ...checks,
      { name: 'RLS probes', status: 'warn', detail: `${result.probes[0]!.select}: only the catalog checks ran` },
    ];
  }
  const roles = [...new Set(result.probes.map((p) => p.role))];
  return [
    ...checks,
    ...roles.map((role) =>
      roleSummary(
        role,
        result.probes.filter((p) => p.role === role),
      ),
    ),
  ];
}

/**
 * One check per rule: `fail` if any of its findings is an error, else `warn`; its detail names the
 * objects, and it lists each finding with its object and the fix.
 */
function byRule(findings: RlsFinding[], prefix: string): Check[] {
  const rules = new Map<string, RlsFinding[]>();
  for (const f of findings) rules.set(f.rule, [...(rules.get(f.rule) ?? []), f]);
  return [...rules].map(([rule, found]) => ({
    name: `${prefix}${RULE_TITLES[rule] ?? rule}`,
    status: found.some((f) => f.level === 'error') ? 'fail' : 'warn',
    detail: `${found.length} finding(s): ${listed(
      found.map((f) => f.object),
      10,
    )}`,
    items: found
      .slice(0, 50)
      .map((f) => (f.detail.startsWith(f.object) ? f.detail : `${f.object} — ${f.detail}`).slice(0, 1000)),
  }));
}

function roleSummary(role: string, probes: RoleProbe[]): Check {
  const name = `RLS probe: ${role}`;
  if (probes.every((p) => p.select.startsWith('not available')))
    return { name, status: 'warn', detail: probes[0]!.select };
  const anonymous = role === 'anon';
  const rows = probes.reduce((sum, p) => sum + (p.visibleRows ?? 0), 0);
  const readable = probes.filter((p) => (p.visibleRows ?? 0) > 0).map((p) => p.table);
  const inserts = probes.filter((p) => p.insert.startsWith('allowed')).map((p) => p.table);
  const foreignInserts = probes.filter((p) => p.insert.includes("allowed for another user's row")).map((p) => p.table);
  const changes = probes.flatMap((p) => [
    ...(p.update.startsWith('allowed') ? [`update ${p.table}`] : []),
    ...(p.delete.startsWith('allowed') ? [`delete from ${p.table}`] : []),
  ]);
  const untested = probes
    .flatMap((p) => [p.select, p.insert, p.update, p.delete])
    .filter((v) => /^not (tested|available)/.test(v)).length;
  const read =
    `can read ${rows} row${rows === 1 ? '' : 's'}${anonymous ? '' : ' of other users'}` +
    (readable.length ? ` (${readable.join(', ')})` : '');
  const tail = untested ? `; ${untested} probe(s) not tested` : '';
  if (anonymous) {
    const writes = [...inserts.map((t) => `insert into ${t}`), ...changes];
    return {
      name,
      status: changes.length ? 'fail' : writes.length || rows ? 'warn' : 'pass',
      detail: `${role} ${read}, ${writes.length ? `can ${writes.join(', ')}` : 'cannot write'}${tail}`,
    };
  }
  const others = [...foreignInserts.map((t) => `insert into ${t}`), ...changes];
  const ownRows = probes.filter((p) => p.insert.startsWith('allowed for its own row')).map((p) => p.table);
  const anyRows = inserts.filter((t) => !ownRows.includes(t));
  const own =
    [
      ...(ownRows.length ? [`can insert its own rows (${ownRows.join(', ')})`] : []),
      ...(anyRows.length ? [`can insert into ${anyRows.join(', ')}`] : []),
    ].join(', ') || 'cannot insert';
  return {
    name,
    status: others.length ? 'fail' : rows ? 'warn' : 'pass',
    detail:
      `${role} (a new user) ${read}, ${own}, ` +
      (others.length ? `can write other users' rows: ${others.join(', ')}` : "cannot write other users' rows") +
      tail,
  };
}

function listed(details: string[], max = 5): string {
  const shown = details.slice(0, max).join('; ');
  return details.length > max ? `${shown}; and ${details.length - max} more` : shown;
}

function unique(tables: TableName[]): TableName[] {
  return tables.filter((t, i) => tables.findIndex((o) => o.sql === t.sql) === i);
}

async function withConnection<T>(client: ClientBase | Pool, run: (db: ClientBase) => Promise<T>): Promise<T> {
  if (!('idleCount' in client)) return run(client);
  const db: PoolClient = await client.connect();
  let failed = false;
  try {
    return await run(db);
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    db.release(failed);
  }
}
