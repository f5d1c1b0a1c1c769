import type { ClientBase } from 'pg';
import type { RlsFinding } from './rls-types';
import type { TableName } from './rls-table-name';

/** Schemas of Supabase and of extensions, whose functions are not the team's to fix. */
const SYSTEM_SCHEMAS = [
  'pg_catalog',
  'information_schema',
  'pg_toast',
  'auth',
  'storage',
  'extensions',
  'graphql',
  'graphql_public',
  'realtime',
  '_realtime',
  'supabase_functions',
  'supabase_migrations',
  'vault',
  'pgsodium',
  'pgsodium_masks',
  'pgbouncer',
  'net',
  'cron',
  'pgtle',
  'repack',
  'topology',
  'tiger',
];

/** Objects owned by an extension are left out, as Supabase's advisors do. */
const NOT_EXTENSION = (oid: string): string =>
  `not exists (select 1 from pg_catalog.pg_depend e where e.objid = ${oid} and e.deptype = 'e')`;

/**
 * Security findings read from the catalogs, in the spirit of Supabase's security advisors: over every
 * table, view and function of the exposed `schemas`, plus the touched tables wherever they live.
 */
export async function catalogFindings(db: ClientBase, schemas: string[], touched: TableName[]): Promise<RlsFinding[]> {
  const findings: RlsFinding[] = [];
  const [touchedSchemas, touchedNames] = [touched.map((t) => t.schema), touched.map((t) => t.name)];
  const tables = await db.query<{ tbl: string; exposed: boolean; rls: boolean; policies: number }>(
    `select format('%I.%I', n.nspname, c.relname) as tbl, n.nspname = any($1) as exposed, c.relrowsecurity as rls,
            (select count(*) from pg_catalog.pg_policy p where p.polrelid = c.oid)::int as policies
       from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and (n.nspname = any($1) or (n.nspname, c.relname) in (select * from unnest($2::text[], $3::text[])))
        and ${NOT_EXTENSION('c.oid')}
      order by 1`,
    [schemas, touchedSchemas, touchedNames],
  );
  for (const t of tables.rows) {
    if (!t.rls && t.exposed) {
      findings.push({
        rule: 'rls_disabled_in_public',
        level: 'error',
        table: t.tbl,
        object: t.tbl,
        detail:
          `${t.tbl} is reachable through the API without row level security: \`alter table ${t.tbl} ` +
          `enable row level security\` and add policies`,
      });
    }
    if (!t.rls && t.policies > 0) {
      findings.push({
        rule: 'policy_exists_rls_disabled',
        level: 'error',
        table: t.tbl,
        object: t.tbl,
        detail:
          `${t.tbl} has ${t.policies} polic${t.policies === 1 ? 'y' : 'ies'} that do nothing because RLS ` +
          `is off: enable row level security on it`,
      });
    }
    if (t.rls && t.policies === 0) {
      findings.push({
        rule: 'rls_enabled_no_policy',
        level: 'warning',
        table: t.tbl,
        object: t.tbl,
        detail: `${t.tbl} has RLS but no policy, so only its owner and service_role can use it: add policies or confirm that is intended`,
      });
    }
  }

  const alwaysTrue = await db.query<{ tbl: string; policy: string; cmd: string; clause: string }>(
    `select format('%I.%I', schemaname, tablename) as tbl, policyname as policy, cmd,
            case when with_check = 'true' then 'with check (true)' else 'using (true)' end as clause
       from pg_catalog.pg_policies
      where permissive = 'PERMISSIVE' and cmd in ('INSERT', 'UPDATE', 'DELETE', 'ALL')
        and (qual = 'true' or with_check = 'true')
        and roles::text[] && array['public', 'anon', 'authenticated']
        and (schemaname = any($1) or (schemaname::text, tablename::text) in (select * from unnest($2::text[], $3::text[])))
      order by 1, 2`,
    [schemas, touchedSchemas, touchedNames],
  );
  for (const p of alwaysTrue.rows) {
    findings.push({
      rule: 'rls_policy_always_true',
      level: 'error',
      table: p.tbl,
      object: `${p.tbl} policy ${p.policy}`,
      detail:
        `policy "${p.policy}" (${p.cmd}) on ${p.tbl} is ${p.clause}, so anyone it applies to can write ` +
        `any row: restrict it, e.g. to \`auth.uid() = user_id\``,
    });
  }

  const views = await db.query<{ view: string; kind: string; invoker: boolean; auth_users: boolean }>(
    `select format('%I.%I', n.nspname, c.relname) as view, c.relkind as kind,
            coalesce(lower(c.reloptions::text)::text[], '{}')
              && array['security_invoker=on', 'security_invoker=true', 'security_invoker=1', 'security_invoker=yes']
              as invoker,
            exists (select 1 from pg_catalog.pg_rewrite r join pg_catalog.pg_depend d
                      on d.classid = 'pg_catalog.pg_rewrite'::regclass and d.objid = r.oid
                     where r.ev_class = c.oid and d.refobjid = to_regclass('auth.users')) as auth_users
       from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('v', 'm') and n.nspname = any($1) and ${NOT_EXTENSION('c.oid')}
      order by 1`,
    [schemas],
  );
  for (const v of views.rows) {
    if (v.kind === 'v' && !v.invoker) {
      findings.push({
        rule: 'security_definer_view',
        level: 'error',
        table: v.view,
        object: v.view,
        detail:
          `view ${v.view} runs with its owner's rights and bypasses the callers' RLS: \`alter ` +
          `view ${v.view} set (security_invoker = on)\``,
      });
    }
    if (v.auth_users) {
      findings.push({
        rule: 'auth_users_exposed',
        level: 'error',
        table: v.view,
        object: v.view,
        detail:
          `${v.kind === 'm' ? 'materialized view' : 'view'} ${v.view} exposes auth.users through the API: ` +
          `move it out of ${schemas.join('/')} or select only what each user may see`,
      });
    }
  }

  const functions = await db.query<{ fn: string; definer: boolean }>(
    `select format('%I.%I(%s)', n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)) as fn, p.prosecdef as definer
       from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
      where p.prokind in ('f', 'p')
        and (n.nspname = any($1) or (p.prosecdef and not n.nspname = any($2) and n.nspname not like 'pg\\_%'))
        and not exists (select 1 from unnest(coalesce(p.proconfig, '{}')) s where s like 'search\\_path=%')
        and ${NOT_EXTENSION('p.oid')}
      order by 1`,
    [schemas, SYSTEM_SCHEMAS],
  );
  for (const f of functions.rows) {
    findings.push({
      rule: 'function_search_path_mutable',
      level: f.definer ? 'error' : 'warning',
      object: f.fn,
      detail:
        `${f.definer ? 'SECURITY DEFINER function' : 'function'} ${f.fn} has no fixed search_path, so a ` +
        `caller can redirect the names it uses: add \`set search_path = ''\` and schema-qualify them`,
    });
  }
  return findings;
}
